/* catalog_view — catalog documents (provider.h shape, or catalog_store_load) to the API
 * JSON that clients get (API.md Catalog, CATALOG.md "API view shapes").
 * Owner: catalog engineer (C1). Used by the catalog and discovery handlers.
 *
 *   track    {id:"platform:native", platform, title, artists:[{id,name}],
 *             album:{id,title}|null, duration_ms, isrc, explicit, disc_number,
 *             track_number, genres:[str], preview_url}
 *   album    {id, platform, title, artists:[{id,name}], upc, release_date, total_tracks,
 *             label, image_url, genres:[str], tracks:[track without "album"]}
 *   artist   {id, platform, name, image_url, genres:[str], top_tracks:[track],
 *             albums:[{id, title, release_date, image_url}]}
 *   playlist {id, platform, name, description, owner, image_url,
 *             tracks:{items:[track], next_cursor}}
 *   stream   {url, expires_at: ISO 8601 UTC "2026-11-25T18:00:00Z" | null, format,
 *             preview: bool}
 * Ids of nested entities use the document's platform. A field the document lacks is
 * null (lists: []). total_tracks falls back to the number of tracks listed.
 *
 * Every function returns a new reference the caller owns, or NULL when out of memory
 * or when doc is not an object with a platform and a native_id. Inputs are borrowed.
 */
#ifndef BEDROCK_WORKER_CATALOG_VIEW_H
#define BEDROCK_WORKER_CATALOG_VIEW_H

#include "catalog_store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* "platform:native" of platform and a native id given as a string or an integer.
 * Returns 0, or -1 when it does not fit in size or native is neither. */
int catalog_view_id(const char *platform, const json_t *native, char *out, size_t size);

json_t *catalog_view_track(const json_t *doc);
json_t *catalog_view_album(const json_t *doc);
json_t *catalog_view_artist(const json_t *doc);
/* With every track: tracks = {items:[all], next_cursor:null}; see catalog_view_page. */
json_t *catalog_view_playlist(const json_t *doc);
/* Dispatches on kind. */
json_t *catalog_view(catalog_kind_t kind, const json_t *doc);

/* A stream document {url, expires_at: unix s | null, format, preview} as the API shape. */
json_t *catalog_view_stream(const json_t *stream_doc);

/* Pagination of lists inside a view (API.md: limit default 20, max 100; opaque cursor).
 * CATALOG_VIEW_PAGE_DEFAULT / _MAX are fixed by the API contract. */
#define CATALOG_VIEW_PAGE_DEFAULT 20
#define CATALOG_VIEW_PAGE_MAX 100

/* Parses the request args "limit" and "cursor" (strings or integers). Returns 0 and
 * *limit (1..100) and *offset, or -1 with *field = "limit" | "cursor" when malformed. */
int catalog_view_page_args(const json_t *args, int *limit, long *offset, const char **field);

/* The cursor text of an offset (opaque to clients). out needs 32 bytes. */
void catalog_view_cursor(long offset, char out[32]);

/* A copy of a playlist view whose tracks are cut to {items: [offset, offset+limit),
 * next_cursor: cursor of the next page | null}. */
json_t *catalog_view_page(const json_t *playlist_view, int limit, long offset);

/* ISO 8601 UTC text of a unix time in seconds ("2026-11-25T18:00:00Z"); out[32]. */
void catalog_view_iso8601(int64_t unix_s, char out[32]);

#endif
