/* itunes_parse — iTunes Search API answers to catalog documents, as pure functions.
 *
 * Every answer is {"resultCount": n, "results": [...]} whose items are told apart
 * by wrapperType ("track" with kind "song", "collection", "artist"). iTunes gives
 * no ISRC and no UPC: those fields are null. Previews (previewUrl, AAC .m4a) do
 * not expire. Every *_parse_* function leaves its input alone and, on PROVIDER_OK,
 * stores a new document in *out that the caller owns.
 */
#ifndef BEDROCK_ITUNES_PARSE_H
#define BEDROCK_ITUNES_PARSE_H

#include "provider.h"

#include <stddef.h>

/* One HTTP answer to a parsed document: 2xx with {"results":[...]} is PROVIDER_OK;
 * 404 and 400 (iTunes' "Invalid value(s)") PROVIDER_NOT_FOUND; 403/429 (Apple's
 * throttling), 5xx, other statuses and malformed bodies PROVIDER_UPSTREAM. */
provider_result_t itunes_decode(long status, const char *body, size_t len, json_t **doc,
                                bool *healthy, provider_err_t *err);

/* /lookup?id={trackId}: the first song; PROVIDER_NOT_FOUND when there is none. */
provider_result_t itunes_parse_track(const json_t *doc, json_t **out, provider_err_t *err);

/* /lookup?entity=song&id={collectionId}: the collection and its songs. */
provider_result_t itunes_parse_album(const json_t *doc, json_t **out, provider_err_t *err);

/* /lookup?id={artistId}&entity=song: the artist and its songs as top tracks. */
provider_result_t itunes_parse_artist(const json_t *doc, json_t **out, provider_err_t *err);

/* /search answers for songs, albums and artists (each may be NULL). */
provider_result_t itunes_parse_search(const json_t *songs, const json_t *albums,
                                      const json_t *artists, int skip, json_t **out,
                                      provider_err_t *err);

/* /lookup?id={trackId} -> {url: previewUrl, expires_at: null, format "aac", preview true}. */
provider_result_t itunes_parse_stream(const json_t *doc, json_t **out, provider_err_t *err);

#endif
