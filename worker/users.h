/* users — the accounts repository: users and user_profiles rows.
 *
 * Functions return DB_OK or a db_err_t (db.h): DB_ERR_NOT_FOUND when there is no such
 * user, DB_ERR_UNIQUE when an email is taken, DB_ERR_UNAVAILABLE when PostgreSQL
 * cannot be reached. Inputs are expected to be validated (validate.h) already; the
 * repository relies on the schema's constraints for the rest.
 */
#ifndef BEDROCK_WORKER_USERS_H
#define BEDROCK_WORKER_USERS_H

#include "db.h"
#include "password.h"

#include <stdbool.h>

#define USERS_ID_SIZE 37 /* UUID text + NUL */
#define USERS_EMAIL_SIZE 256
#define USERS_ROLE_SIZE 51

typedef struct {
    char id[USERS_ID_SIZE];
    char email[USERS_EMAIL_SIZE];
    char role[USERS_ROLE_SIZE];
    char password_hash[PASSWORD_HASH_MAX];
    bool is_verified;
} users_row_t;

/* Everything GET /v1/me shows. Strings are malloc'd (NULL for SQL NULL) and freed by
 * users_me_clear. */
typedef struct {
    users_row_t user;
    char *created_at; /* ISO 8601 UTC, "2026-11-25T18:00:00Z" */
    char *display_name;
    char *avatar_url;
    char *bio;
    char *language;
    char *region;
    char *privacy;
    bool notifications;
} users_me_t;

/* Creates the user and its profile row in one transaction; display_name may be NULL.
 * DB_ERR_UNIQUE when the email is taken (also under concurrent registrations: the
 * unique index decides). *out gets id, email and role. */
db_err_t users_create(db_t *db, const char *email, const char *password_hash,
                      const char *display_name, users_row_t *out)
    __attribute__((warn_unused_result));

/* The statements of users_create, for a caller that runs them inside its own
 * transaction (registration with its verification email: library/account.h). */
db_err_t users_insert(db_t *db, const char *email, const char *password_hash,
                      const char *display_name, users_row_t *out)
    __attribute__((warn_unused_result));

/* Accounts that are soft-deleted (users.deleted_at set) are not found by email: their
 * login fails like an unknown email's. */
db_err_t users_find_by_email(db_t *db, const char *email, users_row_t *out)
    __attribute__((warn_unused_result));

/* id must be a UUID (ids_is_uuid); anything else is DB_ERR_NOT_FOUND without a query. */
db_err_t users_find_by_id(db_t *db, const char *id, users_row_t *out)
    __attribute__((warn_unused_result));

db_err_t users_load_me(db_t *db, const char *id, users_me_t *out)
    __attribute__((warn_unused_result));
void users_me_clear(users_me_t *me);

#endif
