#include "library_config.h"

#include "config.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_RATE_LIMIT_MAX 10000000L
#define S_RATE_WINDOW_MAX 31536000L

#define S_DEFAULT_RATE_LOGIN "10/60,100/60"
#define S_DEFAULT_RATE_REGISTER "20/3600"
#define S_DEFAULT_RATE_USER "600/60"
#define S_DEFAULT_EXEMPT_IPS "127.0.0.1,::1"
#define S_DEFAULT_RATE_PREFIX "bedrock:rl:"
#define S_DEFAULT_RATE_LOCAL_ENTRIES 4096
#define S_DEFAULT_VERIFY_TTL_S (48L * 3600)
#define S_DEFAULT_RETENTION_DAYS 30
#define S_DEFAULT_INACTIVE_DAYS 0
#define S_DEFAULT_PURGE_BATCH 100
#define S_DEFAULT_PURGE_BUDGET_MS 1000
#define S_DEFAULT_PLAYLIST_ITEMS_MAX 10000

static library_config_t s_config;
static bool s_loaded;

int library_config_parse_rate(const char *text, library_rate_t *out)
{
    out->limit = 0;
    out->window_s = 1;
    if (!text)
        return -1;
    if (strcmp(text, "off") == 0 || strcmp(text, "0") == 0)
        return 0;
    const char *slash = strchr(text, '/');
    if (!slash || slash == text || strlen(slash + 1) == 0)
        return -1;
    char count[24];
    size_t n = (size_t)(slash - text);
    if (n >= sizeof count)
        return -1;
    memcpy(count, text, n);
    count[n] = '\0';
    long limit, window;
    if (config_parse_int(count, 1, S_RATE_LIMIT_MAX, &limit) < 0 ||
        config_parse_int(slash + 1, 1, S_RATE_WINDOW_MAX, &window) < 0)
        return -1;
    out->limit = limit;
    out->window_s = window;
    return 0;
}

int library_config_parse_login_rate(const char *text, library_rate_t *email, library_rate_t *ip)
{
    const char *comma = text ? strchr(text, ',') : NULL;
    if (!comma) {
        if (library_config_parse_rate(text, email) < 0)
            return -1;
        *ip = *email;
        return 0;
    }
    char first[48];
    size_t n = (size_t)(comma - text);
    if (n >= sizeof first)
        return -1;
    memcpy(first, text, n);
    first[n] = '\0';
    return (library_config_parse_rate(first, email) < 0 ||
            library_config_parse_rate(comma + 1, ip) < 0)
               ? -1
               : 0;
}

static void s_rate(const char *name, const char *def, library_rate_t *out)
{
    if (library_config_parse_rate(config_get_string(name, def), out) < 0)
        config_fail(name, "must be N/S (N events per S seconds, e.g. 10/60) or off");
}

/* Comma list of addresses; each at most 63 bytes of [0-9A-Za-z.:%-]. */
static void s_exempt(const char *name, library_config_t *c)
{
    const char *v = config_get_string(name, S_DEFAULT_EXEMPT_IPS);
    c->n_exempt_ips = 0;
    if (strcmp(v, "none") == 0)
        return;
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= LIBRARY_CONFIG_IP_MAX ||
            c->n_exempt_ips == LIBRARY_CONFIG_EXEMPT_MAX)
            config_fail(name, "must be a comma list of at most 16 IP addresses (or none)");
        for (size_t i = 0; i < len; i++)
            if (!strchr("0123456789abcdefABCDEF.:%", p[i]))
                config_fail(name, "must be a comma list of IP addresses");
        memcpy(c->exempt_ips[c->n_exempt_ips], p, len);
        c->exempt_ips[c->n_exempt_ips++][len] = '\0';
        p += len;
        if (*p == ',' && !*++p)
            config_fail(name, "must not end with a comma");
    }
}

static void s_prefix(const char *name, library_config_t *c)
{
    const char *v = config_get_string(name, S_DEFAULT_RATE_PREFIX);
    if (strlen(v) >= sizeof c->rate_prefix)
        config_fail(name, "must be at most 63 bytes");
    for (const char *p = v; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            config_fail(name, "must hold no spaces or control characters");
    snprintf(c->rate_prefix, sizeof c->rate_prefix, "%s", v);
}

static void s_load(library_config_t *c)
{
    memset(c, 0, sizeof *c);
    if (library_config_parse_login_rate(
            config_get_string("BEDROCK_RATE_LOGIN", S_DEFAULT_RATE_LOGIN), &c->rate_login,
            &c->rate_login_ip) < 0)
        config_fail("BEDROCK_RATE_LOGIN", "must be N/S (per email and per IP), N/S,M/T (per "
                                          "email, per IP; N events per S seconds) or off");
    s_rate("BEDROCK_RATE_REGISTER", S_DEFAULT_RATE_REGISTER, &c->rate_register);
    s_rate("BEDROCK_RATE_USER", S_DEFAULT_RATE_USER, &c->rate_user);
    s_exempt("BEDROCK_RATE_EXEMPT_IPS", c);
    s_prefix("BEDROCK_RATE_KEY_PREFIX", c);
    c->rate_local_entries =
        config_get_int("BEDROCK_RATE_LOCAL_ENTRIES", S_DEFAULT_RATE_LOCAL_ENTRIES, 16, 1000000);
    c->verify_ttl_s = config_get_int("BEDROCK_VERIFY_TTL_S", S_DEFAULT_VERIFY_TTL_S, 60, 31536000);
    c->retention_days =
        config_get_int("BEDROCK_RETENTION_DAYS", S_DEFAULT_RETENTION_DAYS, 0, 36500);
    c->inactive_days = config_get_int("BEDROCK_INACTIVE_DAYS", S_DEFAULT_INACTIVE_DAYS, 0, 36500);
    c->purge_batch = config_get_int("BEDROCK_PURGE_BATCH", S_DEFAULT_PURGE_BATCH, 1, 100000);
    c->purge_budget_ms =
        config_get_int("BEDROCK_PURGE_BUDGET_MS", S_DEFAULT_PURGE_BUDGET_MS, 10, 600000);
    c->playlist_items_max =
        config_get_int("BEDROCK_PLAYLIST_ITEMS_MAX", S_DEFAULT_PLAYLIST_ITEMS_MAX, 1, 1000000);
}

void library_config_init(void)
{
    s_load(&s_config);
    s_loaded = true;
}

const library_config_t *library_config(void)
{
    if (!s_loaded)
        library_config_init();
    return &s_config;
}

static void s_log_rate(const char *name, const library_rate_t *r)
{
    if (r->limit == 0)
        log_info("setting %s=off", name);
    else
        log_info("setting %s=%ld/%ld (%ld per %ld s)", name, r->limit, r->window_s, r->limit,
                 r->window_s);
}

void library_config_log(void)
{
    const library_config_t *c = library_config();
    s_log_rate("BEDROCK_RATE_LOGIN (per email)", &c->rate_login);
    s_log_rate("BEDROCK_RATE_LOGIN (per IP)", &c->rate_login_ip);
    s_log_rate("BEDROCK_RATE_REGISTER", &c->rate_register);
    s_log_rate("BEDROCK_RATE_USER", &c->rate_user);
    char ips[LIBRARY_CONFIG_EXEMPT_MAX * LIBRARY_CONFIG_IP_MAX] = "";
    for (int i = 0; i < c->n_exempt_ips; i++) {
        strcat(ips, i ? "," : "");
        strcat(ips, c->exempt_ips[i]);
    }
    log_info("setting BEDROCK_RATE_EXEMPT_IPS=%s", c->n_exempt_ips ? ips : "(none)");
    log_info("setting BEDROCK_RATE_KEY_PREFIX=%s", c->rate_prefix);
    log_info("setting BEDROCK_RATE_LOCAL_ENTRIES=%ld", c->rate_local_entries);
    log_info("setting BEDROCK_VERIFY_TTL_S=%ld", c->verify_ttl_s);
    log_info("setting BEDROCK_RETENTION_DAYS=%ld", c->retention_days);
    log_info("setting BEDROCK_INACTIVE_DAYS=%ld%s", c->inactive_days,
             c->inactive_days ? "" : " (off)");
    log_info("setting BEDROCK_PURGE_BATCH=%ld", c->purge_batch);
    log_info("setting BEDROCK_PURGE_BUDGET_MS=%ld", c->purge_budget_ms);
    log_info("setting BEDROCK_PLAYLIST_ITEMS_MAX=%ld", c->playlist_items_max);
}

bool library_config_ip_exempt(const char *ip)
{
    const library_config_t *c = library_config();
    for (int i = 0; ip && i < c->n_exempt_ips; i++)
        if (strcmp(ip, c->exempt_ips[i]) == 0)
            return true;
    return false;
}
