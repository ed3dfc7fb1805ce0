/* catalog_store — the catalog in PostgreSQL (DESIGN §3–4, issue 3).
 * Owner: catalog engineer (C1). Used by the catalog handlers, catalog.ingest and the
 * discovery handlers (search, lyrics, plays, status).
 *
 * Entities are tracks, albums, artists and provider playlists, one row per
 * (platform, native_id), written from *catalog documents* (worker/providers/provider.h:
 * {platform, native_id, title|name, ..., artists:[{native_id,name}], album:{...},
 * genres:[str], tracks:[...], raw}). Local (Chinook) rows are the same documents with
 * platform "local" (catalog.ingest builds them).
 *
 * Local catalog documents (catalog.ingest) may also carry references by id, which
 * provider documents do not have: genre_refs [{native_id, name}] (instead of genres
 * by name) and media_type_ref {native_id, name}.
 *
 * Upsert rules:
 *   - CATALOG_UPSERT_FULL: the document of a lookup (GET /track/{id}). A new row is
 *     inserted; an existing row whose raw differs (JSONB equality, key order does not
 *     matter) is updated, updated_at = now(), and — when the old row was complete —
 *     its previous raw/fetched_at are kept as a catalog_revisions row. When raw is
 *     unchanged nothing is written except fetched_at for provider platforms (local rows
 *     are left byte-for-byte alone, so a second ingest changes nothing).
 *   - CATALOG_UPSERT_PARTIAL: a listing/search item or a nested reference (a track's
 *     album, an album's tracks, an artist's albums). Inserted when missing and marked
 *     incomplete (complete = false); an existing row is never overwritten. Links
 *     (credits, album_id, playlist positions) are still written.
 *   - Nested refs of a FULL document are upserted PARTIAL first (artist refs, album
 *     ref, album tracks, playlist tracks, artist top tracks/albums).
 *   - UPC is normalised to GTIN-14 (provider_normalize_upc); ISRC upper-cased; labels
 *     and genres are get-or-created (genres of provider documents are keyed by their
 *     lower-cased name on that platform).
 *
 * Every function returns DB_OK or a db_err_t (db.h); DB_ERR_NOT_FOUND = no such row.
 * Documents and views handed out are new references the caller json_decref()s; inputs
 * are borrowed.
 */
#ifndef BEDROCK_WORKER_CATALOG_STORE_H
#define BEDROCK_WORKER_CATALOG_STORE_H

#include "db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CATALOG_KIND_TRACK = 0,
    CATALOG_KIND_ALBUM,
    CATALOG_KIND_ARTIST,
    CATALOG_KIND_PLAYLIST,
    CATALOG_KIND_COUNT
} catalog_kind_t;

/* "track", "album", "artist", "playlist" (also the cache key prefix and the
 * catalog_revisions.entity_type). Static string; NULL for an invalid kind. */
const char *catalog_kind_name(catalog_kind_t kind);

typedef enum {
    CATALOG_UPSERT_FULL = 0,
    CATALOG_UPSERT_PARTIAL = 1,
} catalog_upsert_mode_t;

typedef enum {
    CATALOG_INSERTED = 0,
    CATALOG_UPDATED = 1,
    CATALOG_UNCHANGED = 2,
} catalog_change_t;

#define CATALOG_REASON_MAX 256

typedef struct {
    catalog_upsert_mode_t mode;
    /* true (catalog.ingest): every referenced artist/album/genre/track must already be
     * stored on the same platform; a missing one is not created but refused with
     * DB_ERR_NOT_FOUND and a reason ("album_id 999 not found"). */
    bool refs_must_exist;
    catalog_change_t change;         /* out: what happened to the top-level row */
    long long row_id;                /* out: its id (tracks.id, albums.id, ...) */
    char reason[CATALOG_REASON_MAX]; /* out: why a document was refused ("" otherwise) */
} catalog_upsert_t;

/* Upserts doc of kind in one transaction of its own (retried on 40001/40P01).
 * DB_ERR_INVALID_DATA with up->reason for a document that does not fit (missing
 * native_id/title, over-long value). */
db_err_t catalog_store_upsert(db_t *db, catalog_kind_t kind, const json_t *doc,
                              catalog_upsert_t *up) __attribute__((warn_unused_result));

/* The same inside the caller's transaction (db_begin/db_transaction): for batches. */
db_err_t catalog_store_upsert_tx(db_t *db, catalog_kind_t kind, const json_t *doc,
                                 catalog_upsert_t *up) __attribute__((warn_unused_result));

/* Genres and media types of a catalog (catalog.ingest): one row per (platform,
 * native_id) with a name. *change: inserted, updated (renamed) or unchanged.
 * DB_ERR_INVALID_DATA when native_id or name does not fit. */
typedef enum { CATALOG_NAMED_GENRE = 0, CATALOG_NAMED_MEDIA_TYPE = 1 } catalog_named_t;

db_err_t catalog_store_upsert_named(db_t *db, catalog_named_t what, const char *platform,
                                    const char *native_id, const char *name,
                                    catalog_change_t *change) __attribute__((warn_unused_result));

/* The stored entity as a catalog document (provider.h shape, raw left out), with its
 * links resolved: a track's artists/album/genres; an album's artists, label, genres
 * and tracks (by disc, track number, id); an artist's genres, top tracks (stored top
 * list, else its tracks by id, at most 10) and albums; a playlist's tracks in order.
 * *complete (may be NULL) is false when only a partial row is known.
 * DB_ERR_NOT_FOUND when there is no row. */
db_err_t catalog_store_load(db_t *db, catalog_kind_t kind, const char *platform,
                            const char *native_id, json_t **doc, bool *complete)
    __attribute__((warn_unused_result));

/* catalog_store_load + catalog_view (catalog_view.h): the API JSON of the entity. */
db_err_t catalog_store_load_view(db_t *db, catalog_kind_t kind, const char *platform,
                                 const char *native_id, json_t **view, bool *complete)
    __attribute__((warn_unused_result));

/* API views (catalog_view.h) of rows given by their table ids (tracks.id, albums.id,
 * artists.id, provider_playlists.id), in the order given; ids with no row are skipped.
 * *views is a new array. For search results (C2). */
db_err_t catalog_store_views_by_row_ids(db_t *db, catalog_kind_t kind, const long long *row_ids,
                                        size_t n, json_t **views)
    __attribute__((warn_unused_result));

/* Stored tracks (catalog documents, raw left out) with this ISRC (12 characters, any
 * case), on every platform, ordered by platform then native id. *docs is a new array
 * (empty when none). */
db_err_t catalog_store_tracks_by_isrc(db_t *db, const char *isrc, json_t **docs)
    __attribute__((warn_unused_result));

/* Tracks linked to a track (tracks.links): the same ISRC and a known duration within
 * tolerance_ms of duration_ms, on any platform, the track (platform, native_id) itself
 * left out. *docs is a new array of catalog documents. */
db_err_t catalog_store_track_links(db_t *db, const char *isrc, const char *platform,
                                   const char *native_id, long long duration_ms, int tolerance_ms,
                                   json_t **docs) __attribute__((warn_unused_result));

/* Number of stored rows of kind on platform (tests, status). */
db_err_t catalog_store_count(db_t *db, catalog_kind_t kind, const char *platform, long long *count)
    __attribute__((warn_unused_result));

#endif
