/* cache_aside — see cache_aside.h. Owner: catalog engineer (C1).
 *
 * The one-fill lock is SET lock:{key} NX EX ceil(BEDROCK_FILL_LOCK_MS / 1000) through
 * cache_setnx (whole seconds: the worker's cache has no PX variant), and released with
 * DEL. A fill that outlives its lock may thus delete a later holder's lock: the only
 * effect is one more fill, never a wrong value.
 */
#include "cache_aside.h"

#include "catalog_settings.h"
#include "envelope.h"
#include "keepalive.h"
#include "log.h"
#include "mpjson.h"

#include <errno.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A waiter gives up this long before the request's deadline, so that its 504 still
 * reaches the client in time. */
#define S_DEADLINE_MARGIN_MS 100

const char *cache_aside_name(cache_aside_state_t state)
{
    switch (state) {
    case CACHE_ASIDE_HIT:
        return "hit";
    case CACHE_ASIDE_MISS:
        return "miss";
    case CACHE_ASIDE_STALE:
        return "stale";
    case CACHE_ASIDE_BYPASS:
        return "bypass";
    }
    return "miss";
}

int cache_aside_key(char out[CACHE_ASIDE_KEY_MAX], const char *prefix, const char *a, const char *b)
{
    int n = b ? snprintf(out, CACHE_ASIDE_KEY_MAX, "%s:%s:%s", prefix, a, b)
              : snprintf(out, CACHE_ASIDE_KEY_MAX, "%s:%s", prefix, a);
    return (n < 0 || n >= CACHE_ASIDE_KEY_MAX) ? -1 : 0;
}

int cache_aside_stream_ttl(long long expires_at, long long now_s)
{
    if (expires_at <= 0)
        return CACHE_ASIDE_TTL_STREAM_MAX_S;
    long long left = expires_at - now_s - CACHE_ASIDE_STREAM_MARGIN_S;
    if (left <= 0)
        return 0;
    return left < CACHE_ASIDE_TTL_STREAM_MAX_S ? (int)left : CACHE_ASIDE_TTL_STREAM_MAX_S;
}

static json_t *s_decode(const char *buf, size_t len)
{
    msgpack_unpacked msg;
    msgpack_unpacked_init(&msg);
    size_t off = 0;
    json_t *value = NULL;
    if (msgpack_unpack_next(&msg, buf, len, &off) == MSGPACK_UNPACK_SUCCESS && off == len)
        value = mpjson_from_object(&msg.data);
    msgpack_unpacked_destroy(&msg);
    return value;
}

cache_aside_state_t cache_aside_get(cache_t *cache, const char *key, json_t **value)
{
    *value = NULL;
    char *buf = NULL;
    size_t len = 0;
    cache_result_t r = cache_get(cache, key, &buf, &len);
    if (r == CACHE_MISS)
        return CACHE_ASIDE_MISS;
    if (r != CACHE_OK)
        return CACHE_ASIDE_BYPASS;
    *value = s_decode(buf, len);
    free(buf);
    if (*value)
        return CACHE_ASIDE_HIT;
    log_warn("cache: dropping an undecodable value under %s", key);
    (void)cache_del(cache, key);
    return CACHE_ASIDE_MISS;
}

int cache_aside_put(cache_t *cache, const char *key, const json_t *value, int ttl_s)
{
    if (ttl_s <= 0)
        return 0;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int rc = -1;
    if (mpjson_pack(&pk, value) == 0)
        rc = cache_set(cache, key, sb.data, sb.size, ttl_s) == CACHE_OK ? 0 : -1;
    else
        log_warn("cache: value for %s cannot be encoded", key);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

int cache_aside_header(handler_ctx_t *ctx, cache_aside_state_t state)
{
    return handler_header(ctx, "x-cache", cache_aside_name(state));
}

static void s_sleep_ms(int ms)
{
    struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) < 0 && errno == EINTR)
        ;
}

/* Runs the fill; on a value, caches it (fresh: its ttl; stale: BEDROCK_STALE_TTL_S)
 * unless bypassing. */
static int s_fill(handler_ctx_t *ctx, const cache_aside_opts_t *opts, cache_aside_fill_fn fill,
                  void *arg, bool bypass, json_t **value, cache_aside_state_t *state)
{
    cache_aside_fill_t out = {.value = NULL, .ttl_s = opts->ttl_s, .stale = false};
    if (fill(ctx, arg, &out) < 0) {
        json_decref(out.value);
        return -1;
    }
    *value = out.value;
    if (!out.value)
        return 0;
    if (out.stale) {
        *state = CACHE_ASIDE_STALE;
        if (!bypass)
            (void)cache_aside_put(ctx->cache, opts->key, out.value,
                                  catalog_settings()->stale_ttl_s);
        return 0;
    }
    *state = bypass ? CACHE_ASIDE_BYPASS : CACHE_ASIDE_MISS;
    if (!bypass && cache_aside_put(ctx->cache, opts->key, out.value, out.ttl_s) < 0 &&
        !cache_is_up(ctx->cache))
        *state = CACHE_ASIDE_BYPASS;
    return 0;
}

typedef enum { S_WAIT_HIT, S_WAIT_RETRY, S_WAIT_BYPASS, S_WAIT_TIMEOUT } s_wait_t;

/* Polls until the value appears, the lock goes, Redis goes, or the deadline nears. */
static s_wait_t s_wait(handler_ctx_t *ctx, const char *key, const char *lock, json_t **value)
{
    const catalog_settings_t *cs = catalog_settings();
    int64_t start = envelope_now_ms();
    int64_t deadline = ctx->req->deadline_ms > 0 ? ctx->req->deadline_ms - S_DEADLINE_MARGIN_MS
                                                 : start + cs->fill_lock_ms;
    for (;;) {
        if (envelope_now_ms() + cs->fill_poll_ms > deadline)
            return S_WAIT_TIMEOUT;
        s_sleep_ms(cs->fill_poll_ms);
        keepalive_tick();
        cache_aside_state_t st = cache_aside_get(ctx->cache, key, value);
        if (st == CACHE_ASIDE_HIT)
            return S_WAIT_HIT;
        if (st == CACHE_ASIDE_BYPASS)
            return S_WAIT_BYPASS;
        char *held = NULL;
        size_t len = 0;
        cache_result_t r = cache_get(ctx->cache, lock, &held, &len);
        free(held);
        if (r == CACHE_MISS)
            return S_WAIT_RETRY;
        if (r != CACHE_OK)
            return S_WAIT_BYPASS;
    }
}

/* A miss on a one-fill key: take the lock and fill, or wait for the holder. */
static int s_fill_once(handler_ctx_t *ctx, const cache_aside_opts_t *opts, cache_aside_fill_fn fill,
                       void *arg, json_t **value, cache_aside_state_t *state)
{
    char lock[CACHE_ASIDE_KEY_MAX];
    if (cache_aside_key(lock, "lock", opts->key, NULL) < 0)
        return s_fill(ctx, opts, fill, arg, false, value, state);
    int lock_s = (catalog_settings()->fill_lock_ms + 999) / 1000;
    for (;;) {
        cache_result_t r =
            cache_setnx(ctx->cache, lock, ctx->request_id, strlen(ctx->request_id), lock_s);
        if (r == CACHE_OK) {
            /* Another holder may have filled and released between our miss (or our
             * look at its lock) and this SET: look once more before filling. */
            if (cache_aside_get(ctx->cache, opts->key, value) == CACHE_ASIDE_HIT) {
                (void)cache_del(ctx->cache, lock);
                *state = CACHE_ASIDE_HIT;
                return 0;
            }
            int rc = s_fill(ctx, opts, fill, arg, false, value, state);
            (void)cache_del(ctx->cache, lock);
            return rc;
        }
        if (r != CACHE_EXISTS)
            return s_fill(ctx, opts, fill, arg, true, value, state);
        switch (s_wait(ctx, opts->key, lock, value)) {
        case S_WAIT_HIT:
            *state = CACHE_ASIDE_HIT;
            return 0;
        case S_WAIT_RETRY:
            continue;
        case S_WAIT_BYPASS:
            return s_fill(ctx, opts, fill, arg, true, value, state);
        case S_WAIT_TIMEOUT:
            log_warn("cache: gave up waiting for the fill of %s", opts->key);
            handler_error(ctx, 504, "timeout", "the request deadline passed");
            return 0;
        }
    }
}

int cache_aside_fetch(handler_ctx_t *ctx, const cache_aside_opts_t *opts, cache_aside_fill_fn fill,
                      void *arg, json_t **value, cache_aside_state_t *state)
{
    *value = NULL;
    *state = CACHE_ASIDE_MISS;
    cache_aside_state_t got = cache_aside_get(ctx->cache, opts->key, value);
    int rc = 0;
    if (got == CACHE_ASIDE_HIT)
        *state = CACHE_ASIDE_HIT;
    else if (got == CACHE_ASIDE_BYPASS)
        rc = s_fill(ctx, opts, fill, arg, true, value, state);
    else if (opts->one_fill)
        rc = s_fill_once(ctx, opts, fill, arg, value, state);
    else
        rc = s_fill(ctx, opts, fill, arg, false, value, state);
    if (rc < 0) {
        json_decref(*value);
        *value = NULL;
        return -1;
    }
    if (*value && cache_aside_header(ctx, *state) < 0) {
        json_decref(*value);
        *value = NULL;
        return -1;
    }
    return 0;
}

int cache_aside_serve(handler_ctx_t *ctx, const cache_aside_opts_t *opts, cache_aside_fill_fn fill,
                      void *arg)
{
    json_t *value = NULL;
    cache_aside_state_t state;
    if (cache_aside_fetch(ctx, opts, fill, arg, &value, &state) < 0)
        return -1;
    return value ? handler_ok(ctx, 200, value) : 0;
}
