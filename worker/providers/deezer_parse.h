/* deezer_parse — Deezer API answers to catalog documents, as pure functions.
 *
 * deezer.c does the HTTP; everything here works on bodies and parsed documents
 * only, so that the unit tests run it on the recorded answers directly.
 * Every *_parse_* function leaves its input alone and, on PROVIDER_OK, stores a
 * new document in *out that the caller owns; otherwise *out is NULL.
 */
#ifndef BEDROCK_DEEZER_PARSE_H
#define BEDROCK_DEEZER_PARSE_H

#include "provider.h"

#include <stddef.h>

/* Deezer's default page size: a search asking for it sends no limit. */
#define DEEZER_DEFAULT_LIMIT 25

/* One HTTP answer to a parsed document. Deezer reports errors as HTTP 200 with
 * {"error":{"type","message","code"}}: code 800 ("no data") is PROVIDER_NOT_FOUND,
 * code 4 (quota), 700 (busy) and every other code PROVIDER_UPSTREAM. HTTP 404 is
 * PROVIDER_NOT_FOUND, any other non-2xx status and a body that is not a JSON object
 * PROVIDER_UPSTREAM. *healthy tells the breaker whether Deezer answered as designed
 * (true for found, not found and our own malformed query: codes 500/501/600).
 * On PROVIDER_OK *doc receives the parsed body (caller owns it). */
provider_result_t deezer_decode(long status, const char *body, size_t len, json_t **doc,
                                bool *healthy, provider_err_t *err);

/* /track/{id} -> track. */
provider_result_t deezer_parse_track(const json_t *doc, json_t **out, provider_err_t *err);

/* /album/{id} -> album with its tracks (tracks.data). */
provider_result_t deezer_parse_album(const json_t *doc, json_t **out, provider_err_t *err);

/* /artist/{id} and, when not NULL, /artist/{id}/top -> artist with top_tracks. */
provider_result_t deezer_parse_artist(const json_t *artist, const json_t *top, json_t **out,
                                      provider_err_t *err);

/* /playlist/{id} -> playlist {name: title, description, owner_name: creator.name,
 * image_url: picture_*, tracks: tracks.data}. */
provider_result_t deezer_parse_playlist(const json_t *doc, json_t **out, provider_err_t *err);

/* /search (tracks), /search/album, /search/artist answers (each may be NULL) -> search. */
provider_result_t deezer_parse_search(const json_t *tracks, const json_t *albums,
                                      const json_t *artists, json_t **out, provider_err_t *err);

/* /track/{id} -> stream {url: preview, expires_at, format "mp3", preview true};
 * PROVIDER_NOT_FOUND when the track has no preview. */
provider_result_t deezer_parse_stream(const json_t *doc, json_t **out, provider_err_t *err);

/* Expiry of a signed preview URL ("...?hdnea=exp=1733261622~acl=...", also
 * "exp=" as a plain or percent-encoded parameter): unix seconds, or 0 when the
 * URL carries none. */
long long deezer_preview_expiry(const char *url);

/* Path of one search request. type is one PROVIDER_SEARCH_* bit; query is the raw
 * text (to spot Deezer's advanced syntax, field:"value"), escaped its URL-encoded
 * form. Shapes (those of Deezer's clients, as recorded):
 *   advanced query:  /search/track?index=O&limit=N&q=Q  (album/artist: /search/album...)
 *   plain query:     /search?[index=O&][limit=N&]q=Q     (album: /search/album?..., artist:
 *                    /search/artist?...), index sent only when O > 0 and limit only when
 *                    N differs from Deezer's default page (25).
 * Returns 0, or -1 when out is too small or type is not one known bit. */
int deezer_search_path(int type, const char *query, const char *escaped, int limit, int offset,
                       char *out, size_t size);

#endif
