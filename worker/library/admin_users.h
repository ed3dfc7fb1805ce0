/* admin_users — what administrators see and change of other accounts: the accounts
 * list and roles. Role changes are audited in the same transaction
 * (user.role_changed {from, to, via}). Functions return DB_OK or a db_err_t.
 * An account reads as {id, email, role, is_verified, display_name, created_at,
 * last_active_at, deleted_at}.
 */
#ifndef BEDROCK_WORKER_ADMIN_USERS_H
#define BEDROCK_WORKER_ADMIN_USERS_H

#include "account.h"
#include "db.h"
#include "pager.h"

#include <jansson.h>
#include <stdbool.h>

/* True for "user" and "admin". */
bool admin_users_role_ok(const char *role);

/* Every account (soft-deleted ones too), newest first; email_filter NULL = all, else
 * a case-insensitive substring of the email. */
db_err_t admin_users_list(db_t *db, const char *email_filter, const pager_t *pg, json_t **out)
    __attribute__((warn_unused_result));

/* Sets the role of user_id (a UUID) and returns the account (new reference in *out).
 * actor_id is the admin (NULL: the system), via "admin" | "bedrockctl".
 * DB_ERR_NOT_FOUND when there is no such account. */
db_err_t admin_users_set_role(db_t *db, const char *user_id, const char *role, const char *actor_id,
                              const char *via, const account_origin_t *from, json_t **out)
    __attribute__((warn_unused_result));

/* The same, found by (normalised) email among accounts that are not deleted. */
db_err_t admin_users_promote(db_t *db, const char *email, const char *role, json_t **out)
    __attribute__((warn_unused_result));

#endif
