/* account — the account lifecycle: registration with its verification email, email
 * verification, password change, profile changes, soft deletion, sessions list and
 * the export of everything held about a user.
 *
 * Every multi-statement change runs in one transaction together with its audit entry
 * (audit.h): the change and its record are kept or lost together.
 * Functions return DB_OK or a db_err_t (db.h).
 */
#ifndef BEDROCK_WORKER_ACCOUNT_H
#define BEDROCK_WORKER_ACCOUNT_H

#include "db.h"
#include "pager.h"
#include "sessions.h"
#include "users.h"

#include <jansson.h>

/* Where a request came from, for the audit trail (both may be NULL or ""). */
typedef struct {
    const char *ip;
    const char *user_agent;
} account_origin_t;

/* Verification tokens: 32 random bytes as base64url, stored only as SHA-256 hex. */
#define ACCOUNT_VERIFY_TOKEN_BYTES 32
#define ACCOUNT_VERIFY_TOKEN_SIZE 64
#define ACCOUNT_VERIFY_TEMPLATE "verify_email"

/* users_create plus, in the same transaction, a verification token (expiring in
 * verify_ttl_s), its email_outbox row {template: "verify_email", payload: {token}}
 * and a user.registered audit entry. DB_ERR_UNIQUE when the email is taken. */
db_err_t account_register(db_t *db, const char *email, const char *password_hash,
                          const char *display_name, long verify_ttl_s, const account_origin_t *from,
                          users_row_t *out) __attribute__((warn_unused_result));

/* Uses token (once, unexpired, account not deleted), sets is_verified, audits.
 * DB_ERR_NOT_FOUND when the token is unknown, expired or used. */
db_err_t account_verify_email(db_t *db, const char *token, const account_origin_t *from)
    __attribute__((warn_unused_result));

/* Stores new_hash and revokes every session of the user but keep_sid (reason
 * "password"), audited. DB_ERR_NOT_FOUND when the account is gone. */
db_err_t account_set_password(db_t *db, const char *user_id, const char *keep_sid,
                              const char *new_hash, const account_origin_t *from)
    __attribute__((warn_unused_result));

/* Applies patch (a flat object of user_profiles columns: display_name, avatar_url,
 * bio, language, region, privacy, notifications — validated by the caller) and audits
 * user.profile_updated with the names of the fields. */
db_err_t account_patch_profile(db_t *db, const char *user_id, const json_t *patch,
                               const account_origin_t *from) __attribute__((warn_unused_result));

/* Soft deletion: deleted_at = now(), every session revoked (reason "deleted"),
 * audited user.deleted {reason: "self"}. */
db_err_t account_delete(db_t *db, const char *user_id, const account_origin_t *from)
    __attribute__((warn_unused_result));

/* last_active_at = now() (logins and token refreshes; the inactivity policy reads it). */
db_err_t account_touch_active(db_t *db, const char *user_id) __attribute__((warn_unused_result));

/* The user's live sessions, newest first; current_sid's has current: true. */
db_err_t account_sessions_list(db_t *db, const char *user_id, const char *current_sid,
                               const pager_t *pg, json_t **out) __attribute__((warn_unused_result));

/* One JSON document with everything held about the user (new reference in *out). */
db_err_t account_export(db_t *db, const char *user_id, json_t **out)
    __attribute__((warn_unused_result));

#endif
