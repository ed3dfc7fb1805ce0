#include "settings.h"

#include "config.h"
#include "log.h"
#include "proto.h"
#include "token.h"

#include <stdio.h>
#include <string.h>

#define S_DEFAULT_BCRYPT_COST 10
#define S_DEFAULT_CREDIT 2
#define S_DEFAULT_DB_MAX_LIFETIME_S 3600
#define S_DEFAULT_DB_IDLE_CHECK_S 60
#define S_DEFAULT_SLOW_QUERY_MS 1000
#define S_DEFAULT_DB_CONNECT_TIMEOUT_MS 2000
#define S_DEFAULT_DB_BACKOFF_MAX_MS 5000
#define S_DEFAULT_DB_TX_RETRIES 3
#define S_DEFAULT_REDIS_CONNECT_TIMEOUT_MS 200
#define S_DEFAULT_REDIS_TIMEOUT_MS 200
#define S_DEFAULT_REDIS_BACKOFF_MAX_MS 5000
#define S_DEFAULT_SESSION_TTL_S (30 * 24 * 3600)

void settings_defaults(settings_t *out)
{
    memset(out, 0, sizeof *out);
    out->redis_url = SETTINGS_DEFAULT_REDIS_URL;
    out->broker_endpoint = PROTO_DEFAULT_WORKER_ENDPOINT;
    out->bcrypt_cost = S_DEFAULT_BCRYPT_COST;
    out->credit = S_DEFAULT_CREDIT;
    out->db_max_lifetime_s = S_DEFAULT_DB_MAX_LIFETIME_S;
    out->db_idle_check_s = S_DEFAULT_DB_IDLE_CHECK_S;
    out->db_prepared = true;
    out->slow_query_ms = S_DEFAULT_SLOW_QUERY_MS;
    out->db_connect_timeout_ms = S_DEFAULT_DB_CONNECT_TIMEOUT_MS;
    out->db_backoff_max_ms = S_DEFAULT_DB_BACKOFF_MAX_MS;
    out->db_tx_retries = S_DEFAULT_DB_TX_RETRIES;
    out->redis_connect_timeout_ms = S_DEFAULT_REDIS_CONNECT_TIMEOUT_MS;
    out->redis_timeout_ms = S_DEFAULT_REDIS_TIMEOUT_MS;
    out->redis_backoff_max_ms = S_DEFAULT_REDIS_BACKOFF_MAX_MS;
    out->heartbeat_ms = PROTO_HEARTBEAT_INTERVAL_MS;
    out->liveness = PROTO_HEARTBEAT_LIVENESS;
    out->session_ttl_s = S_DEFAULT_SESSION_TTL_S;
    out->access_ttl_s = SETTINGS_ACCESS_TTL_S;
}

/* The worker connects, so a wildcard host ("tcp:// * :port" without the spaces, only meaningful for
 * bind) is refused here although config_parse_endpoint accepts it for the broker. */
static const char *s_connect_endpoint(const char *name, const char *def)
{
    const char *v = config_get_endpoint(name, def);
    if (strncmp(v, "tcp://*", 7) == 0 || (strncmp(v, "tcp://", 6) == 0 && strstr(v, ":*")))
        config_fail(name, "must be a connectable ZeroMQ endpoint (tcp://host:port or ipc://path)");
    return v;
}

/* Each entry of BEDROCK_WORKER_OPS is checked against the dispatch table later (in
 * dispatch_configure); here only the list's shape. */
static const char *s_ops_list(const char *name)
{
    const char *v = config_get_string(name, NULL);
    if (!v)
        return NULL;
    for (const char *p = v; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '\n')
            config_fail(name, "must be a comma list of ops or prefixes ending in '.', no spaces");
    if (v[0] == ',' || v[strlen(v) - 1] == ',' || strstr(v, ",,"))
        config_fail(name, "must be a comma list of ops or prefixes ending in '.'");
    return v;
}

static int s_int(const char *name, long def, long min, long max)
{
    return (int)config_get_int(name, def, min, max);
}

void settings_load(settings_t *s)
{
    settings_defaults(s);
    config_set_process(SETTINGS_PROCESS);
    s->database_url = config_get_database_url("DATABASE_URL", true);
    s->replica_url = config_get_database_url("DATABASE_REPLICA_URL", false);
    s->redis_url = config_get_redis_url("REDIS_URL", SETTINGS_DEFAULT_REDIS_URL);
    s->broker_endpoint =
        s_connect_endpoint("BEDROCK_BROKER_WORKERS", PROTO_DEFAULT_WORKER_ENDPOINT);
    s->jwt_secret = config_get_secret("BEDROCK_JWT_SECRET", NULL, TOKEN_SECRET_MIN);
    s->bcrypt_cost = s_int("BEDROCK_BCRYPT_COST", S_DEFAULT_BCRYPT_COST, 4, 31);
    s->credit = s_int("BEDROCK_WORKER_CREDIT", S_DEFAULT_CREDIT, 1, 16);
    s->ops = s_ops_list("BEDROCK_WORKER_OPS");
    s->db_max_lifetime_s =
        s_int("BEDROCK_DB_MAX_LIFETIME_S", S_DEFAULT_DB_MAX_LIFETIME_S, 1, 604800);
    s->db_idle_check_s = s_int("BEDROCK_DB_IDLE_CHECK_S", S_DEFAULT_DB_IDLE_CHECK_S, 1, 86400);
    s->db_prepared = config_get_bool("BEDROCK_DB_PREPARED", true);
    s->slow_query_ms = s_int("BEDROCK_SLOW_QUERY_MS", S_DEFAULT_SLOW_QUERY_MS, 1, 3600000);
    s->db_connect_timeout_ms =
        s_int("BEDROCK_DB_CONNECT_TIMEOUT_MS", S_DEFAULT_DB_CONNECT_TIMEOUT_MS, 100, 60000);
    s->db_backoff_max_ms =
        s_int("BEDROCK_DB_BACKOFF_MAX_MS", S_DEFAULT_DB_BACKOFF_MAX_MS, 100, 600000);
    s->db_tx_retries = s_int("BEDROCK_DB_TX_RETRIES", S_DEFAULT_DB_TX_RETRIES, 0, 20);
    s->redis_connect_timeout_ms =
        s_int("BEDROCK_REDIS_CONNECT_TIMEOUT_MS", S_DEFAULT_REDIS_CONNECT_TIMEOUT_MS, 10, 60000);
    s->redis_timeout_ms = s_int("BEDROCK_REDIS_TIMEOUT_MS", S_DEFAULT_REDIS_TIMEOUT_MS, 10, 60000);
    s->redis_backoff_max_ms =
        s_int("BEDROCK_REDIS_BACKOFF_MAX_MS", S_DEFAULT_REDIS_BACKOFF_MAX_MS, 100, 600000);
    s->heartbeat_ms = s_int("BEDROCK_HEARTBEAT_MS", PROTO_HEARTBEAT_INTERVAL_MS, 10, 60000);
    s->liveness = s_int("BEDROCK_HEARTBEAT_LIVENESS", PROTO_HEARTBEAT_LIVENESS, 1, 100);
    s->session_ttl_s = s_int("BEDROCK_SESSION_TTL_S", S_DEFAULT_SESSION_TTL_S, 60, 31536000);
    s->test_ops = config_get_bool("BEDROCK_TEST_OPS", false);
}

void settings_redact_url(const char *url, char *out, int out_size)
{
    snprintf(out, (size_t)out_size, "%s", url ? url : "");
    char *scheme = strstr(out, "://");
    char *authority = scheme ? scheme + 3 : NULL;
    size_t authority_len = authority ? strcspn(authority, "/?") : 0;
    char *at = authority ? memchr(authority, '@', authority_len) : NULL;
    char *colon = at ? memchr(authority, ':', (size_t)(at - authority)) : NULL;
    if (colon) {
        char tail[512];
        snprintf(tail, sizeof tail, "%s", at);
        snprintf(colon, (size_t)(out_size - (colon - out)), ":****%s", tail);
    }
    char *pw = strstr(out, "password=");
    if (pw) {
        char *end = strchr(pw, '&');
        char tail[512];
        snprintf(tail, sizeof tail, "%s", end ? end : "");
        snprintf(pw, (size_t)(out_size - (pw - out)), "password=****%s", tail);
    }
}

static void s_log_url(const char *name, const char *url)
{
    char safe[512];
    settings_redact_url(url, safe, sizeof safe);
    log_info("setting %s=%s", name, url ? safe : "(unset)");
}

void settings_log(const settings_t *s)
{
    s_log_url("DATABASE_URL", s->database_url);
    s_log_url("DATABASE_REPLICA_URL", s->replica_url);
    s_log_url("REDIS_URL", s->redis_url);
    log_info("setting BEDROCK_BROKER_WORKERS=%s", s->broker_endpoint);
    log_info("setting BEDROCK_JWT_SECRET=(set, %zu bytes)", strlen(s->jwt_secret));
    log_info("setting BEDROCK_BCRYPT_COST=%d", s->bcrypt_cost);
    log_info("setting BEDROCK_WORKER_CREDIT=%d", s->credit);
    log_info("setting BEDROCK_WORKER_OPS=%s", s->ops ? s->ops : "(every op)");
    log_info("setting BEDROCK_DB_MAX_LIFETIME_S=%d", s->db_max_lifetime_s);
    log_info("setting BEDROCK_DB_IDLE_CHECK_S=%d", s->db_idle_check_s);
    log_info("setting BEDROCK_DB_PREPARED=%s", s->db_prepared ? "true" : "false");
    log_info("setting BEDROCK_SLOW_QUERY_MS=%d", s->slow_query_ms);
    log_info("setting BEDROCK_DB_CONNECT_TIMEOUT_MS=%d", s->db_connect_timeout_ms);
    log_info("setting BEDROCK_DB_BACKOFF_MAX_MS=%d", s->db_backoff_max_ms);
    log_info("setting BEDROCK_DB_TX_RETRIES=%d", s->db_tx_retries);
    log_info("setting BEDROCK_REDIS_CONNECT_TIMEOUT_MS=%d", s->redis_connect_timeout_ms);
    log_info("setting BEDROCK_REDIS_TIMEOUT_MS=%d", s->redis_timeout_ms);
    log_info("setting BEDROCK_REDIS_BACKOFF_MAX_MS=%d", s->redis_backoff_max_ms);
    log_info("setting BEDROCK_HEARTBEAT_MS=%d", s->heartbeat_ms);
    log_info("setting BEDROCK_HEARTBEAT_LIVENESS=%d", s->liveness);
    log_info("setting BEDROCK_SESSION_TTL_S=%d", s->session_ttl_s);
    log_info("setting access token ttl (fixed by the API)=%d s", s->access_ttl_s);
    log_info("setting BEDROCK_TEST_OPS=%s", s->test_ops ? "true" : "false");
}
