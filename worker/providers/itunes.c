/* itunes — the iTunes Search API (itunes.apple.com, no credentials).
 *
 * Requests (base = BEDROCK_ITUNES_URL, country = BEDROCK_ITUNES_COUNTRY):
 *   track, stream  GET /lookup?id={trackId}&country={country}
 *   album          GET /lookup?entity=song&limit=200&id={collectionId}&country={country}
 *   artist         GET /lookup?id={artistId}&entity=song&limit=25&country={country}
 *   search         GET /search?term=Q&limit=N                      (songs)
 *                  GET /search?term=Q&entity=album&limit=N         (albums)
 *                  GET /search?term=Q&entity=musicArtist&limit=N   (artists)
 *                  iTunes has no offset: N = offset + limit (at most 200), the first
 *                  offset results dropped.
 *   health         GET /search?term=bedrock&limit=1  (any answer below 500 = up)
 */
#include "itunes_parse.h"
#include "provider_fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PLATFORM "itunes"
#define S_PATH_MAX 4096
#define S_NATIVE_MAX 20
/* iTunes answers at most 200 results to one request. */
#define S_MAX_RESULTS 200
/* Songs asked for with an artist: its "top tracks". */
#define S_ARTIST_SONGS 25

/* GET path and decode it; the breaker hears how it went. *doc is owned by the caller. */
static provider_result_t s_fetch(provider_http_t *http, const char *path, json_t **doc,
                                 provider_err_t *err)
{
    return provider_fetch_json(http, S_PLATFORM, path, NULL, itunes_decode, PROVIDER_FETCH_QUIET,
                               doc, err);
}

/* fmt has two %s: the id, then the country. */
static provider_result_t s_lookup(provider_http_t *http, const char *fmt, const char *native,
                                  provider_fetch_parse_fn parse, json_t **out,
                                  provider_err_t *err)
{
    provider_err_t local;
    if (!err)
        err = &local;
    *out = NULL;
    if (!provider_digits(native, S_NATIVE_MAX))
        return provider_fail(err, PROVIDER_NOT_FOUND, "itunes ids are integers");
    char path[S_PATH_MAX];
    snprintf(path, sizeof path, fmt, native, provider_http_credential(http, S_PLATFORM, "country"));
    return provider_fetch_parse(http, s_fetch, path, parse, out, err);
}

static provider_result_t s_get_track(provider_http_t *http, const char *native, json_t **out,
                                     provider_err_t *err)
{
    return s_lookup(http, "/lookup?id=%s&country=%s", native, itunes_parse_track, out, err);
}

static provider_result_t s_get_stream(provider_http_t *http, const char *native, json_t **out,
                                      provider_err_t *err)
{
    return s_lookup(http, "/lookup?id=%s&country=%s", native, itunes_parse_stream, out, err);
}

static provider_result_t s_get_album(provider_http_t *http, const char *native, json_t **out,
                                     provider_err_t *err)
{
    return s_lookup(http, "/lookup?entity=song&limit=200&id=%s&country=%s", native,
                    itunes_parse_album, out, err);
}

static provider_result_t s_get_artist(provider_http_t *http, const char *native, json_t **out,
                                      provider_err_t *err)
{
    char fmt[64];
    snprintf(fmt, sizeof fmt, "/lookup?id=%%s&entity=song&limit=%d&country=%%s", S_ARTIST_SONGS);
    return s_lookup(http, fmt, native, itunes_parse_artist, out, err);
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
    int offset = q->offset < 0 ? 0 : (q->offset > S_MAX_RESULTS ? S_MAX_RESULTS : q->offset);
    int limit = q->limit < 1 ? 20 : (q->limit > 100 ? 100 : q->limit);
    int wanted = offset + limit > S_MAX_RESULTS ? S_MAX_RESULTS : offset + limit;
    int types = q->types ? q->types : PROVIDER_SEARCH_TRACK;
    char *escaped = provider_http_escape(http, q->query);
    if (!escaped)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    static const struct {
        int bit;
        const char *entity; /* "" = the default (songs), as iTunes' clients ask */
    } kinds[3] = {{PROVIDER_SEARCH_TRACK, ""},
                  {PROVIDER_SEARCH_ALBUM, "&entity=album"},
                  {PROVIDER_SEARCH_ARTIST, "&entity=musicArtist"}};
    json_t *docs[3] = {NULL, NULL, NULL};
    provider_result_t r = PROVIDER_OK;
    for (int i = 0; i < 3 && r == PROVIDER_OK; i++) {
        if (!(types & kinds[i].bit))
            continue;
        char path[S_PATH_MAX];
        int n = snprintf(path, sizeof path, "/search?term=%s%s&limit=%d", escaped, kinds[i].entity,
                         wanted);
        if (n < 0 || (size_t)n >= sizeof path)
            r = provider_fail(err, PROVIDER_NOT_FOUND, "query too long");
        else
            r = s_fetch(http, path, &docs[i], err);
        if (r == PROVIDER_NOT_FOUND) /* an unknown query is an empty result */
            r = PROVIDER_OK;
    }
    if (r == PROVIDER_OK)
        r = itunes_parse_search(docs[0], docs[1], docs[2], offset, out, err);
    for (int i = 0; i < 3; i++)
        json_decref(docs[i]);
    free(escaped);
    return r;
}

static provider_result_t s_health(provider_http_t *http, provider_err_t *err)
{
    return provider_fetch_health(http, S_PLATFORM, "/search?term=bedrock&limit=1", 0, NULL, err);
}

const provider_t provider_itunes = {
    .name = S_PLATFORM,
    .get_track = s_get_track,
    .get_album = s_get_album,
    .get_artist = s_get_artist,
    .get_playlist = NULL, /* the Search API has no playlists */
    .search = s_search,
    .get_stream = s_get_stream,
    .get_lyrics = NULL,
    .health = s_health,
};
