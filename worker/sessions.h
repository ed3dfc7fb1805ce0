/* sessions — logins (sessions rows) and their rotating refresh tokens.
 *
 * A refresh token is 32 random bytes as base64url, given to the client once and
 * stored only as its SHA-256 hex. Each use marks it used and issues the next token of
 * the same session; presenting a used token again means it was stolen (or replayed),
 * so the whole session is revoked (reason 'reuse').
 *
 * Functions return DB_OK or a db_err_t (db.h).
 */
#ifndef BEDROCK_WORKER_SESSIONS_H
#define BEDROCK_WORKER_SESSIONS_H

#include "db.h"
#include "users.h"

#define SESSIONS_TOKEN_BYTES 32
#define SESSIONS_TOKEN_SIZE 64       /* 43 base64url characters + NUL, with room */
#define SESSIONS_TOKEN_INPUT_MAX 512 /* longer presented tokens are unknown without a query */

typedef struct {
    char session_id[USERS_ID_SIZE];
    char user_id[USERS_ID_SIZE];
    char role[USERS_ROLE_SIZE];
    char refresh_token[SESSIONS_TOKEN_SIZE]; /* the plain token: hand it out, never log it */
} sessions_grant_t;

typedef enum {
    SESSIONS_ROTATED = 0, /* *grant holds the same session and the next token */
    SESSIONS_UNKNOWN,     /* no such token */
    SESSIONS_EXPIRED,     /* the token or its session expired */
    SESSIONS_REVOKED,     /* the session was revoked (logout, reuse) */
    SESSIONS_REUSED,      /* an already used token: the session has just been revoked */
} sessions_outcome_t;

/* Creates a session expiring in ttl_s seconds and its first refresh token, in one
 * transaction. ip and user_agent may be NULL or "" (stored as NULL). */
db_err_t sessions_create(db_t *db, const char *user_id, const char *role, const char *ip,
                         const char *user_agent, int ttl_s, sessions_grant_t *out)
    __attribute__((warn_unused_result));

/* Rotates refresh_token in one transaction (the token row and its session locked FOR
 * UPDATE). On DB_OK, *outcome says what happened; *out is filled only when ROTATED. */
db_err_t sessions_rotate(db_t *db, const char *refresh_token, sessions_grant_t *out,
                         sessions_outcome_t *outcome) __attribute__((warn_unused_result));

/* Revokes the session if it belongs to user_id and is not revoked yet; DB_ERR_NOT_FOUND
 * when nothing was revoked. */
db_err_t sessions_revoke(db_t *db, const char *session_id, const char *user_id, const char *reason)
    __attribute__((warn_unused_result));

/* DB_OK when session_id belongs to user_id and is neither revoked nor expired;
 * DB_ERR_NOT_FOUND otherwise (malformed ids included, without a query). */
db_err_t sessions_check(db_t *db, const char *session_id, const char *user_id)
    __attribute__((warn_unused_result));

#endif
