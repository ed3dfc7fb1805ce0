/* playlist_items — editing the ordered items of a user's playlist.
 *
 * Positions are dense from 0 and unique. Every edit is one transaction that first
 * locks the playlist row (SELECT ... FOR UPDATE, owner checked in the same
 * statement), so two clients editing one playlist at once run one after the other;
 * positions shift inside the transaction (the primary key (playlist_id, position) is
 * deferred to commit). Track ids are validated by the caller (ids_parse).
 *
 * Functions return DB_OK or a db_err_t; what happened is in *outcome when DB_OK.
 */
#ifndef BEDROCK_WORKER_PLAYLIST_ITEMS_H
#define BEDROCK_WORKER_PLAYLIST_ITEMS_H

#include "db.h"

#include <jansson.h>

typedef enum {
    PLAYLIST_ITEMS_DONE = 0,
    PLAYLIST_ITEMS_NO_PLAYLIST,  /* no such playlist of this user */
    PLAYLIST_ITEMS_FULL,         /* the change would pass max_items */
    PLAYLIST_ITEMS_BAD_POSITION, /* add: position > current count */
    PLAYLIST_ITEMS_NO_ITEM,      /* remove: no item at that position */
} playlist_items_outcome_t;

/* Inserts track_ids (a JSON array of strings) at position, shifting the items at and
 * after it; position -1 appends. */
db_err_t playlist_items_add(db_t *db, const char *user_id, const char *playlist_id,
                            const json_t *track_ids, long position, long max_items,
                            playlist_items_outcome_t *outcome) __attribute__((warn_unused_result));

/* Removes the item at position; the later ones shift down by one. */
db_err_t playlist_items_remove(db_t *db, const char *user_id, const char *playlist_id,
                               long position, playlist_items_outcome_t *outcome)
    __attribute__((warn_unused_result));

/* Replaces every item by track_ids, in that order (replace or reorder). */
db_err_t playlist_items_replace(db_t *db, const char *user_id, const char *playlist_id,
                                const json_t *track_ids, long max_items,
                                playlist_items_outcome_t *outcome)
    __attribute__((warn_unused_result));

#endif
