/* playlists — a user's own playlists (user_playlists): create, read, rename, delete.
 * Their items are edited through playlist_items.h.
 *
 * Every statement filters on the owner: someone else's playlist is DB_ERR_NOT_FOUND,
 * exactly like one that does not exist. Ids are validated by the caller (UUIDs).
 * A playlist reads as {id, name, description, public, item_count, created_at,
 * updated_at} and, when got alone, items: [{position, track_id, added_at}] in order.
 */
#ifndef BEDROCK_WORKER_PLAYLISTS_H
#define BEDROCK_WORKER_PLAYLISTS_H

#include "db.h"
#include "pager.h"

#include <jansson.h>
#include <stdbool.h>

#define PLAYLISTS_NAME_MAX 200         /* characters, user_playlists.name */
#define PLAYLISTS_DESCRIPTION_MAX 2000 /* characters */

/* Creates the playlist and returns it (new reference in *out). description may be NULL. */
db_err_t playlists_create(db_t *db, const char *user_id, const char *name, const char *description,
                          bool is_public, json_t **out) __attribute__((warn_unused_result));

/* The playlist with its items (new reference in *out), or DB_ERR_NOT_FOUND. */
db_err_t playlists_get(db_t *db, const char *user_id, const char *playlist_id, json_t **out)
    __attribute__((warn_unused_result));

/* The user's playlists without items, newest first ({items, next_cursor}). */
db_err_t playlists_list(db_t *db, const char *user_id, const pager_t *pg, json_t **out)
    __attribute__((warn_unused_result));

/* patch: an object with any of name, description, public (validated by the caller). */
db_err_t playlists_patch(db_t *db, const char *user_id, const char *playlist_id,
                         const json_t *patch) __attribute__((warn_unused_result));

db_err_t playlists_delete(db_t *db, const char *user_id, const char *playlist_id)
    __attribute__((warn_unused_result));

#endif
