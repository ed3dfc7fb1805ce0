/* musicbrainz_parse — MusicBrainz web service (ws/2, fmt=json) answers to catalog
 * documents (provider.h), as pure functions.
 *
 * musicbrainz.c does the HTTP; everything here works on bodies and parsed documents
 * only, so that the unit tests run it on the recorded answers directly. Every
 * musicbrainz_parse_* function leaves its input alone and, on PROVIDER_OK, stores a
 * new document in *out that the caller owns (json_decref); otherwise *out is NULL.
 *
 * Mapping (ids are MBIDs):
 *   recording -> track   native_id id, title, length -> duration_ms, isrcs[0] -> isrc,
 *                        artist-credit -> artists (artist mbid, artist name), first of
 *                        releases (when listed) -> album ref (+ disc/track number on it),
 *                        genres (else tags) -> genres, explicit from the disambiguation.
 *   release   -> album   barcode -> upc (GTIN-14), date, label-info[].label.name -> label,
 *                        media[].tracks[] -> tracks (native_id = the RECORDING mbid, disc =
 *                        medium position, track_number = position), genres (else the
 *                        release group's), image_url = Cover Art Archive front when it has one.
 *   artist    -> artist  name, genres (else tags), release-groups -> albums. Our album ids
 *                        are RELEASE mbids; these albums carry RELEASE-GROUP mbids and are
 *                        listed for display only (a release group is not a get_album id).
 */
#ifndef BEDROCK_MUSICBRAINZ_PARSE_H
#define BEDROCK_MUSICBRAINZ_PARSE_H

#include "provider.h"

#include <stdbool.h>
#include <stddef.h>

/* Genres kept per entity: the most voted ("top few"), ties in MusicBrainz's order. */
#define MUSICBRAINZ_GENRES_MAX 5
/* MusicBrainz's default search page: a track or artist search asking for no more than
 * this sends no limit (the recorded request shape) and is cut here. */
#define MUSICBRAINZ_SEARCH_PAGE 25
/* MusicBrainz's largest search page. */
#define MUSICBRAINZ_SEARCH_MAX 100
/* Where the Cover Art Archive serves a release's front image (a redirect to the file). */
#define MUSICBRAINZ_COVER_URL "https://coverartarchive.org/release/%s/front"

/* One HTTP answer to a parsed document. 404 (and 400: MusicBrainz's answer to a lookup
 * or query it cannot take) is PROVIDER_NOT_FOUND; 503 (overloaded, or our rate limit
 * exceeded), 403 (refused: MusicBrainz requires a User-Agent), every other status and a
 * body that is not a JSON object are PROVIDER_UPSTREAM. *healthy tells the breaker
 * whether MusicBrainz answered as designed (true for found and not found). On
 * PROVIDER_OK *doc receives the parsed body (caller owns it). */
provider_result_t musicbrainz_decode(long status, const char *body, size_t len, json_t **doc,
                                     bool *healthy, provider_err_t *err);

/* /ws/2/recording/{mbid} (or one item of a recording search) -> track. */
provider_result_t musicbrainz_parse_recording(const json_t *doc, json_t **out, provider_err_t *err);

/* /ws/2/release/{mbid} -> album with its tracks (media[].tracks[]). */
provider_result_t musicbrainz_parse_release(const json_t *doc, json_t **out, provider_err_t *err);

/* /ws/2/artist/{mbid}?inc=release-groups -> artist (no top tracks: MusicBrainz has none). */
provider_result_t musicbrainz_parse_artist(const json_t *doc, json_t **out, provider_err_t *err);

/* Search answers (each may be NULL): /ws/2/recording/ {recordings:[...]}, /ws/2/release
 * {releases:[...]} (albums without tracks), /ws/2/artist/ {artists:[...]} -> search,
 * at most limit items of each kind. */
provider_result_t musicbrainz_parse_search(const json_t *recordings, const json_t *releases,
                                           const json_t *artists, int limit, json_t **out,
                                           provider_err_t *err);

/* Copies native into out as a lower-case MBID (8-4-4-4-12 hex digits). Returns 0, or
 * -1 when native is not one (no request should be made for it). */
int musicbrainz_mbid(const char *native, char out[37]);

/* The Lucene query sent for a user's search text: text that already uses MusicBrainz's
 * search syntax (starts with a known field, e.g. "isrc:GBAHT1600302") and plain words are
 * sent as they are; text holding characters Lucene would read as syntax (+ - ! ( ) : " ...)
 * or the operators AND/OR/NOT is sent as one quoted phrase, with '"' and '\' escaped.
 * Returns a new string the caller frees, or NULL (out of memory). */
char *musicbrainz_lucene_query(const char *text);

/* Path of one search request; type is one PROVIDER_SEARCH_* bit, escaped the
 * URL-encoded Lucene query. Shapes (as recorded from MusicBrainz clients):
 *   track   /ws/2/recording/?query=Q&fmt=json[&limit=N][&offset=O]
 *   artist  /ws/2/artist/?query=Q&fmt=json[&limit=N][&offset=O]
 *   album   /ws/2/release?fmt=json&limit=N&query=Q[&offset=O]
 * limit is sent for tracks and artists only above MUSICBRAINZ_SEARCH_PAGE, offset only
 * when > 0. Returns 0, or -1 when out is too small or type is not one known bit. */
int musicbrainz_search_path(int type, const char *escaped, int limit, int offset, char *out,
                            size_t size);

#endif
