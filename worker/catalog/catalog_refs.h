/* catalog_refs — the rows a catalog document refers to (internal to the catalog
 * store): artist credits, a track's album, genres, labels, media types.
 * Owner: catalog engineer (C1).
 *
 * A reference names a row by (platform, native_id). When it is missing, it is created
 * as a partial row (complete = false, raw = the reference object) — unless
 * must_exist (catalog.ingest), where it is refused: DB_ERR_NOT_FOUND with a reason.
 */
#ifndef BEDROCK_WORKER_CATALOG_REFS_H
#define BEDROCK_WORKER_CATALOG_REFS_H

#include "catalog_param.h"
#include "catalog_stmt.h"
#include "db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    db_t *db;
    const char *platform;
    bool must_exist;
    char *reason; /* CATALOG_REASON_MAX bytes, written on a refusal */
} catalog_refs_t;

/* The id of (platform, native) through an *_ID statement. DB_ERR_NOT_FOUND when none. */
db_err_t catalog_refs_find(db_t *db, catalog_stmt_id_t stmt, const char *platform,
                           const char *native, long long *id) __attribute__((warn_unused_result));

/* First column of the first row of stmt as an id; DB_ERR_NOT_FOUND when no row. */
db_err_t catalog_refs_run_id(db_t *db, catalog_stmt_id_t stmt, const char *const *params,
                             long long *id) __attribute__((warn_unused_result));

/* Ids of the artist refs of doc[key] ([{native_id, name}]), in order; refs without a
 * native id are skipped. */
db_err_t catalog_refs_artists(const catalog_refs_t *r, const json_t *doc, const char *key,
                              catalog_ids_t *ids) __attribute__((warn_unused_result));

/* Id of an album ref {native_id, title, upc, release_date, image_url}; 0 for null. */
db_err_t catalog_refs_album(const catalog_refs_t *r, const json_t *ref, long long *id)
    __attribute__((warn_unused_result));

/* Genre ids of doc: doc.genre_refs [{native_id, name}] when present (local catalog),
 * else doc.genres [str] keyed by their lower-cased name. */
db_err_t catalog_refs_genres(const catalog_refs_t *r, const json_t *doc, catalog_ids_t *ids)
    __attribute__((warn_unused_result));

/* Id of doc.media_type_ref {native_id, name}; 0 when absent. */
db_err_t catalog_refs_media_type(const catalog_refs_t *r, const json_t *doc, long long *id)
    __attribute__((warn_unused_result));

/* Id of the label named name (created when missing); 0 for NULL/"". */
db_err_t catalog_refs_label(db_t *db, const char *name, long long *id)
    __attribute__((warn_unused_result));

#endif
