/* lrclib — lyrics from LRCLIB (lrclib.net, no credentials).
 *
 * Requests (base = BEDROCK_LRCLIB_URL):
 *   lyrics   GET /api/get?track_name=T&artist_name=A[&album_name=L][&duration=D]
 *            album and duration are sent only when known (LRCLIB matches on what it is
 *            given). When that answers 404 and neither was given, a search fallback:
 *            GET /api/search?q=T, best record by artist and title (lrclib_best_match).
 *   health   GET /api/search?q=bedrock  (any answer below 500 = up)
 * LRCLIB ids name lyric records, not tracks: no track/album/artist/search/stream entries
 * (NULL: PROVIDER_UNSUPPORTED). Parsing lives in lrclib_parse.c.
 */
#include "lrclib_parse.h"
#include "provider_fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PLATFORM "lrclib"
#define S_HEALTH_PATH "/api/search?q=bedrock"
/* Longest artist, title or album accepted (each is at most 3x as long once escaped). */
#define S_FIELD_MAX 1000
#define S_PATH_MAX (3 * 3 * S_FIELD_MAX + 256)

/* GET path and decode it; the breaker hears how it went. *doc is owned by the caller. */
static provider_result_t s_fetch(provider_http_t *http, const char *path, json_t **doc,
                                 provider_err_t *err)
{
    return provider_fetch_json(http, S_PLATFORM, path, NULL, lrclib_decode,
                               PROVIDER_FETCH_LOG_UNHEALTHY, doc, err);
}

static bool s_given(const char *s)
{
    return s && *s;
}

/* The search fallback: /api/search?q=TITLE, then the record that fits artist and title. */
static provider_result_t s_search_fallback(provider_http_t *http, const provider_lyrics_query_t *q,
                                           const char *title_escaped, json_t **out,
                                           provider_err_t *err)
{
    char path[S_PATH_MAX];
    snprintf(path, sizeof path, "/api/search?q=%s", title_escaped);
    json_t *results;
    provider_result_t r = s_fetch(http, path, &results, err);
    if (r != PROVIDER_OK)
        return r;
    long best = json_is_array(results) ? lrclib_best_match(results, q->artist, q->title) : -1;
    if (best < 0)
        r = provider_fail(err, PROVIDER_NOT_FOUND,
                          "lrclib has no lyrics for this artist and title");
    else
        r = lrclib_parse_lyrics(json_array_get(results, (size_t)best), out, err);
    json_decref(results);
    return r;
}

static provider_result_t s_get_lyrics(provider_http_t *http, const provider_lyrics_query_t *q,
                                      json_t **out, provider_err_t *err)
{
    provider_err_t local;
    if (!err)
        err = &local;
    *out = NULL;
    if (!q || !s_given(q->artist) || !s_given(q->title))
        return provider_fail(err, PROVIDER_NOT_FOUND, "lrclib needs an artist and a title");
    bool album = s_given(q->album);
    if (strlen(q->artist) > S_FIELD_MAX || strlen(q->title) > S_FIELD_MAX ||
        (album && strlen(q->album) > S_FIELD_MAX))
        return provider_fail(err, PROVIDER_NOT_FOUND, "artist, title or album too long");
    char *title = provider_http_escape(http, q->title);
    char *artist = provider_http_escape(http, q->artist);
    char *album_e = album ? provider_http_escape(http, q->album) : NULL;
    provider_result_t r;
    char path[S_PATH_MAX];
    json_t *record = NULL;
    if (!title || !artist || (album && !album_e)) {
        r = provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
        goto done;
    }
    if (lrclib_get_path(title, artist, album_e, q->duration_s, path, sizeof path) < 0) {
        r = provider_fail(err, PROVIDER_NOT_FOUND, "artist, title or album too long");
        goto done;
    }
    r = s_fetch(http, path, &record, err);
    if (r == PROVIDER_OK) {
        r = lrclib_parse_lyrics(record, out, err);
        json_decref(record);
    } else if (r == PROVIDER_NOT_FOUND && !album && q->duration_s <= 0) {
        /* Without album and duration /api/get matches strictly; the search is looser. */
        r = s_search_fallback(http, q, title, out, err);
    }
done:
    free(title);
    free(artist);
    free(album_e);
    return r;
}

static provider_result_t s_health(provider_http_t *http, provider_err_t *err)
{
    /* Any answer below 500 shows LRCLIB is there, whatever it says about this query. */
    return provider_fetch_health(http, S_PLATFORM, S_HEALTH_PATH, 0, NULL, err);
}

const provider_t provider_lrclib = {
    .name = S_PLATFORM,
    .get_track = NULL,
    .get_album = NULL,
    .get_artist = NULL,
    .get_playlist = NULL,
    .search = NULL,
    .get_stream = NULL,
    .get_lyrics = s_get_lyrics,
    .health = s_health,
};
