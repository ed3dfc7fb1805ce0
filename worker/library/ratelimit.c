#include "ratelimit.h"

#include "log.h"
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_KEY_MAX 272 /* > ENVELOPE_META_MAX: any client address fits */
#define S_PROBES 8    /* slots looked at for one key before the oldest is overwritten */
#define S_SCOPE_LOGIN_EMAIL "login_email"
#define S_SCOPE_LOGIN_IP "login_ip"

typedef struct {
    char key[S_KEY_MAX]; /* "" = free */
    int64_t window;      /* index of the window (time / window length) */
    int64_t expires;     /* end of that window, unix seconds: a stale entry may be reused */
    long count;
    uint64_t stamp; /* insertion order, to find the oldest */
} s_entry_t;

static int64_t s_wall_now(void)
{
    return (int64_t)time(NULL);
}

static int64_t (*s_now)(void) = s_wall_now;
static s_entry_t *s_table;
static size_t s_table_size;
static uint64_t s_stamp;

void ratelimit_set_clock(int64_t (*now_s)(void))
{
    s_now = now_s ? now_s : s_wall_now;
}

void ratelimit_local_reset(void)
{
    free(s_table);
    s_table = NULL;
    s_table_size = 0;
}

static int s_retry_after(const library_rate_t *rule, int64_t now)
{
    int64_t left = (now / rule->window_s + 1) * rule->window_s - now;
    return left < 1 ? 1 : (int)left;
}

/* "<prefix><scope>:<key>:<window>"; -1 when it does not fit (never with the bounded
 * prefixes, scopes and keys used here). */
static int s_redis_key(char *out, size_t size, const char *scope, const char *key, int64_t window)
{
    int n = snprintf(out, size, "%s%s:%s:%lld", library_config()->rate_prefix, scope, key,
                     (long long)window);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

/* "<scope>:<key>", the worker table's key; -1 when it does not fit. */
static int s_local_key(char *out, size_t size, const char *scope, const char *key)
{
    int n = snprintf(out, size, "%s:%s", scope, key);
    return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

bool ratelimit_hit(cache_t *cache, const library_rate_t *rule, const char *scope, const char *key,
                   int *retry_after_s)
{
    *retry_after_s = 0;
    if (!rule->limit || !key || !key[0])
        return false;
    int64_t now = s_now();
    char rkey[S_KEY_MAX + 128];
    long long count = 0;
    if (s_redis_key(rkey, sizeof rkey, scope, key, now / rule->window_s) < 0 ||
        cache_incr_expire(cache, rkey, (int)rule->window_s, &count) != CACHE_OK)
        return false; /* Redis down: general limits are skipped (see the header) */
    if (count <= rule->limit)
        return false;
    *retry_after_s = s_retry_after(rule, now);
    return true;
}

/* FNV-1a: spreads keys over the table; not a security boundary. */
static size_t s_hash(const char *text)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (size_t)h;
}

static bool s_table_ready(void)
{
    if (s_table)
        return true;
    size_t n = (size_t)library_config()->rate_local_entries;
    s_table = calloc(n, sizeof *s_table);
    if (!s_table) {
        log_error("ratelimit: no memory for the local table of %zu entries", n);
        return false;
    }
    s_table_size = n;
    return true;
}

static bool s_reusable(const s_entry_t *e, int64_t now)
{
    return !e->key[0] || e->expires <= now;
}

/* The entry of key in the current window of rule, created (count 0) when missing;
 * NULL without memory. */
static s_entry_t *s_local(const char *key, const library_rate_t *rule, int64_t now)
{
    int64_t window = now / rule->window_s, expires = (window + 1) * rule->window_s;
    if (!s_table_ready())
        return NULL;
    size_t start = s_hash(key) % s_table_size;
    s_entry_t *victim = NULL;
    for (size_t i = 0; i < S_PROBES && i < s_table_size; i++) {
        s_entry_t *e = &s_table[(start + i) % s_table_size];
        if (e->key[0] && strcmp(e->key, key) == 0) {
            if (e->window != window) {
                e->window = window;
                e->expires = expires;
                e->count = 0;
            }
            return e;
        }
        /* Prefer a free or stale slot; among live ones, the oldest. */
        if (!victim ||
            (!s_reusable(victim, now) && (s_reusable(e, now) || e->stamp < victim->stamp)))
            victim = e;
    }
    if (!victim || strlen(key) >= sizeof victim->key)
        return NULL;
    memcpy(victim->key, key, strlen(key) + 1);
    victim->window = window;
    victim->expires = expires;
    victim->count = 0;
    victim->stamp = ++s_stamp;
    return victim;
}

/* The keys the login limit counts, with their rules: the email's hash, and the IP
 * unless exempt. A rule that is off adds no key. */
static int s_login_keys(const char *email, const char *ip, char keys[2][S_KEY_MAX],
                        const char *scopes[2], const library_rate_t *rules[2])
{
    const library_config_t *cfg = library_config();
    int n = 0;
    if (email && email[0] && cfg->rate_login.limit) {
        rules[n] = &cfg->rate_login;
        char hex[65];
        token_sha256_hex(email, hex);
        hex[32] = '\0';
        memcpy(keys[n], hex, 33);
        scopes[n++] = S_SCOPE_LOGIN_EMAIL;
    }
    if (ip && ip[0] && strlen(ip) < S_KEY_MAX && !library_config_ip_exempt(ip) &&
        cfg->rate_login_ip.limit) {
        rules[n] = &cfg->rate_login_ip;
        memcpy(keys[n], ip, strlen(ip) + 1);
        scopes[n++] = S_SCOPE_LOGIN_IP;
    }
    return n;
}

static long s_login_count(cache_t *cache, const char *scope, const char *key,
                          const library_rate_t *rule, int64_t now)
{
    char rkey[S_KEY_MAX + 128], local_key[S_KEY_MAX + 32];
    char *value = NULL;
    size_t len = 0;
    cache_result_t r = CACHE_UNAVAILABLE;
    if (s_redis_key(rkey, sizeof rkey, scope, key, now / rule->window_s) == 0)
        r = cache_get(cache, rkey, &value, &len);
    if (r == CACHE_OK) {
        long n = strtol(value, NULL, 10);
        free(value);
        return n;
    }
    if (r == CACHE_MISS)
        return 0;
    s_entry_t *e = s_local_key(local_key, sizeof local_key, scope, key) == 0
                       ? s_local(local_key, rule, now)
                       : NULL;
    return e ? e->count : 0;
}

bool ratelimit_login_blocked(cache_t *cache, const char *email, const char *ip, int *retry_after_s)
{
    char keys[2][S_KEY_MAX];
    const char *scopes[2];
    const library_rate_t *rules[2];
    int n = s_login_keys(email, ip, keys, scopes, rules);
    int64_t now = s_now();
    *retry_after_s = 0;
    for (int i = 0; i < n; i++) {
        if (s_login_count(cache, scopes[i], keys[i], rules[i], now) >= rules[i]->limit) {
            *retry_after_s = s_retry_after(rules[i], now);
            return true;
        }
    }
    return false;
}

void ratelimit_login_failed(cache_t *cache, const char *email, const char *ip)
{
    char keys[2][S_KEY_MAX];
    const char *scopes[2];
    const library_rate_t *rules[2];
    int n = s_login_keys(email, ip, keys, scopes, rules);
    int64_t now = s_now();
    for (int i = 0; i < n; i++) {
        char rkey[S_KEY_MAX + 128], local_key[S_KEY_MAX + 32];
        s_entry_t *e = s_local_key(local_key, sizeof local_key, scopes[i], keys[i]) == 0
                           ? s_local(local_key, rules[i], now)
                           : NULL;
        if (e)
            e->count++;
        long long count;
        if (s_redis_key(rkey, sizeof rkey, scopes[i], keys[i], now / rules[i]->window_s) < 0 ||
            cache_incr_expire(cache, rkey, (int)rules[i]->window_s, &count) != CACHE_OK)
            log_debug("ratelimit: Redis unavailable, failed login counted locally only");
    }
}
