/* history — what a user listened to (listening_history, written by plays.record) and
 * searched for (search_history, written by search.query), newest first.
 * Functions return DB_OK or a db_err_t; lists are {items, next_cursor} (pager.h).
 */
#ifndef BEDROCK_WORKER_HISTORY_H
#define BEDROCK_WORKER_HISTORY_H

#include "db.h"
#include "pager.h"

#include <jansson.h>

/* Items {id, track_id, played_at, played_ms, counted}. */
db_err_t history_plays(db_t *db, const char *user_id, const pager_t *pg, json_t **out)
    __attribute__((warn_unused_result));

/* Items {id, query, types, platform, created_at}. */
db_err_t history_searches(db_t *db, const char *user_id, const pager_t *pg, json_t **out)
    __attribute__((warn_unused_result));

/* Forgets every search of the user. */
db_err_t history_clear_searches(db_t *db, const char *user_id) __attribute__((warn_unused_result));

#endif
