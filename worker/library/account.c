#include "account.h"

#include "audit.h"
#include "library_stmt.h"
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const stmt_t *s_stmt(library_stmt_id_t id)
{
    return &library_stmts[id];
}

static audit_entry_t s_entry(const char *user_id, const char *actor_id, const char *action,
                             const account_origin_t *from, const json_t *details)
{
    audit_entry_t e = {
        user_id, actor_id, action, from ? from->ip : NULL, from ? from->user_agent : NULL, details};
    return e;
}

/* Writes the audit entry and releases details (which may be NULL = out of memory). */
static db_err_t s_audit(db_t *db, const char *user_id, const char *action,
                        const account_origin_t *from, json_t *details)
{
    if (!details)
        return DB_ERR_OTHER;
    audit_entry_t e = s_entry(user_id, user_id, action, from, details);
    db_err_t err = audit_write(db, &e);
    json_decref(details);
    return err;
}

static bool s_changed(const PGresult *res)
{
    return strcmp(PQcmdTuples((PGresult *)res), "0") != 0;
}

/* Runs a statement with no result rows; DB_ERR_NOT_FOUND when it changed nothing. */
static db_err_t s_change(db_t *db, library_stmt_id_t id, const char *const *params)
{
    PGresult *res = NULL;
    db_err_t err = db_run(db, s_stmt(id), params, &res);
    if (err != DB_OK)
        return err;
    bool changed = s_changed(res);
    PQclear(res);
    return changed ? DB_OK : DB_ERR_NOT_FOUND;
}

typedef struct {
    const char *email, *hash, *name;
    long ttl_s;
    const account_origin_t *from;
    users_row_t *out;
} s_register_t;

static db_err_t s_register_tx(db_t *db, void *arg)
{
    s_register_t *r = arg;
    db_err_t err = users_insert(db, r->email, r->hash, r->name, r->out);
    if (err != DB_OK)
        return err;
    char token[ACCOUNT_VERIFY_TOKEN_SIZE], hash[65], ttl[24];
    if (token_random(ACCOUNT_VERIFY_TOKEN_BYTES, token, sizeof token) < 0)
        return DB_ERR_OTHER;
    token_sha256_hex(token, hash);
    snprintf(ttl, sizeof ttl, "%ld", r->ttl_s);
    const char *verify[] = {hash, r->out->id, ttl};
    if ((err = db_run(db, s_stmt(LIBRARY_STMT_VERIFY_INSERT), verify, NULL)) != DB_OK)
        return err;
    json_t *payload = json_pack("{s:s}", "token", token);
    char *payload_text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    explicit_bzero(token, sizeof token);
    if (!payload_text)
        return DB_ERR_OTHER;
    const char *outbox[] = {r->out->id, r->out->email, ACCOUNT_VERIFY_TEMPLATE, payload_text};
    err = db_run(db, s_stmt(LIBRARY_STMT_OUTBOX_INSERT), outbox, NULL);
    explicit_bzero(payload_text, strlen(payload_text));
    free(payload_text);
    if (err != DB_OK)
        return err;
    return s_audit(db, r->out->id, "user.registered", r->from, json_object());
}

db_err_t account_register(db_t *db, const char *email, const char *password_hash,
                          const char *display_name, long verify_ttl_s, const account_origin_t *from,
                          users_row_t *out)
{
    s_register_t r = {email, password_hash, display_name, verify_ttl_s, from, out};
    return db_transaction(db, s_register_tx, &r);
}

typedef struct {
    const char *hash;
    const account_origin_t *from;
} s_verify_t;

static db_err_t s_verify_tx(db_t *db, void *arg)
{
    s_verify_t *v = arg;
    PGresult *res = NULL;
    const char *use[] = {v->hash};
    db_err_t err = db_run(db, s_stmt(LIBRARY_STMT_VERIFY_USE), use, &res);
    if (err != DB_OK)
        return err;
    char user_id[USERS_ID_SIZE] = "";
    if (PQntuples(res) == 1)
        snprintf(user_id, sizeof user_id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!user_id[0])
        return DB_ERR_NOT_FOUND;
    const char *set[] = {user_id};
    if ((err = db_run(db, s_stmt(LIBRARY_STMT_USER_SET_VERIFIED), set, NULL)) != DB_OK)
        return err;
    return s_audit(db, user_id, "auth.email_verified", v->from, json_object());
}

db_err_t account_verify_email(db_t *db, const char *token, const account_origin_t *from)
{
    if (!token || !token[0] || strlen(token) > SESSIONS_TOKEN_INPUT_MAX)
        return DB_ERR_NOT_FOUND;
    char hash[65];
    token_sha256_hex(token, hash);
    s_verify_t v = {hash, from};
    return db_transaction(db, s_verify_tx, &v);
}

typedef struct {
    const char *user_id, *keep_sid, *hash;
    const account_origin_t *from;
} s_password_t;

static db_err_t s_password_tx(db_t *db, void *arg)
{
    s_password_t *p = arg;
    const char *set[] = {p->user_id, p->hash};
    db_err_t err = s_change(db, LIBRARY_STMT_USER_SET_PASSWORD, set);
    if (err != DB_OK)
        return err;
    PGresult *res = NULL;
    const char *revoke[] = {p->user_id, p->keep_sid, "password"};
    if ((err = db_run(db, s_stmt(LIBRARY_STMT_SESSIONS_REVOKE_OTHERS), revoke, &res)) != DB_OK)
        return err;
    long revoked = strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return s_audit(db, p->user_id, "auth.password_changed", p->from,
                   json_pack("{s:I}", "sessions_revoked", (json_int_t)revoked));
}

db_err_t account_set_password(db_t *db, const char *user_id, const char *keep_sid,
                              const char *new_hash, const account_origin_t *from)
{
    s_password_t p = {user_id, keep_sid, new_hash, from};
    return db_transaction(db, s_password_tx, &p);
}

typedef struct {
    const char *user_id;
    const json_t *patch;
    const account_origin_t *from;
} s_profile_t;

static db_err_t s_profile_tx(db_t *db, void *arg)
{
    s_profile_t *p = arg;
    char *patch = json_dumps(p->patch, JSON_COMPACT);
    json_t *fields = json_array();
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)p->patch, key, value)
    {
        if (fields && json_array_append_new(fields, json_string(key)) < 0)
            break;
    }
    const char *ensure[] = {p->user_id};
    const char *params[] = {p->user_id, patch};
    db_err_t err = (!patch || !fields) ? DB_ERR_OTHER : DB_OK;
    if (err == DB_OK)
        err = db_run(db, s_stmt(LIBRARY_STMT_PROFILE_ENSURE), ensure, NULL);
    if (err == DB_OK)
        err = db_run(db, s_stmt(LIBRARY_STMT_PROFILE_PATCH), params, NULL);
    free(patch);
    if (err != DB_OK) {
        json_decref(fields);
        return err;
    }
    return s_audit(db, p->user_id, "user.profile_updated", p->from,
                   json_pack("{s:o}", "fields", fields));
}

db_err_t account_patch_profile(db_t *db, const char *user_id, const json_t *patch,
                               const account_origin_t *from)
{
    s_profile_t p = {user_id, patch, from};
    return db_transaction(db, s_profile_tx, &p);
}

typedef struct {
    const char *user_id;
    const account_origin_t *from;
} s_delete_t;

static db_err_t s_delete_tx(db_t *db, void *arg)
{
    s_delete_t *d = arg;
    const char *user[] = {d->user_id};
    db_err_t err = s_change(db, LIBRARY_STMT_USER_SOFT_DELETE, user);
    if (err != DB_OK)
        return err;
    const char *revoke[] = {d->user_id, NULL, "deleted"};
    if ((err = db_run(db, s_stmt(LIBRARY_STMT_SESSIONS_REVOKE_OTHERS), revoke, NULL)) != DB_OK)
        return err;
    return s_audit(db, d->user_id, "user.deleted", d->from, json_pack("{s:s}", "reason", "self"));
}

db_err_t account_delete(db_t *db, const char *user_id, const account_origin_t *from)
{
    s_delete_t d = {user_id, from};
    return db_transaction(db, s_delete_tx, &d);
}

db_err_t account_touch_active(db_t *db, const char *user_id)
{
    const char *params[] = {user_id};
    return db_run(db, s_stmt(LIBRARY_STMT_USER_TOUCH_ACTIVE), params, NULL);
}

db_err_t account_sessions_list(db_t *db, const char *user_id, const char *current_sid,
                               const pager_t *pg, json_t **out)
{
    const char *before[] = {user_id}, *after[] = {current_sid};
    return pager_run(db, s_stmt(LIBRARY_STMT_SESSIONS_LIST), before, 1, after, 1, pg, out);
}

db_err_t account_export(db_t *db, const char *user_id, json_t **out)
{
    *out = NULL;
    PGresult *res = NULL;
    const char *params[] = {user_id};
    db_err_t err = db_run(db, s_stmt(LIBRARY_STMT_EXPORT), params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) == 1)
        *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    return *out ? DB_OK : DB_ERR_OTHER;
}
