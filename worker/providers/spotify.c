/* spotify — the Spotify Web API with an app token (client credentials).
 *
 * Configured only when BEDROCK_SPOTIFY_CLIENT_ID and _SECRET are both set; until
 * then every entry answers PROVIDER_UNAVAILABLE "spotify is not configured".
 * Token: POST {BEDROCK_SPOTIFY_AUTH_URL}/api/token, form grant_type=client_credentials,
 * Authorization: Basic base64(id:secret); kept under "provider:spotify:token" in
 * the shared store for expires_in - 60 s (and in process memory), fetched again
 * when missing and after a 401.
 * Requests (base = BEDROCK_SPOTIFY_URL, each with Authorization: Bearer <token>):
 *   track, stream   GET /v1/tracks/{id}
 *   album           GET /v1/albums/{id}              (first page of tracks.items)
 *   artist          GET /v1/artists/{id}, GET /v1/artists/{id}/top-tracks?market={market}
 *                   (the top list failing, e.g. 404, leaves top_tracks empty)
 *   playlist        GET /v1/playlists/{id}           (first page of tracks.items)
 *   search          GET /v1/search?... (spotify_search_path)
 *   health          the token, then GET /v1/search?q=bedrock&type=track&offset=0&limit=1
 */
#include "log.h"
#include "provider_fetch.h"
#include "spotify_parse.h"

#include <openssl/crypto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PLATFORM "spotify"
#define S_TOKEN_KEY "provider:spotify:token"
/* A token is dropped this long before Spotify says it expires (clock skew, slow calls). */
#define S_TOKEN_MARGIN_S 60
#define S_PATH_MAX 4096
#define S_NATIVE_MAX 64

static bool s_valid_id(const char *native)
{
    if (!native || !*native || strlen(native) > S_NATIVE_MAX)
        return false;
    for (const char *p = native; *p; p++) {
        bool ok = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        if (!ok)
            return false;
    }
    return true;
}

/* POSTs for a new token and stores it. *token: new string the caller frees. */
static provider_result_t s_fetch_token(provider_http_t *http, char **token, provider_err_t *err)
{
    *token = NULL;
    char *auth = spotify_basic_auth(provider_http_credential(http, S_PLATFORM, "client_id"),
                                    provider_http_credential(http, S_PLATFORM, "client_secret"));
    if (!auth)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    const char *headers[] = {auth, NULL};
    provider_response_t resp = {0};
    provider_result_t r =
        provider_http_post_form(http, S_PLATFORM, provider_http_base(http, "spotify-auth"),
                                "/api/token", "grant_type=client_credentials", headers, &resp, err);
    OPENSSL_cleanse(auth, strlen(auth)); /* it carries the client secret */
    free(auth);
    if (r != PROVIDER_OK)
        return r;
    json_t *doc = NULL;
    bool healthy = false;
    long expires_in = 0;
    if (resp.status == 400 || resp.status == 401) {
        r = provider_fail(err, PROVIDER_UPSTREAM, "spotify refused the client credentials");
    } else {
        r = spotify_decode(resp.status, resp.body, resp.body_len, &doc, &healthy, err);
        if (r == PROVIDER_OK)
            r = spotify_parse_token(doc, token, &expires_in, err);
        healthy = healthy && r == PROVIDER_OK;
    }
    provider_http_outcome_error(http, S_PLATFORM, healthy, healthy ? NULL : err->message);
    json_decref(doc);
    provider_response_clear(&resp);
    if (r != PROVIDER_OK)
        return r;
    long ttl = expires_in > 2 * S_TOKEN_MARGIN_S ? expires_in - S_TOKEN_MARGIN_S : expires_in / 2;
    if (provider_http_kv_set(http, S_TOKEN_KEY, *token, ttl > 0 ? (int)ttl : 1) < 0)
        log_warn("spotify: token not cached");
    return PROVIDER_OK;
}

/* The current token (shared or cached), or a fresh one when fresh is set. */
static provider_result_t s_token(provider_http_t *http, bool fresh, char **token,
                                 provider_err_t *err)
{
    if (!fresh) {
        *token = provider_http_kv_get(http, S_TOKEN_KEY);
        if (*token)
            return PROVIDER_OK;
    }
    return s_fetch_token(http, token, err);
}

/* One GET with the bearer token (never logged). */
static provider_result_t s_get_once(provider_http_t *http, const char *path, const char *token,
                                    provider_response_t *resp, provider_err_t *err)
{
    size_t len = sizeof "Authorization: Bearer " + strlen(token);
    char *header = malloc(len);
    if (!header)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    snprintf(header, len, "Authorization: Bearer %s", token);
    const char *headers[] = {header, NULL};
    provider_result_t r = provider_http_get(http, S_PLATFORM, path, headers, resp, err);
    free(header);
    return r;
}

/* GET path with a token (refreshed once after a 401) and decode it. */
static provider_result_t s_fetch(provider_http_t *http, const char *path, json_t **doc,
                                 provider_err_t *err)
{
    *doc = NULL;
    if (!provider_http_configured(http, S_PLATFORM))
        return provider_fail(err, PROVIDER_UNAVAILABLE, "spotify is not configured");
    provider_response_t resp = {0};
    provider_result_t r = PROVIDER_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        char *token = NULL;
        r = s_token(http, attempt > 0, &token, err);
        if (r != PROVIDER_OK)
            return r;
        r = s_get_once(http, path, token, &resp, err);
        free(token);
        if (r != PROVIDER_OK)
            return r;
        if (resp.status != 401)
            break;
        /* Spotify answered; only the token was stale. */
        provider_http_outcome(http, S_PLATFORM, true);
    }
    if (resp.status != 401)
        return provider_fetch_decode(http, S_PLATFORM, &resp, spotify_decode, doc, err);
    r = provider_fail(err, PROVIDER_UPSTREAM, "spotify rejected a fresh token");
    provider_http_outcome_error(http, S_PLATFORM, false, err->message);
    provider_response_clear(&resp);
    return r;
}

/* What every entity lookup checks before any request: credentials, then the id. */
static provider_result_t s_check(provider_http_t *http, const char *native, provider_err_t *err)
{
    if (!provider_http_configured(http, S_PLATFORM))
        return provider_fail(err, PROVIDER_UNAVAILABLE, "spotify is not configured");
    if (!s_valid_id(native))
        return provider_fail(err, PROVIDER_NOT_FOUND, "malformed spotify id");
    return PROVIDER_OK;
}

static provider_result_t s_entity(provider_http_t *http, const char *kind, const char *native,
                                  provider_fetch_parse_fn parse, json_t **out, provider_err_t *err)
{
    provider_err_t local;
    if (!err)
        err = &local;
    *out = NULL;
    provider_result_t r = s_check(http, native, err);
    if (r != PROVIDER_OK)
        return r;
    char path[S_PATH_MAX];
    snprintf(path, sizeof path, "/v1/%s/%s", kind, native);
    return provider_fetch_parse(http, s_fetch, path, parse, out, err);
}

static provider_result_t s_get_track(provider_http_t *http, const char *native, json_t **out,
                                     provider_err_t *err)
{
    return s_entity(http, "tracks", native, spotify_parse_track, out, err);
}

static provider_result_t s_get_album(provider_http_t *http, const char *native, json_t **out,
                                     provider_err_t *err)
{
    return s_entity(http, "albums", native, spotify_parse_album, out, err);
}

static provider_result_t s_get_playlist(provider_http_t *http, const char *native, json_t **out,
                                        provider_err_t *err)
{
    return s_entity(http, "playlists", native, spotify_parse_playlist, out, err);
}

static provider_result_t s_get_stream(provider_http_t *http, const char *native, json_t **out,
                                      provider_err_t *err)
{
    return s_entity(http, "tracks", native, spotify_parse_stream, out, err);
}

static provider_result_t s_get_artist(provider_http_t *http, const char *native, json_t **out,
                                      provider_err_t *err)
{
    provider_err_t local;
    if (!err)
        err = &local;
    *out = NULL;
    provider_result_t r = s_check(http, native, err);
    if (r != PROVIDER_OK)
        return r;
    char path[S_PATH_MAX], top_path[S_PATH_MAX];
    snprintf(path, sizeof path, "/v1/artists/%s", native);
    /* Never fail the artist for its top list (closed to new apps, unrecorded, ...). */
    snprintf(top_path, sizeof top_path, "/v1/artists/%s/top-tracks?market=%s", native,
             provider_http_credential(http, S_PLATFORM, "market"));
    return provider_fetch_artist(http, S_PLATFORM, s_fetch, native, path, top_path,
                                 spotify_parse_artist, out, err);
}

static provider_result_t s_search(provider_http_t *http, const provider_search_t *q, json_t **out,
                                  provider_err_t *err)
{
    provider_err_t local;
    if (!err)
        err = &local;
    *out = NULL;
    if (!provider_http_configured(http, S_PLATFORM))
        return provider_fail(err, PROVIDER_UNAVAILABLE, "spotify is not configured");
    if (!q || !q->query || !*q->query)
        return provider_fail(err, PROVIDER_NOT_FOUND, "empty query");
    int limit = q->limit < 1 ? 20 : (q->limit > 50 ? 50 : q->limit); /* Spotify caps at 50 */
    int offset = q->offset < 0 ? 0 : q->offset;
    char *escaped = provider_http_escape(http, q->query);
    if (!escaped)
        return provider_fail(err, PROVIDER_UPSTREAM, "out of memory");
    char path[S_PATH_MAX];
    int types = q->types ? q->types : PROVIDER_SEARCH_TRACK;
    int built = spotify_search_path(q->query, escaped, types, limit, offset, path, sizeof path);
    free(escaped);
    if (built < 0)
        return provider_fail(err, PROVIDER_NOT_FOUND, "query too long");
    json_t *doc;
    provider_result_t r = s_fetch(http, path, &doc, err);
    if (r == PROVIDER_NOT_FOUND) { /* nothing matches: an empty result */
        json_t *empty = json_object();
        r = spotify_parse_search(empty, out, err);
        json_decref(empty);
        return r;
    }
    if (r != PROVIDER_OK)
        return r;
    r = spotify_parse_search(doc, out, err);
    json_decref(doc);
    return r;
}

static provider_result_t s_health(provider_http_t *http, provider_err_t *err)
{
    provider_err_t local;
    if (!err)
        err = &local;
    if (!provider_http_configured(http, S_PLATFORM))
        return provider_fail(err, PROVIDER_UNAVAILABLE, "spotify is not configured");
    json_t *doc = NULL;
    provider_result_t r =
        s_fetch(http, "/v1/search?q=bedrock&type=track&offset=0&limit=1", &doc, err);
    json_decref(doc);
    /* Not found only means the query is unknown (e.g. to a replay server): Spotify is up. */
    return r == PROVIDER_NOT_FOUND ? PROVIDER_OK : r;
}

const provider_t provider_spotify = {
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
