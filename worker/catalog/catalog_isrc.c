/* catalog_isrc — see catalog_isrc.h. Owner: catalog engineer (C1). */
#include "catalog_isrc.h"

#include "deezer_parse.h"
#include "musicbrainz_parse.h"
#include "provider_http.h"
#include "providers_glue.h"

#include <stdio.h>
#include <string.h>

/* Spotify answers at most this many tracks per search; plenty for one ISRC. */
#define S_SPOTIFY_LIMIT 10

bool catalog_isrc_supported(const char *platform)
{
    return platform && (strcmp(platform, "deezer") == 0 || strcmp(platform, "spotify") == 0 ||
                        strcmp(platform, "musicbrainz") == 0);
}

/* Deezer's own ISRC lookup; its "no data" is an empty answer. */
static provider_result_t s_deezer(handler_ctx_t *ctx, const char *isrc, json_t **track,
                                  provider_err_t *err)
{
    char path[64];
    snprintf(path, sizeof path, "/track/isrc:%s", isrc);
    provider_response_t resp = {0};
    provider_result_t r = provider_http_get(ctx->providers, "deezer", path, NULL, &resp, err);
    if (r != PROVIDER_OK)
        return r;
    json_t *doc = NULL;
    bool healthy = false;
    r = deezer_decode(resp.status, resp.body, resp.body_len, &doc, &healthy, err);
    provider_http_outcome_error(ctx->providers, "deezer", healthy, healthy ? NULL : err->message);
    provider_response_clear(&resp);
    if (r == PROVIDER_OK)
        r = deezer_parse_track(doc, track, err);
    json_decref(doc);
    return r;
}

static provider_result_t s_search(handler_ctx_t *ctx, const provider_t *p, const char *isrc,
                                  json_t **tracks, provider_err_t *err)
{
    char query[32];
    snprintf(query, sizeof query, "isrc:%s", isrc);
    int limit = strcmp(p->name, "spotify") == 0 ? S_SPOTIFY_LIMIT : MUSICBRAINZ_SEARCH_PAGE;
    provider_search_t q = {.query = query, .types = PROVIDER_SEARCH_TRACK, .limit = limit};
    json_t *result = NULL;
    provider_result_t r = p->search(ctx->providers, &q, &result, err);
    if (r != PROVIDER_OK)
        return r;
    *tracks = json_incref(json_object_get(result, "tracks"));
    json_decref(result);
    return *tracks ? PROVIDER_OK : provider_fail(err, PROVIDER_UPSTREAM, "no tracks list");
}

provider_result_t catalog_isrc_lookup(handler_ctx_t *ctx, const char *platform, const char *isrc,
                                      json_t **docs, provider_err_t *err)
{
    *docs = NULL;
    const provider_t *p = providers_glue_get(ctx, platform);
    if (!p || !catalog_isrc_supported(platform) || !isrc || strlen(isrc) != 12)
        return provider_fail(err, PROVIDER_UNSUPPORTED, "no ISRC lookup on %s", platform);
    provider_result_t r;
    if (strcmp(platform, "deezer") == 0) {
        json_t *track = NULL;
        r = s_deezer(ctx, isrc, &track, err);
        if (r == PROVIDER_NOT_FOUND) {
            *docs = json_array();
            return *docs ? PROVIDER_OK : provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
        }
        if (r == PROVIDER_OK && !(*docs = json_array()))
            r = provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
        if (r == PROVIDER_OK && json_array_append_new(*docs, track) < 0)
            r = provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
        else if (r != PROVIDER_OK)
            json_decref(track);
    } else {
        r = s_search(ctx, p, isrc, docs, err);
    }
    if (r != PROVIDER_OK) {
        json_decref(*docs);
        *docs = NULL;
        return r;
    }
    json_t *doc;
    size_t i;
    json_array_foreach(*docs, i, doc)
    {
        if (json_object_set_new(doc, "isrc", json_string(isrc)) < 0) {
            json_decref(*docs);
            *docs = NULL;
            return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
        }
    }
    return PROVIDER_OK;
}
