#include "sessions.h"

#include "ids.h"
#include "log.h"
#include "token.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *user_id;
    const char *ip;
    const char *user_agent;
    int ttl_s;
    const char *token_hash;
    sessions_grant_t *out;
} s_create_t;

typedef struct {
    const char *token_hash;
    const char *next_hash;
    sessions_grant_t *out;
    sessions_outcome_t outcome;
} s_rotate_t;

static void s_copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static bool s_true(const PGresult *res, int col)
{
    const char *v = db_value(res, 0, col);
    return v && v[0] == 't';
}

static int s_new_token(char token[SESSIONS_TOKEN_SIZE], char hash[65])
{
    if (token_random(SESSIONS_TOKEN_BYTES, token, SESSIONS_TOKEN_SIZE) < 0)
        return -1;
    token_sha256_hex(token, hash);
    return 0;
}

static db_err_t s_create_tx(db_t *db, void *arg)
{
    s_create_t *c = arg;
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", c->ttl_s);
    const char *params[] = {c->user_id, ttl, c->ip, c->user_agent};
    PGresult *res = NULL;
    db_err_t err = db_exec(db, STMT_SESSION_INSERT, params, &res);
    if (err != DB_OK)
        return err;
    s_copy(c->out->session_id, sizeof c->out->session_id, db_value(res, 0, 0));
    PQclear(res);
    const char *token[] = {c->token_hash, c->out->session_id};
    return db_exec(db, STMT_TOKEN_INSERT, token, NULL);
}

db_err_t sessions_create(db_t *db, const char *user_id, const char *role, const char *ip,
                         const char *user_agent, int ttl_s, sessions_grant_t *out)
{
    char hash[65];
    memset(out, 0, sizeof *out);
    if (s_new_token(out->refresh_token, hash) < 0)
        return DB_ERR_OTHER;
    s_copy(out->user_id, sizeof out->user_id, user_id);
    s_copy(out->role, sizeof out->role, role);
    s_create_t c = {user_id, ip, user_agent, ttl_s, hash, out};
    db_err_t err = db_transaction(db, s_create_tx, &c);
    if (err != DB_OK)
        memset(out, 0, sizeof *out);
    return err;
}

/* Columns of STMT_TOKEN_LOCK: session_id, user_id, role, used, token expired,
 * session revoked, session expired. */
static db_err_t s_judge(db_t *db, s_rotate_t *r, const PGresult *res)
{
    const char *sid = db_value(res, 0, 0), *uid = db_value(res, 0, 1);
    if (s_true(res, 3)) {
        log_warn("refresh token reused: revoking session %s", sid);
        r->outcome = SESSIONS_REUSED;
        const char *params[] = {sid, uid, "reuse"};
        return db_exec(db, STMT_SESSION_REVOKE, params, NULL);
    }
    if (s_true(res, 5)) {
        r->outcome = SESSIONS_REVOKED;
        return DB_OK;
    }
    if (s_true(res, 4) || s_true(res, 6)) {
        r->outcome = SESSIONS_EXPIRED;
        return DB_OK;
    }
    s_copy(r->out->session_id, sizeof r->out->session_id, sid);
    s_copy(r->out->user_id, sizeof r->out->user_id, uid);
    s_copy(r->out->role, sizeof r->out->role, db_value(res, 0, 2));
    r->outcome = SESSIONS_ROTATED;
    return DB_OK;
}

static db_err_t s_rotate_tx(db_t *db, void *arg)
{
    s_rotate_t *r = arg;
    r->outcome = SESSIONS_UNKNOWN;
    PGresult *res = NULL;
    const char *lock[] = {r->token_hash};
    db_err_t err = db_exec(db, STMT_TOKEN_LOCK, lock, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) == 1)
        err = s_judge(db, r, res);
    PQclear(res);
    if (err != DB_OK || r->outcome != SESSIONS_ROTATED)
        return err;
    const char *used[] = {r->token_hash};
    const char *next[] = {r->next_hash, r->out->session_id};
    const char *touch[] = {r->out->session_id};
    if ((err = db_exec(db, STMT_TOKEN_MARK_USED, used, NULL)) != DB_OK ||
        (err = db_exec(db, STMT_TOKEN_INSERT, next, NULL)) != DB_OK)
        return err;
    return db_exec(db, STMT_SESSION_TOUCH, touch, NULL);
}

db_err_t sessions_rotate(db_t *db, const char *refresh_token, sessions_grant_t *out,
                         sessions_outcome_t *outcome)
{
    char hash[65], next_hash[65], next_token[SESSIONS_TOKEN_SIZE];
    memset(out, 0, sizeof *out);
    *outcome = SESSIONS_UNKNOWN;
    if (!refresh_token || !refresh_token[0] || strlen(refresh_token) > SESSIONS_TOKEN_INPUT_MAX)
        return DB_OK;
    token_sha256_hex(refresh_token, hash);
    if (s_new_token(next_token, next_hash) < 0)
        return DB_ERR_OTHER;
    s_rotate_t r = {hash, next_hash, out, SESSIONS_UNKNOWN};
    db_err_t err = db_transaction(db, s_rotate_tx, &r);
    if (err != DB_OK || r.outcome != SESSIONS_ROTATED) {
        memset(out, 0, sizeof *out);
        *outcome = err == DB_OK ? r.outcome : SESSIONS_UNKNOWN;
        return err;
    }
    s_copy(out->refresh_token, sizeof out->refresh_token, next_token);
    *outcome = SESSIONS_ROTATED;
    return DB_OK;
}

db_err_t sessions_revoke(db_t *db, const char *session_id, const char *user_id, const char *reason)
{
    if (!ids_is_uuid(session_id) || !ids_is_uuid(user_id))
        return DB_ERR_NOT_FOUND;
    PGresult *res = NULL;
    const char *params[] = {session_id, user_id, reason};
    db_err_t err = db_exec(db, STMT_SESSION_REVOKE, params, &res);
    if (err != DB_OK)
        return err;
    bool changed = strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    return changed ? DB_OK : DB_ERR_NOT_FOUND;
}

db_err_t sessions_check(db_t *db, const char *session_id, const char *user_id)
{
    if (!ids_is_uuid(session_id) || !ids_is_uuid(user_id))
        return DB_ERR_NOT_FOUND;
    PGresult *res = NULL;
    const char *params[] = {session_id, user_id};
    db_err_t err = db_exec(db, STMT_SESSION_CHECK, params, &res);
    if (err != DB_OK)
        return err;
    bool found = PQntuples(res) == 1;
    PQclear(res);
    return found ? DB_OK : DB_ERR_NOT_FOUND;
}
