/* favorites — a user's favorite tracks, albums and artists (favorites table).
 *
 * Entity ids are namespaced catalog ids, validated by the caller (ids_parse). Putting
 * an existing favorite and deleting an absent one both succeed: the operations are
 * idempotent. Functions return DB_OK or a db_err_t (db.h).
 */
#ifndef BEDROCK_WORKER_FAVORITES_H
#define BEDROCK_WORKER_FAVORITES_H

#include "db.h"
#include "pager.h"

#include <jansson.h>
#include <stdbool.h>

/* True for "track", "album" and "artist". */
bool favorites_type_ok(const char *type);

db_err_t favorites_put(db_t *db, const char *user_id, const char *type, const char *entity_id)
    __attribute__((warn_unused_result));
db_err_t favorites_delete(db_t *db, const char *user_id, const char *type, const char *entity_id)
    __attribute__((warn_unused_result));

/* Newest first; type NULL = every type. *out is a new {items, next_cursor}. */
db_err_t favorites_list(db_t *db, const char *user_id, const char *type, const pager_t *pg,
                        json_t **out) __attribute__((warn_unused_result));

#endif
