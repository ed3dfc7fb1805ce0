/* deezer — the Deezer public API (api.deezer.com, no credentials).
 *
 * Requests (base = BEDROCK_DEEZER_URL):
 *   track, stream   GET /track/{id}
 *   album           GET /album/{id}                (tracks from its "tracks.data")
 *   playlist        GET /playlist/{id}             (public playlists; first page of tracks)
 *   artist          GET /artist/{id}, GET /artist/{id}/top  (top failing -> no top tracks)
 *   search          GET /search?..., /search/album?..., /search/artist?... (deezer_search_path)
 *   health          GET /search?limit=1&q=bedrock  (any answer below 500 = up)
 * Parsing lives in deezer_parse.c.
 */
#include "deezer_parse.h"
#include "provider_fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PLATFORM "deezer"
/* Room for a path: the escaped query is at most 3 bytes per input byte. */
#define S_PATH_MAX 4096
#define S_NATIVE_MAX 32

/* Deezer ids are integers; "-1" is a real (recorded) request that answers "no data". */
static bool s_valid_id(const char *native)
{
    if (!native)
        return false;
    size_t minus = native[0] == '-';
    return provider_digits(native + minus, S_NATIVE_MAX - minus);
}

/* GET path and decode it; the breaker hears how it went. *doc is owned by the caller. */
static provider_result_t s_fetch(provider_http_t *http, const char *path, json_t **doc,
                                 provider_err_t *err)
{
    return provider_fetch_json(http, S_PLATFORM, path, NULL, deezer_decode, PROVIDER_FETCH_QUIET,
                               doc, err);
}

/* GET /{kind}/{native} and parse it with parse. */
static provider_result_t s_entity(provider_http_t *http, const char *kind, const char *native,
                                  provider_fetch_parse_fn parse, json_t **out,
                                  provider_err_t *err)
{
    *out = NULL;
    if (!s_valid_id(native))
        return provider_fail(err, PROVIDER_NOT_FOUND, "deezer ids are integers");
    char path[S_PATH_MAX];
    snprintf(path, sizeof path, "/%s/%s", kind, native);
    return provider_fetch_parse(http, s_fetch, path, parse, out, err);
}

static provider_result_t s_get_track(provider_http_t *http, const char *native, json_t **out,
                                     provider_err_t *err)
{
    provider_err_t local;
    return s_entity(http, "track", native, deezer_parse_track, out, err ? err : &local);
}

static provider_result_t s_get_album(provider_http_t *http, const char *native, json_t **out,
                                     provider_err_t *err)
{
    provider_err_t local;
    return s_entity(http, "album", native, deezer_parse_album, out, err ? err : &local);
}

static provider_result_t s_get_playlist(provider_http_t *http, const char *native, json_t **out,
                                        provider_err_t *err)
{
    provider_err_t local;
    return s_entity(http, "playlist", native, deezer_parse_playlist, out, err ? err : &local);
}

static provider_result_t s_get_stream(provider_http_t *http, const char *native, json_t **out,
                                      provider_err_t *err)
{
    provider_err_t local;
    return s_entity(http, "track", native, deezer_parse_stream, out, err ? err : &local);
}

static provider_result_t s_get_artist(provider_http_t *http, const char *native, json_t **out,
                                      provider_err_t *err)
{
    provider_err_t local;
    if (!err)
        err = &local;
    *out = NULL;
    if (!s_valid_id(native))
        return provider_fail(err, PROVIDER_NOT_FOUND, "deezer ids are integers");
    char path[S_PATH_MAX], top_path[S_PATH_MAX];
    snprintf(path, sizeof path, "/artist/%s", native);
    /* The top list is a bonus: the artist stands without it. Path as Deezer's clients send it. */
    snprintf(top_path, sizeof top_path, "/artist/%s/top", native);
    return provider_fetch_artist(http, S_PLATFORM, s_fetch, native, path, top_path,
                                 deezer_parse_artist, out, err);
}

static provider_result_t s_search(provider_http_t *http, const provider_search_t *q, json_t **out,
                                  provider_err_t *err)
{
    provider_err_t local;
    if (!err)
        err = &local;
    *out = NULL;
    if (!q || !q->query || !*q->query)
        return provider_fail(err, PROVIDER_NOT_FOUND, "empty query");
    int limit = q->limit < 1 ? DEEZER_DEFAULT_LIMIT : (q->limit > 100 ? 100 : q->limit);
    int offset = q->offset < 0 ? 0 : q->offset;
    int types = q->types ? q->types : PROVIDER_SEARCH_TRACK;
    char *escaped = provider_http_escape(http, q->query);
    if (!escaped)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    static const int kinds[3] = {PROVIDER_SEARCH_TRACK, PROVIDER_SEARCH_ALBUM,
                                 PROVIDER_SEARCH_ARTIST};
    json_t *docs[3] = {NULL, NULL, NULL};
    provider_result_t r = PROVIDER_OK;
    for (int i = 0; i < 3 && r == PROVIDER_OK; i++) {
        if (!(types & kinds[i]))
            continue;
        char path[S_PATH_MAX];
        if (deezer_search_path(kinds[i], q->query, escaped, limit, offset, path, sizeof path) < 0)
            r = provider_fail(err, PROVIDER_NOT_FOUND, "query too long");
        else
            r = s_fetch(http, path, &docs[i], err);
        /* An unknown query is an empty result, not a missing entity. */
        if (r == PROVIDER_NOT_FOUND)
            r = PROVIDER_OK;
    }
    if (r == PROVIDER_OK)
        r = deezer_parse_search(docs[0], docs[1], docs[2], out, err);
    for (int i = 0; i < 3; i++)
        json_decref(docs[i]);
    free(escaped);
    return r;
}

static provider_result_t s_health(provider_http_t *http, provider_err_t *err)
{
    /* Any answer below 500 shows Deezer is there, whatever it says about this query. */
    return provider_fetch_health(http, S_PLATFORM, "/search?limit=1&q=bedrock", 0, NULL, err);
}

const provider_t provider_deezer = {
    .name = S_PLATFORM,
    .get_track = s_get_track,
    .get_album = s_get_album,
    .get_artist = s_get_artist,
    .get_playlist = s_get_playlist,
    .search = s_search,
    .get_stream = s_get_stream,
    .get_lyrics = NULL,
    .health = s_health,
};
