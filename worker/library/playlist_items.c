#include "playlist_items.h"

#include "library_stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { S_ADD, S_REMOVE, S_REPLACE } s_kind_t;

typedef struct {
    s_kind_t kind;
    const char *user_id, *playlist_id;
    const char *tracks; /* JSON array text (add, replace) */
    long n_tracks;
    long position; /* add: -1 = append; remove: the position */
    long max_items;
    playlist_items_outcome_t outcome;
} s_edit_t;

static db_err_t s_run(db_t *db, library_stmt_id_t id, const char *const *params, PGresult **out)
{
    return db_run(db, &library_stmts[id], params, out);
}

/* Locks the playlist (owner checked) and counts its items once the lock is held. */
static db_err_t s_lock_and_count(db_t *db, s_edit_t *e, long *count)
{
    PGresult *res = NULL;
    const char *lock[] = {e->user_id, e->playlist_id};
    db_err_t err = s_run(db, LIBRARY_STMT_PL_LOCK, lock, &res);
    if (err != DB_OK)
        return err;
    int rows = PQntuples(res);
    PQclear(res);
    if (rows != 1) {
        e->outcome = PLAYLIST_ITEMS_NO_PLAYLIST;
        return DB_OK;
    }
    const char *pl[] = {e->playlist_id};
    if ((err = s_run(db, LIBRARY_STMT_PL_COUNT, pl, &res)) != DB_OK)
        return err;
    *count = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return DB_OK;
}

static db_err_t s_add(db_t *db, s_edit_t *e, long count)
{
    long at = e->position < 0 ? count : e->position;
    if (at > count) {
        e->outcome = PLAYLIST_ITEMS_BAD_POSITION;
        return DB_OK;
    }
    if (count + e->n_tracks > e->max_items) {
        e->outcome = PLAYLIST_ITEMS_FULL;
        return DB_OK;
    }
    char at_text[24], by[24];
    snprintf(at_text, sizeof at_text, "%ld", at);
    snprintf(by, sizeof by, "%ld", e->n_tracks);
    const char *shift[] = {e->playlist_id, at_text, by};
    const char *insert[] = {e->playlist_id, at_text, e->tracks};
    db_err_t err = DB_OK;
    if (at < count)
        err = s_run(db, LIBRARY_STMT_PL_SHIFT_UP, shift, NULL);
    return err != DB_OK ? err : s_run(db, LIBRARY_STMT_PL_INSERT_ITEMS, insert, NULL);
}

static db_err_t s_remove(db_t *db, s_edit_t *e)
{
    char pos[24];
    snprintf(pos, sizeof pos, "%ld", e->position);
    const char *params[] = {e->playlist_id, pos};
    PGresult *res = NULL;
    db_err_t err = s_run(db, LIBRARY_STMT_PL_REMOVE_AT, params, &res);
    if (err != DB_OK)
        return err;
    bool removed = strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    if (!removed) {
        e->outcome = PLAYLIST_ITEMS_NO_ITEM;
        return DB_OK;
    }
    return s_run(db, LIBRARY_STMT_PL_SHIFT_DOWN, params, NULL);
}

static db_err_t s_replace(db_t *db, s_edit_t *e)
{
    if (e->n_tracks > e->max_items) {
        e->outcome = PLAYLIST_ITEMS_FULL;
        return DB_OK;
    }
    const char *pl[] = {e->playlist_id};
    const char *insert[] = {e->playlist_id, "0", e->tracks};
    db_err_t err = s_run(db, LIBRARY_STMT_PL_CLEAR, pl, NULL);
    return err != DB_OK ? err : s_run(db, LIBRARY_STMT_PL_INSERT_ITEMS, insert, NULL);
}

/* A refused edit (outcome set) commits nothing: it is rolled back by returning
 * DB_ERR_NOT_FOUND, which s_edit turns back into DB_OK. */
static db_err_t s_edit_tx(db_t *db, void *arg)
{
    s_edit_t *e = arg;
    e->outcome = PLAYLIST_ITEMS_DONE;
    long count = 0;
    db_err_t err = s_lock_and_count(db, e, &count);
    if (err == DB_OK && e->outcome == PLAYLIST_ITEMS_DONE) {
        if (e->kind == S_ADD)
            err = s_add(db, e, count);
        else if (e->kind == S_REMOVE)
            err = s_remove(db, e);
        else
            err = s_replace(db, e);
    }
    if (err != DB_OK)
        return err;
    if (e->outcome != PLAYLIST_ITEMS_DONE)
        return DB_ERR_NOT_FOUND;
    const char *pl[] = {e->playlist_id};
    return s_run(db, LIBRARY_STMT_PL_TOUCH, pl, NULL);
}

static db_err_t s_edit(db_t *db, s_edit_t *e, const json_t *track_ids,
                       playlist_items_outcome_t *outcome)
{
    char *tracks = NULL;
    if (track_ids) {
        if (!(tracks = json_dumps(track_ids, JSON_COMPACT)))
            return DB_ERR_OTHER;
        e->tracks = tracks;
        e->n_tracks = (long)json_array_size(track_ids);
    }
    db_err_t err = db_transaction(db, s_edit_tx, e);
    free(tracks);
    if (err == DB_ERR_NOT_FOUND && e->outcome != PLAYLIST_ITEMS_DONE)
        err = DB_OK;
    *outcome = e->outcome;
    return err;
}

db_err_t playlist_items_add(db_t *db, const char *user_id, const char *playlist_id,
                            const json_t *track_ids, long position, long max_items,
                            playlist_items_outcome_t *outcome)
{
    s_edit_t e = {S_ADD, user_id, playlist_id, NULL, 0, position, max_items, PLAYLIST_ITEMS_DONE};
    return s_edit(db, &e, track_ids, outcome);
}

db_err_t playlist_items_remove(db_t *db, const char *user_id, const char *playlist_id,
                               long position, playlist_items_outcome_t *outcome)
{
    s_edit_t e = {S_REMOVE, user_id, playlist_id, NULL, 0, position, 0, PLAYLIST_ITEMS_DONE};
    return s_edit(db, &e, NULL, outcome);
}

db_err_t playlist_items_replace(db_t *db, const char *user_id, const char *playlist_id,
                                const json_t *track_ids, long max_items,
                                playlist_items_outcome_t *outcome)
{
    s_edit_t e = {S_REPLACE, user_id, playlist_id, NULL, 0, -1, max_items, PLAYLIST_ITEMS_DONE};
    return s_edit(db, &e, track_ids, outcome);
}
