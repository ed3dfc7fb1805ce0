/* bedrock-worker — runs ops for the broker (DESIGN §1, §2, §3).
 *
 * Start-up order: validate every setting (exit 2 naming the variable), log them,
 * make the bcrypt dummy hash, try PostgreSQL and Redis once (never fatal: the
 * worker serves 503 db_unavailable and bypasses the cache until they come), then
 * serve until SIGTERM/SIGINT, finishing the request in hand and saying DISCONNECT.
 */
#include "cache.h"
#include "catalog/catalog_settings.h"
#include "catalog/providers_glue.h"
#include "config.h"
#include "db.h"
#include "discovery_settings.h"
#include "dispatch.h"
#include "handler.h"
#include "library/library_config.h"
#include "log.h"
#include "loop.h"
#include "password.h"
#include "settings.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t s_stop = 0;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static db_t *s_db(const settings_t *cfg, const char *url, const char *name)
{
    db_options_t opt = {
        .url = url,
        .name = name,
        .prepared = cfg->db_prepared,
        .max_lifetime_s = cfg->db_max_lifetime_s,
        .idle_check_s = cfg->db_idle_check_s,
        .slow_query_ms = cfg->slow_query_ms,
        .connect_timeout_ms = cfg->db_connect_timeout_ms,
        .backoff_max_ms = cfg->db_backoff_max_ms,
        .tx_retries = cfg->db_tx_retries,
    };
    return db_new(&opt);
}

static cache_t *s_cache(const settings_t *cfg)
{
    cache_options_t opt = {
        .url = cfg->redis_url,
        .connect_timeout_ms = cfg->redis_connect_timeout_ms,
        .command_timeout_ms = cfg->redis_timeout_ms,
        .backoff_max_ms = cfg->redis_backoff_max_ms,
        .health_interval_ms = cfg->heartbeat_ms,
    };
    return cache_new(&opt);
}

int main(void)
{
    static settings_t cfg;
    log_init(SETTINGS_PROCESS);
    settings_load(&cfg);
    library_config_init(); /* the library's own settings (rate limits, retention): exit 2 */

    handler_env_t env = {.cfg = &cfg};
    char err[256];
    dispatch_t *dispatch = dispatch_new(&env, cfg.ops, err, sizeof err);
    if (!dispatch)
        config_fail("BEDROCK_WORKER_OPS", err);
    settings_log(&cfg);
    library_config_log();
    catalog_settings_load();
    discovery_settings_load();
    const json_t *ops = dispatch_announced(dispatch);
    char *ops_text = json_dumps(ops, JSON_COMPACT);
    log_info("serving ops %s", ops_text ? ops_text : "?");
    free(ops_text);

    int rc = 1;
    loop_t *loop = NULL;
    provider_http_t *providers = NULL;
    env.password = password_new(cfg.bcrypt_cost);
    env.primary = s_db(&cfg, cfg.database_url, "primary");
    env.replica = cfg.replica_url ? s_db(&cfg, cfg.replica_url, "replica") : NULL;
    env.cache = s_cache(&cfg);
    /* The HTTP providers (issue 3): settings validated now, calls only on the provider pool. */
    providers = env.cache ? providers_glue_new(env.cache) : NULL;
    if (!env.password || !env.primary || (cfg.replica_url && !env.replica) || !env.cache ||
        !providers)
        goto done;
    dispatch_set_providers(dispatch, providers);
    s_signals();
    /* First attempts now, so that a healthy start serves at once; failures are logged
     * and retried in the loop. */
    db_tick(env.primary);
    if (env.replica)
        db_tick(env.replica);
    (void)cache_connect(env.cache);
    loop = loop_new(&cfg, dispatch, &env);
    if (loop && loop_run(loop, &s_stop) == 0)
        rc = 0;
done:
    if (rc != 0)
        log_error("bedrock-worker stops on an unrecoverable error");
    loop_destroy(&loop);
    dispatch_destroy(&dispatch);
    providers_glue_destroy(&providers);
    cache_destroy(&env.cache);
    db_destroy(&env.replica);
    db_destroy(&env.primary);
    password_destroy(&env.password);
    return rc;
}
