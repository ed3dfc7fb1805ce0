#include "plays_store.h"

#include "discovery_stmt.h"

#include <stdio.h>

typedef struct {
    plays_store_play_t *play;
    bool counted; /* the caller's verdict; play->counted is recomputed on each attempt */
} s_tx_t;

static db_err_t s_run(db_t *db, discovery_stmt_id_t id, const char *const *params, PGresult **res)
{
    return db_run(db, &discovery_stmts[id], params, res);
}

/* A counted play of this user and track within the window (under the advisory lock). */
static db_err_t s_recent(db_t *db, const plays_store_play_t *p, bool *recent)
{
    char key[256], window[16];
    snprintf(key, sizeof key, "%s:%s", p->user_id, p->track_id);
    snprintf(window, sizeof window, "%d", p->window_s);
    const char *lock[] = {key};
    db_err_t err = s_run(db, DISCOVERY_STMT_PLAY_LOCK, lock, NULL);
    if (err != DB_OK)
        return err;
    const char *params[] = {p->user_id, p->track_id, window};
    PGresult *res = NULL;
    err = s_run(db, DISCOVERY_STMT_PLAY_RECENT, params, &res);
    if (err != DB_OK)
        return err;
    *recent = PQntuples(res) > 0;
    PQclear(res);
    return DB_OK;
}

static db_err_t s_tx(db_t *db, void *arg)
{
    s_tx_t *tx = arg;
    plays_store_play_t *p = tx->play;
    p->counted = tx->counted;
    db_err_t err = DB_OK;
    if (p->counted && p->check_recent) {
        bool recent = false;
        err = s_recent(db, p, &recent);
        p->counted = !recent;
    }
    char played[24];
    snprintf(played, sizeof played, "%lld", p->played_ms);
    const char *history[] = {p->user_id, p->track_id, p->played_ms >= 0 ? played : NULL,
                             p->counted ? "true" : "false"};
    if (err == DB_OK)
        err = s_run(db, DISCOVERY_STMT_PLAY_HISTORY_INSERT, history, NULL);
    if (err != DB_OK || !p->counted)
        return err;
    const char *user_track[] = {p->user_id, p->track_id};
    err = s_run(db, DISCOVERY_STMT_PLAY_COUNT_USER, user_track, NULL);
    const char *track[] = {p->track_id};
    return err == DB_OK ? s_run(db, DISCOVERY_STMT_PLAY_COUNT_TRACK, track, NULL) : err;
}

db_err_t plays_store_record(db_t *db, plays_store_play_t *play)
{
    s_tx_t tx = {.play = play, .counted = play->counted};
    return db_transaction(db, s_tx, &tx);
}
