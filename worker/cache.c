#include "cache.h"

#include "config.h"
#include "log.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_BACKOFF_MIN_MS 100
#define S_HOST_MAX 256
#define S_CRED_MAX 256

static const char s_incr_script[] = "local v = redis.call('INCR', KEYS[1]) "
                                    "if v == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
                                    "return v";

struct cache {
    cache_options_t opt;
    char host[S_HOST_MAX];
    int port;
    int db;
    char user[S_CRED_MAX];
    char password[S_CRED_MAX];
    redisContext *ctx;
    int failures;
    int64_t next_attempt_ms;
    int64_t last_ok_ms;
    uint64_t bypass;
};

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval s_tv(int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    return tv;
}

/* config_parse_redis_url skips the user info; AUTH needs it. */
static int s_parse_credentials(cache_t *c, const char *url)
{
    const char *p = url + strlen("redis://");
    const char *at = strchr(p, '@');
    const char *slash = strchr(p, '/');
    if (!at || (slash && slash < at))
        return 0;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    const char *user_end = colon ? colon : at;
    size_t ulen = (size_t)(user_end - p), plen = colon ? (size_t)(at - colon - 1) : 0;
    if (ulen >= S_CRED_MAX || plen >= S_CRED_MAX)
        return -1;
    memcpy(c->user, p, ulen);
    c->user[ulen] = '\0';
    if (colon)
        memcpy(c->password, colon + 1, plen);
    c->password[plen] = '\0';
    return 0;
}

cache_t *cache_new(const cache_options_t *opt)
{
    cache_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->opt = *opt;
    c->opt.url = NULL;
    if (config_parse_redis_url(opt->url, c->host, sizeof c->host, &c->port, &c->db) < 0 ||
        s_parse_credentials(c, opt->url) < 0) {
        free(c);
        return NULL;
    }
    return c;
}

static void s_close(cache_t *c)
{
    if (c->ctx)
        redisFree(c->ctx);
    c->ctx = NULL;
}

void cache_destroy(cache_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    s_close(*self_p);
    memset((*self_p)->password, 0, sizeof(*self_p)->password);
    free(*self_p);
    *self_p = NULL;
}

static void s_failed(cache_t *c, const char *why)
{
    s_close(c);
    c->failures++;
    int64_t wait = S_BACKOFF_MIN_MS;
    for (int i = 1; i < c->failures && wait < c->opt.backoff_max_ms; i++)
        wait *= 2;
    if (wait > c->opt.backoff_max_ms)
        wait = c->opt.backoff_max_ms;
    c->next_attempt_ms = s_mono_ms() + wait;
    log_warn("redis: unavailable (attempt %d: %s); bypassing the cache, next attempt in %lld ms",
             c->failures, why, (long long)wait);
}

/* Sends a setup command (AUTH, SELECT) and checks for a status reply. */
static int s_setup(cache_t *c, int argc, const char **argv)
{
    redisReply *r = redisCommandArgv(c->ctx, argc, argv, NULL);
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject(r);
    return ok ? 0 : -1;
}

static int s_login(cache_t *c)
{
    if (c->password[0]) {
        const char *with_user[] = {"AUTH", c->user, c->password};
        const char *without[] = {"AUTH", c->password};
        int rc = c->user[0] ? s_setup(c, 3, with_user) : s_setup(c, 2, without);
        if (rc < 0)
            return -1;
    }
    if (c->db != 0) {
        char db[16];
        snprintf(db, sizeof db, "%d", c->db);
        const char *select[] = {"SELECT", db};
        return s_setup(c, 2, select);
    }
    return 0;
}

cache_result_t cache_connect(cache_t *c)
{
    s_close(c);
    c->ctx = redisConnectWithTimeout(c->host, c->port, s_tv(c->opt.connect_timeout_ms));
    if (!c->ctx || c->ctx->err) {
        char why[160];
        snprintf(why, sizeof why, "%s", c->ctx ? c->ctx->errstr : "out of memory");
        s_failed(c, why);
        return CACHE_UNAVAILABLE;
    }
    if (redisSetTimeout(c->ctx, s_tv(c->opt.command_timeout_ms)) != REDIS_OK ||
        redisEnableKeepAlive(c->ctx) != REDIS_OK || s_login(c) < 0) {
        s_failed(c, "AUTH/SELECT/timeout setup failed");
        return CACHE_UNAVAILABLE;
    }
    if (c->failures > 0)
        log_info("redis: connected again after %d failed attempts", c->failures);
    else
        log_info("redis: connected to %s:%d db %d", c->host, c->port, c->db);
    c->failures = 0;
    c->last_ok_ms = s_mono_ms();
    return CACHE_OK;
}

static bool s_ready(cache_t *c)
{
    if (c->ctx)
        return true;
    if (s_mono_ms() < c->next_attempt_ms)
        return false;
    return cache_connect(c) == CACHE_OK;
}

/* Runs one command. NULL means unavailable: the bypass is counted and, on an I/O
 * error or timeout, the connection is dropped. Server error replies are bypasses too
 * (OOM, LOADING...) but keep the connection. */
static redisReply *s_command(cache_t *c, int argc, const char **argv, const size_t *lens)
{
    if (!s_ready(c)) {
        c->bypass++;
        return NULL;
    }
    redisReply *r = redisCommandArgv(c->ctx, argc, argv, lens);
    if (!r) {
        char why[160];
        snprintf(why, sizeof why, "%s", c->ctx->errstr[0] ? c->ctx->errstr : "I/O error");
        s_failed(c, why);
        c->bypass++;
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        log_warn("redis: %s answered an error: %.*s", argv[0], (int)r->len, r->str);
        freeReplyObject(r);
        c->bypass++;
        return NULL;
    }
    c->last_ok_ms = s_mono_ms();
    return r;
}

cache_result_t cache_get(cache_t *c, const char *key, char **value, size_t *len)
{
    const char *argv[] = {"GET", key};
    redisReply *r = s_command(c, 2, argv, NULL);
    if (!r)
        return CACHE_UNAVAILABLE;
    cache_result_t rc = CACHE_MISS;
    if (r->type == REDIS_REPLY_STRING) {
        char *copy = malloc(r->len + 1);
        if (copy) {
            memcpy(copy, r->str, r->len);
            copy[r->len] = '\0';
            *value = copy;
            *len = r->len;
            rc = CACHE_OK;
        } else {
            rc = CACHE_UNAVAILABLE;
        }
    }
    freeReplyObject(r);
    return rc;
}

static cache_result_t s_set(cache_t *c, const char *key, const void *value, size_t len, int ttl_s,
                            bool nx)
{
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    const char *argv[] = {"SET", key, value, "EX", ttl, "NX"};
    size_t lens[] = {3, strlen(key), len, 2, strlen(ttl), 2};
    redisReply *r = s_command(c, nx ? 6 : 5, argv, lens);
    if (!r)
        return CACHE_UNAVAILABLE;
    cache_result_t rc = r->type == REDIS_REPLY_STATUS ? CACHE_OK
                        : r->type == REDIS_REPLY_NIL  ? CACHE_EXISTS
                                                      : CACHE_UNAVAILABLE;
    freeReplyObject(r);
    return rc;
}

cache_result_t cache_set(cache_t *c, const char *key, const void *value, size_t len, int ttl_s)
{
    return s_set(c, key, value, len, ttl_s, false);
}

cache_result_t cache_setnx(cache_t *c, const char *key, const void *value, size_t len, int ttl_s)
{
    return s_set(c, key, value, len, ttl_s, true);
}

cache_result_t cache_del(cache_t *c, const char *key)
{
    const char *argv[] = {"DEL", key};
    redisReply *r = s_command(c, 2, argv, NULL);
    if (!r)
        return CACHE_UNAVAILABLE;
    freeReplyObject(r);
    return CACHE_OK;
}

cache_result_t cache_incr_expire(cache_t *c, const char *key, int ttl_s, long long *out)
{
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    const char *argv[] = {"EVAL", s_incr_script, "1", key, ttl};
    redisReply *r = s_command(c, 5, argv, NULL);
    if (!r)
        return CACHE_UNAVAILABLE;
    cache_result_t rc = CACHE_UNAVAILABLE;
    if (r->type == REDIS_REPLY_INTEGER) {
        *out = r->integer;
        rc = CACHE_OK;
    }
    freeReplyObject(r);
    return rc;
}

void cache_tick(cache_t *c)
{
    if (!c->ctx) {
        if (s_mono_ms() >= c->next_attempt_ms)
            (void)cache_connect(c);
        return;
    }
    if (s_mono_ms() - c->last_ok_ms < c->opt.health_interval_ms)
        return;
    redisReply *r = redisCommand(c->ctx, "PING");
    if (!r) {
        char why[160]; /* copied: s_failed frees the context that holds errstr */
        snprintf(why, sizeof why, "%s", c->ctx->errstr[0] ? c->ctx->errstr : "PING failed");
        s_failed(c, why);
        return;
    }
    freeReplyObject(r);
    c->last_ok_ms = s_mono_ms();
}

bool cache_is_up(const cache_t *c)
{
    return c->ctx != NULL;
}

uint64_t cache_bypass_count(const cache_t *c)
{
    return c->bypass;
}
