/* musicbrainz — the MusicBrainz web service (ws/2, JSON; no credentials).
 *
 * Requests (base = BEDROCK_MUSICBRAINZ_URL; provider_http adds the User-Agent that
 * MusicBrainz requires and holds every worker to its 1 request/s):
 *   track    GET /ws/2/recording/{mbid}?inc=aliases+artist-credits+isrcs+tags+work-rels&fmt=json
 *   album    GET
 * /ws/2/release/{mbid}?inc=recordings+artist-credits+labels+release-groups+genres&fmt=json artist
 * GET /ws/2/artist/{mbid}?inc=release-groups&fmt=json search   GET
 * /ws/2/recording/?query=Q&fmt=json, /ws/2/release?fmt=json&limit=N&query=Q,
 *            /ws/2/artist/?query=Q&fmt=json  (musicbrainz_search_path; Q = the Lucene query
 *            of musicbrainz_lucene_query)
 *   health   GET /ws/2/url?resource=https://example.com&inc=release-rels&fmt=json — an
 *            indexed lookup that MusicBrainz answers 404 at once; any answer below 500 but
 *            403 (MusicBrainz refusing us: no User-Agent) = up.
 * No playlists, streams or lyrics (NULL entries: PROVIDER_UNSUPPORTED). The inc sets are
 * fixed: the album's carries no isrcs (tracks of an album come without ISRC; the track
 * lookup has it). Parsing lives in musicbrainz_parse.c.
 */
#include "musicbrainz_parse.h"
#include "provider_fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PLATFORM "musicbrainz"
#define S_TRACK_INC "aliases+artist-credits+isrcs+tags+work-rels"
#define S_ALBUM_INC "recordings+artist-credits+labels+release-groups+genres"
#define S_ARTIST_INC "release-groups"
#define S_HEALTH_PATH "/ws/2/url?resource=https%3A%2F%2Fexample.com&inc=release-rels&fmt=json"
/* Room for a path: the escaped query is at most 3 bytes per input byte. */
#define S_PATH_MAX 4096
/* Longest search text accepted (it becomes at most 3x as long once escaped). */
#define S_QUERY_MAX 1000

/* GET path and decode it; the breaker hears how it went. *doc is owned by the caller. */
static provider_result_t s_fetch(provider_http_t *http, const char *path, json_t **doc,
                                 provider_err_t *err)
{
    return provider_fetch_json(http, S_PLATFORM, path, NULL, musicbrainz_decode,
                               PROVIDER_FETCH_LOG_UNHEALTHY, doc, err);
}

/* GET /ws/2/{kind}/{mbid}?inc=...&fmt=json and parse it with parse. */
static provider_result_t s_lookup(provider_http_t *http, const char *kind, const char *inc,
                                  const char *native, provider_fetch_parse_fn parse,
                                  json_t **out, provider_err_t *err)
{
    *out = NULL;
    char mbid[37];
    if (musicbrainz_mbid(native, mbid) < 0)
        return provider_fail(err, PROVIDER_NOT_FOUND, "musicbrainz ids are MBIDs (UUIDs)");
    char path[S_PATH_MAX];
    snprintf(path, sizeof path, "/ws/2/%s/%s?inc=%s&fmt=json", kind, mbid, inc);
    return provider_fetch_parse(http, s_fetch, path, parse, out, err);
}

static provider_result_t s_get_track(provider_http_t *http, const char *native, json_t **out,
                                     provider_err_t *err)
{
    provider_err_t local;
    return s_lookup(http, "recording", S_TRACK_INC, native, musicbrainz_parse_recording, out,
                    err ? err : &local);
}

static provider_result_t s_get_album(provider_http_t *http, const char *native, json_t **out,
                                     provider_err_t *err)
{
    provider_err_t local;
    return s_lookup(http, "release", S_ALBUM_INC, native, musicbrainz_parse_release, out,
                    err ? err : &local);
}

static provider_result_t s_get_artist(provider_http_t *http, const char *native, json_t **out,
                                      provider_err_t *err)
{
    provider_err_t local;
    return s_lookup(http, "artist", S_ARTIST_INC, native, musicbrainz_parse_artist, out,
                    err ? err : &local);
}

/* The three search answers (NULL = kind not asked, or nothing found). */
static provider_result_t s_search_fetch(provider_http_t *http, const provider_search_t *q,
                                        const char *escaped, int limit, json_t *docs[3],
                                        provider_err_t *err)
{
    static const int kinds[3] = {PROVIDER_SEARCH_TRACK, PROVIDER_SEARCH_ALBUM,
                                 PROVIDER_SEARCH_ARTIST};
    int types = q->types ? q->types : PROVIDER_SEARCH_TRACK;
    int offset = q->offset < 0 ? 0 : q->offset;
    provider_result_t r = PROVIDER_OK;
    for (int i = 0; i < 3 && r == PROVIDER_OK; i++) {
        if (!(types & kinds[i]))
            continue;
        char path[S_PATH_MAX];
        if (musicbrainz_search_path(kinds[i], escaped, limit, offset, path, sizeof path) < 0)
            return provider_fail(err, PROVIDER_NOT_FOUND, "query too long");
        r = s_fetch(http, path, &docs[i], err);
        /* A query MusicBrainz cannot take (400) or finds nothing for is an empty result. */
        if (r == PROVIDER_NOT_FOUND)
            r = PROVIDER_OK;
    }
    return r;
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
    if (strlen(q->query) > S_QUERY_MAX)
        return provider_fail(err, PROVIDER_NOT_FOUND, "query too long");
    int limit = q->limit < 1
                    ? MUSICBRAINZ_SEARCH_PAGE
                    : (q->limit > MUSICBRAINZ_SEARCH_MAX ? MUSICBRAINZ_SEARCH_MAX : q->limit);
    char *lucene = musicbrainz_lucene_query(q->query);
    char *escaped = lucene ? provider_http_escape(http, lucene) : NULL;
    free(lucene);
    if (!escaped)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    json_t *docs[3] = {NULL, NULL, NULL};
    provider_result_t r = s_search_fetch(http, q, escaped, limit, docs, err);
    if (r == PROVIDER_OK)
        r = musicbrainz_parse_search(docs[0], docs[1], docs[2], limit, out, err);
    for (int i = 0; i < 3; i++)
        json_decref(docs[i]);
    free(escaped);
    return r;
}

static provider_result_t s_health(provider_http_t *http, provider_err_t *err)
{
    /* Any answer below 500 shows MusicBrainz is there (this lookup answers 404), except a
     * 403: MusicBrainz refuses every request of ours (no User-Agent), so it is down for us. */
    return provider_fetch_health(http, S_PLATFORM, S_HEALTH_PATH, 403, "a User-Agent is required",
                                 err);
}

const provider_t provider_musicbrainz = {
    .name = S_PLATFORM,
    .get_track = s_get_track,
    .get_album = s_get_album,
    .get_artist = s_get_artist,
    .get_playlist = NULL,
    .search = s_search,
    .get_stream = NULL,
    .get_lyrics = NULL,
    .health = s_health,
};
