/* audit — the audit trail (audit_log): who did what to which account, from where.
 *
 * Actions written (action: user_id = the account concerned, actor_id = who acted):
 *   user.registered         the new account itself
 *   auth.login.succeeded    details {session_id}
 *   auth.login.failed       details {email_sha256, reason: unknown_email|wrong_password};
 *                           user_id set when the email belongs to an account. The email
 *                           is stored only hashed: people type passwords into the email
 *                           field, and an address that has no account is not ours to keep.
 *   auth.logout             details {session_id}
 *   auth.password_changed   details {sessions_revoked}
 *   auth.password_change_failed  (wrong current password)
 *   auth.email_verified
 *   user.profile_updated    details {fields: [names of the changed fields]} (no values)
 *   session.revoked         details {session_id}
 *   user.deleted            details {reason: self|inactive}
 *   user.role_changed       details {from, to, via: admin|bedrockctl}
 *   admin.users.listed      details {email_filter: bool, count} (the filter text is not kept)
 *   admin.audit.listed      user_id = the account whose trail was read, if one was asked for
 *   user.purged             user_id and actor_id NULL, details {user_id_sha256}
 * Rate-limited logins (429) are logged, not audited: an attack must not grow the table.
 * Passwords, tokens and their hashes never appear in an entry.
 */
#ifndef BEDROCK_WORKER_AUDIT_H
#define BEDROCK_WORKER_AUDIT_H

#include "db.h"
#include "pager.h"

#include <jansson.h>

typedef struct {
    const char *user_id;  /* account concerned, or NULL */
    const char *actor_id; /* who acted, or NULL (the system, an unknown client) */
    const char *action;
    const char *ip;         /* may be NULL or "" */
    const char *user_agent; /* may be NULL or "" */
    const json_t *details;  /* object or NULL (= {}); borrowed */
} audit_entry_t;

/* Writes the entry (inside the caller's transaction when there is one). */
db_err_t audit_write(db_t *db, const audit_entry_t *e) __attribute__((warn_unused_result));

/* The same for entries that must not fail the request they describe (logins,
 * logouts): a failure is logged and forgotten. */
void audit_note(db_t *db, const audit_entry_t *e);

/* A page of the trail, newest first ({items, next_cursor}, new reference in *out).
 * user_id NULL = every entry. */
db_err_t audit_list(db_t *db, const char *user_id, const pager_t *pg, json_t **out)
    __attribute__((warn_unused_result));

#endif
