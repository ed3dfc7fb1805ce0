/* retention — the purge of deleted accounts and the optional inactivity policy
 * (users.purge, triggered by `bedrockctl purge` or a timer).
 *
 * 1. When inactive_days > 0, accounts (admins excepted) whose last login (or, never
 *    logged in, registration) is older than inactive_days are soft-deleted: sessions
 *    revoked, audited user.deleted {reason: "inactive"}. They are purged like any
 *    other deleted account once the retention window has passed.
 * 2. Accounts soft-deleted at least older_than_days ago are removed with every row
 *    that refers to them (ON DELETE CASCADE from users: profile, sessions and refresh
 *    tokens, favorites, playlists and items, listening history, play counts, search
 *    history, playback state, verification tokens, outbox) and the audit entries about
 *    them or by them; one audit entry user.purged {user_id_sha256} per account remains,
 *    with no personal data. Batches of `batch` accounts, one statement each.
 *
 * A run is bounded by a time budget: the worker is single-threaded and cannot send
 * heartbeats meanwhile, so a long purge would look like a dead worker. When the budget
 * is spent with work left, out->more is true and the caller (bedrockctl purge) asks
 * again. Every batch is committed on its own, so an interrupted run loses nothing.
 */
#ifndef BEDROCK_WORKER_RETENTION_H
#define BEDROCK_WORKER_RETENTION_H

#include "db.h"

#include <stdbool.h>

typedef struct {
    long inactivated; /* accounts soft-deleted by the inactivity policy */
    long purged;      /* accounts removed */
    bool more;        /* the budget ran out before the work did */
} retention_result_t;

db_err_t retention_run(db_t *db, long older_than_days, long inactive_days, long batch,
                       long budget_ms, retention_result_t *out) __attribute__((warn_unused_result));

#endif
