#include "lyrics_fetch.h"

#include "catalog/cache_aside.h"
#include "catalog/providers_glue.h"
#include "discovery_settings.h"
#include "discovery_text.h"
#include "provider.h"
#include "token.h"

#include <stdio.h>
#include <string.h>

#define S_PLATFORM "lrclib"
#define S_PART_MAX (LYRICS_FIELD_CHARS_MAX * 4 * 3 + 1)

static int s_key(const lyrics_fetch_query_t *q, char out[CACHE_ASIDE_KEY_MAX])
{
    char artist[S_PART_MAX], title[S_PART_MAX];
    if (discovery_text_key_part(q->artist, artist, sizeof artist) < 0 ||
        discovery_text_key_part(q->title, title, sizeof title) < 0)
        return -1;
    /* Room is left for the lock:{key} the one-fill takes. */
    int n = snprintf(out, CACHE_ASIDE_KEY_MAX - 16, "lyrics:%s:%s", artist, title);
    if (n >= 0 && n < CACHE_ASIDE_KEY_MAX - 16)
        return 0;
    char both[2 * S_PART_MAX + 2], hex[65];
    snprintf(both, sizeof both, "%s:%s", artist, title);
    token_sha256_hex(both, hex);
    snprintf(out, CACHE_ASIDE_KEY_MAX, "lyrics:#%s", hex);
    return 0;
}

/* {plain, synced, source} of a lyrics document (provider.h). NULL out of memory. */
static json_t *s_view(const json_t *doc)
{
    const json_t *plain = json_object_get(doc, "plain"), *synced = json_object_get(doc, "synced");
    const json_t *source = json_object_get(doc, "source");
    return json_pack("{s:O, s:O, s:s}", "plain", json_is_string(plain) ? plain : json_null(),
                     "synced", json_is_string(synced) ? synced : json_null(), "source",
                     json_is_string(source) ? json_string_value(source) : S_PLATFORM);
}

static int s_fill(handler_ctx_t *ctx, void *arg, cache_aside_fill_t *out)
{
    const lyrics_fetch_query_t *q = arg;
    const provider_t *lrclib = providers_glue_get(ctx, S_PLATFORM);
    provider_err_t err = {{0}};
    provider_result_t r;
    json_t *doc = NULL;
    provider_lyrics_query_t pq = {
        .artist = q->artist, .title = q->title, .album = q->album, .duration_s = q->duration_s};
    if (!lrclib || !lrclib->get_lyrics)
        r = provider_fail(&err, PROVIDER_UNAVAILABLE, "lrclib is not available");
    else if (!discovery_settings_time_left(ctx->req->deadline_ms))
        r = provider_fail(&err, PROVIDER_TIMEOUT, "not called: the request deadline is too close");
    else
        r = lrclib->get_lyrics(ctx->providers, &pq, &doc, &err);
    if (r != PROVIDER_OK)
        return providers_glue_error(ctx, S_PLATFORM, r, &err) < 0 ? -1 : 0;
    out->value = s_view(doc);
    json_decref(doc);
    return out->value ? 0 : -1;
}

int lyrics_fetch_serve(handler_ctx_t *ctx, const lyrics_fetch_query_t *q)
{
    char key[CACHE_ASIDE_KEY_MAX];
    if (s_key(q, key) < 0)
        return -1;
    json_t *value = NULL;
    if (!ctx->provider_pool) {
        if (cache_aside_get(ctx->cache, key, &value) != CACHE_ASIDE_HIT)
            return handler_forward(ctx);
        if (cache_aside_header(ctx, CACHE_ASIDE_HIT) < 0) {
            json_decref(value);
            return -1;
        }
        return handler_ok(ctx, 200, value);
    }
    cache_aside_opts_t opts = {.key = key, .ttl_s = CACHE_ASIDE_TTL_LYRICS_S, .one_fill = true};
    return cache_aside_serve(ctx, &opts, s_fill, (void *)q);
}
