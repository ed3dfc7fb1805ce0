/* spotify_parse — Spotify Web API answers to catalog documents, as pure functions.
 *
 * spotify.c does the HTTP and the token; everything here works on bodies and
 * parsed documents only. Every *_parse_* function leaves its input alone and, on
 * PROVIDER_OK, stores a new document in *out that the caller owns.
 */
#ifndef BEDROCK_SPOTIFY_PARSE_H
#define BEDROCK_SPOTIFY_PARSE_H

#include "provider.h"

#include <stddef.h>

/* One HTTP answer (other than a 401, which spotify.c handles by refreshing the
 * token) to a parsed document: 2xx with a JSON object is PROVIDER_OK; 404 and 400
 * (Spotify's "invalid id") PROVIDER_NOT_FOUND; 429, 5xx, other statuses and a
 * malformed body PROVIDER_UPSTREAM. *healthy: Spotify answered as designed. */
provider_result_t spotify_decode(long status, const char *body, size_t len, json_t **doc,
                                 bool *healthy, provider_err_t *err);

/* Token endpoint answer {access_token, token_type, expires_in}: *token is a new
 * string the caller frees (never logged), *expires_in seconds. */
provider_result_t spotify_parse_token(const json_t *doc, char **token, long *expires_in,
                                      provider_err_t *err);

/* The Authorization header line of the token request:
 * "Authorization: Basic base64(client_id:client_secret)". A new string the caller
 * frees (it holds the secret: never log it); NULL on OOM. */
char *spotify_basic_auth(const char *client_id, const char *client_secret);

provider_result_t spotify_parse_track(const json_t *doc, json_t **out, provider_err_t *err);

/* /v1/albums/{id}: upc from external_ids.upc (GTIN-14), tracks from tracks.items. */
provider_result_t spotify_parse_album(const json_t *doc, json_t **out, provider_err_t *err);

/* /v1/artists/{id} and, when not NULL, /v1/artists/{id}/top-tracks ({"tracks":[...]}). */
provider_result_t spotify_parse_artist(const json_t *artist, const json_t *top, json_t **out,
                                       provider_err_t *err);

/* /v1/playlists/{id}: tracks from tracks.items[].track (episodes and local files skipped). */
provider_result_t spotify_parse_playlist(const json_t *doc, json_t **out, provider_err_t *err);

/* /v1/search: {tracks,albums,artists}.items. */
provider_result_t spotify_parse_search(const json_t *doc, json_t **out, provider_err_t *err);

/* /v1/tracks?ids=...: {"tracks":[...]} -> a JSON array of tracks (null entries skipped). */
provider_result_t spotify_parse_several_tracks(const json_t *doc, json_t **out,
                                               provider_err_t *err);

/* /v1/tracks/{id} -> stream {url: preview_url, expires_at null, "mp3", preview true};
 * PROVIDER_NOT_FOUND "no preview" when preview_url is null (every 2024+ answer). */
provider_result_t spotify_parse_stream(const json_t *doc, json_t **out, provider_err_t *err);

/* Path of the search request; escaped is the URL-encoded query, types PROVIDER_SEARCH_*
 * bits. A code lookup ("upc:..." or "isrc:...", which names one thing) is sent as
 * /v1/search?type=T&q=Q; any other query as /v1/search?q=Q&type=T&offset=O&limit=N,
 * T being "track", "album", "artist" or a comma list of them. 0, or -1 if too small. */
int spotify_search_path(const char *query, const char *escaped, int types, int limit, int offset,
                        char *out, size_t size);

#endif
