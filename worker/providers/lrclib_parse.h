/* lrclib_parse — LRCLIB (lrclib.net) answers to lyrics documents (provider.h), as
 * pure functions.
 *
 * lrclib.c does the HTTP; everything here works on bodies and parsed documents only,
 * so that the unit tests run it on the recorded answers directly. On PROVIDER_OK the
 * functions store a new reference in *out that the caller owns; otherwise *out is NULL.
 *
 * Mapping of one lyrics record: {plain: plainLyrics, synced: syncedLyrics (LRC text),
 * source: "lrclib", native_id: id as a string, instrumental, duration_ms: duration x 1000}
 * (empty lyrics are null).
 */
#ifndef BEDROCK_LRCLIB_PARSE_H
#define BEDROCK_LRCLIB_PARSE_H

#include "provider.h"

#include <stdbool.h>
#include <stddef.h>

/* One HTTP answer to a parsed document (an object for /api/get, an array for
 * /api/search). 404 ({"statusCode":404,"name":"TrackNotFound",...}) is
 * PROVIDER_NOT_FOUND; every other non-2xx status and a body that is not JSON are
 * PROVIDER_UPSTREAM. *healthy tells the breaker whether LRCLIB answered as designed
 * (true for found, not found and our own bad request, 400). On PROVIDER_OK *doc
 * receives the parsed body (caller owns it). */
provider_result_t lrclib_decode(long status, const char *body, size_t len, json_t **doc,
                                bool *healthy, provider_err_t *err);

/* One lyrics record (the /api/get answer, or one item of /api/search) -> lyrics. */
provider_result_t lrclib_parse_lyrics(const json_t *record, json_t **out, provider_err_t *err);

/* The best record of a /api/search answer for artist and title (compared without case
 * and surrounding blanks): the artist must equal artistName or one contain the other,
 * and so must the title and trackName; exact matches beat partial ones, then records
 * with synced lyrics, then LRCLIB's order. Returns the index, or -1 when none fits. */
long lrclib_best_match(const json_t *results, const char *artist, const char *title);

/* /api/get?track_name=T&artist_name=A[&album_name=L][&duration=D] from URL-encoded
 * values (album_escaped may be NULL: not sent; duration_s <= 0: not sent). Returns 0, or
 * -1 when out is too small. */
int lrclib_get_path(const char *title_escaped, const char *artist_escaped,
                    const char *album_escaped, int duration_s, char *out, size_t size);

#endif
