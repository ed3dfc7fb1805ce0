/* plays_store — one play written to PostgreSQL. Owner: discovery engineer (C2).
 *
 * In ONE transaction: the listening_history row (counted or not) and, for a counted play,
 * +1 in play_counts (user, track; last_played_at = now()) and in track_play_counts. So
 * the counts always equal the number of counted history rows.
 *
 * De-duplication without Redis (check_recent): inside the same transaction, an advisory
 * lock on "user:track" serialises concurrent plays of the same user and track across
 * workers, then a counted play of theirs newer than window_s turns this one into a
 * non-counted one.
 */
#ifndef BEDROCK_WORKER_PLAYS_STORE_H
#define BEDROCK_WORKER_PLAYS_STORE_H

#include "db.h"

#include <stdbool.h>

typedef struct {
    const char *user_id;  /* UUID */
    const char *track_id; /* "platform:native" */
    long long played_ms;  /* -1 = not given (stored as NULL) */
    bool counted;         /* in: the play counts by its length; out: whether it was counted */
    bool check_recent;    /* Redis was unavailable: de-duplicate here */
    int window_s;
} plays_store_play_t;

/* DB_OK, or a db_err_t (DB_ERR_FOREIGN_KEY: no such user). */
db_err_t plays_store_record(db_t *db, plays_store_play_t *play) __attribute__((warn_unused_result));

#endif
