/* providers_glue — see providers_glue.h. Owner: catalog engineer (C1). */
#include "providers_glue.h"

#include "envelope.h"
#include "keepalive.h"
#include "log.h"
#include "provider_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the shared store: Redis through the worker's cache ---- */

static char *s_kv_get(void *ud, const char *key)
{
    char *value = NULL;
    size_t len = 0;
    if (cache_get(ud, key, &value, &len) != CACHE_OK)
        return NULL;
    return value;
}

static int s_kv_set(void *ud, const char *key, const char *value, int ttl_s)
{
    return cache_set(ud, key, value, strlen(value), ttl_s > 0 ? ttl_s : 1) == CACHE_OK ? 0 : -1;
}

/* The cache counts in whole seconds: a window below a second lasts one. */
static long long s_kv_incr_expire(void *ud, const char *key, int ttl_ms)
{
    long long count = 0;
    int ttl_s = ttl_ms <= 1000 ? 1 : (ttl_ms + 999) / 1000;
    return cache_incr_expire(ud, key, ttl_s, &count) == CACHE_OK ? count : -1;
}

/* ---- the clock: the rate limiter's waits keep the broker link alive ---- */

/* Longest sleep between two keepalive ticks. */
#define S_SLEEP_SLICE_MS 100

static long long s_now_ms(void *ud)
{
    (void)ud;
    return (long long)envelope_now_ms();
}

static void s_sleep_ms(void *ud, long ms)
{
    (void)ud;
    while (ms > 0) {
        long slice = ms < S_SLEEP_SLICE_MS ? ms : S_SLEEP_SLICE_MS;
        struct timespec ts = {.tv_sec = slice / 1000, .tv_nsec = (slice % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0)
            ;
        ms -= slice;
        keepalive_tick();
    }
}

static void s_keepalive(void *arg)
{
    (void)arg;
    keepalive_tick();
}

provider_http_t *providers_glue_new(cache_t *cache)
{
    provider_kv_t kv = {
        .ud = cache, .get = s_kv_get, .set = s_kv_set, .incr_expire = s_kv_incr_expire};
    provider_http_t *http = provider_http_new(&kv);
    provider_clock_t clock = {.ud = NULL, .now_ms = s_now_ms, .sleep_ms = s_sleep_ms};
    if (http) {
        provider_http_set_clock(http, &clock);
        /* A slow provider answer must not make the broker think this worker died. */
        provider_http_set_progress(http, s_keepalive, NULL);
    }
    return http;
}

void providers_glue_destroy(provider_http_t **self_p)
{
    provider_http_destroy(self_p);
}

/* ---- platforms and ids ---- */

const provider_t *providers_glue_get(handler_ctx_t *ctx, const char *platform)
{
    if (!ctx->providers || !platform || !provider_http_configured(ctx->providers, platform))
        return NULL;
    return provider_find(platform);
}

bool providers_glue_available(handler_ctx_t *ctx, const char *platform)
{
    return (platform && strcmp(platform, "local") == 0) || providers_glue_get(ctx, platform);
}

int providers_glue_parse_id(handler_ctx_t *ctx, const char *field, ids_ref_t *ref)
{
    json_t *args = ctx->req->args;
    json_t *v = json_is_object(args) ? json_object_get(args, field) : NULL;
    ids_result_t r = json_is_string(v) ? ids_parse(json_string_value(v), ref) : IDS_INVALID;
    if (r == IDS_INVALID) {
        handler_error(ctx, 400, "invalid_id", "the id is not of the form platform:id");
        return 1;
    }
    if (r == IDS_UNKNOWN_PLATFORM || !providers_glue_available(ctx, ref->platform)) {
        handler_error(ctx, 404, "unknown_platform", "this platform is not available");
        return 1;
    }
    return 0;
}

/* ---- fetching ---- */

typedef provider_result_t (*s_get_fn)(provider_http_t *, const char *, json_t **, provider_err_t *);

static s_get_fn s_getter(const provider_t *p, catalog_kind_t kind)
{
    switch (kind) {
    case CATALOG_KIND_TRACK:
        return p->get_track;
    case CATALOG_KIND_ALBUM:
        return p->get_album;
    case CATALOG_KIND_ARTIST:
        return p->get_artist;
    case CATALOG_KIND_PLAYLIST:
        return p->get_playlist;
    case CATALOG_KIND_COUNT:
        break;
    }
    return NULL;
}

provider_result_t providers_glue_fetch(handler_ctx_t *ctx, catalog_kind_t kind,
                                       const char *platform, const char *native, json_t **doc,
                                       provider_err_t *err)
{
    *doc = NULL;
    const provider_t *p = providers_glue_get(ctx, platform);
    if (!p)
        return provider_fail(err, PROVIDER_UNAVAILABLE, "%s is not configured", platform);
    s_get_fn get = s_getter(p, kind);
    if (!get)
        return provider_fail(err, PROVIDER_UNSUPPORTED, "%s has no %ss", platform,
                             catalog_kind_name(kind));
    provider_result_t r = get(ctx->providers, native, doc, err);
    if (r != PROVIDER_OK)
        return r;
    /* What was fetched is kept (DESIGN §4); a failed write costs the copy, not the read. */
    catalog_upsert_t up = {.mode = CATALOG_UPSERT_FULL};
    db_err_t dberr = catalog_store_upsert(ctx->primary, kind, *doc, &up);
    if (dberr != DB_OK)
        log_warn("catalog: %s %s:%s not stored: %s %s", catalog_kind_name(kind), platform, native,
                 db_err_name(dberr), up.reason);
    return PROVIDER_OK;
}

static const char *s_result_name(provider_result_t r)
{
    switch (r) {
    case PROVIDER_OK:
        return "ok";
    case PROVIDER_NOT_FOUND:
        return "not_found";
    case PROVIDER_UNSUPPORTED:
        return "unsupported";
    case PROVIDER_UPSTREAM:
        return "upstream";
    case PROVIDER_TIMEOUT:
        return "timeout";
    case PROVIDER_UNAVAILABLE:
        return "unavailable";
    }
    return "error";
}

int providers_glue_error(handler_ctx_t *ctx, const char *platform, provider_result_t result,
                         const provider_err_t *err)
{
    if (result == PROVIDER_NOT_FOUND || result == PROVIDER_UNSUPPORTED)
        return handler_error(ctx, 404, "not_found", "not found");
    const char *why = err && err->message[0] ? err->message : s_result_name(result);
    log_warn("provider %s failed (%s): %s", platform, s_result_name(result), why);
    envelope_reply_set_error(ctx->rep, 502, "provider_error", "the provider failed",
                             json_pack("{s:s, s:s}", "platform", platform, "reason", why));
    return 0;
}
