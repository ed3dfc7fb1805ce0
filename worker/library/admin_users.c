#include "admin_users.h"

#include "audit.h"
#include "library_stmt.h"
#include "users.h"

#include <stdio.h>
#include <string.h>

bool admin_users_role_ok(const char *role)
{
    return role && (!strcmp(role, "user") || !strcmp(role, "admin"));
}

db_err_t admin_users_list(db_t *db, const char *email_filter, const pager_t *pg, json_t **out)
{
    const char *before[] = {email_filter};
    return pager_run(db, &library_stmts[LIBRARY_STMT_ADMIN_USERS_LIST], before, 1, NULL, 0, pg,
                     out);
}

typedef struct {
    const char *email; /* set: find the account by email (promote) */
    char user_id[USERS_ID_SIZE];
    const char *role, *actor_id, *via;
    const account_origin_t *from;
    json_t *out;
} s_role_t;

/* Locks the account row; fills user_id (by email) and the current role. */
static db_err_t s_lock(db_t *db, s_role_t *r, char *old_role, size_t size)
{
    PGresult *res = NULL;
    const char *by_id[] = {r->user_id}, *by_email[] = {r->email};
    db_err_t err = r->email
                       ? db_run(db, &library_stmts[LIBRARY_STMT_USER_LOCK_BY_EMAIL], by_email, &res)
                       : db_run(db, &library_stmts[LIBRARY_STMT_USER_LOCK], by_id, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_ERR_NOT_FOUND;
    }
    if (r->email)
        snprintf(r->user_id, sizeof r->user_id, "%s", PQgetvalue(res, 0, 0));
    snprintf(old_role, size, "%s", PQgetvalue(res, 0, r->email ? 1 : 0));
    PQclear(res);
    return DB_OK;
}

static db_err_t s_get(db_t *db, const char *user_id, json_t **out)
{
    PGresult *res = NULL;
    const char *params[] = {user_id};
    db_err_t err = db_run(db, &library_stmts[LIBRARY_STMT_ADMIN_USER_GET], params, &res);
    if (err != DB_OK)
        return err;
    *out = PQntuples(res) == 1 ? json_loads(PQgetvalue(res, 0, 0), 0, NULL) : NULL;
    PQclear(res);
    return *out ? DB_OK : DB_ERR_OTHER;
}

static db_err_t s_role_tx(db_t *db, void *arg)
{
    s_role_t *r = arg;
    json_decref(r->out);
    r->out = NULL;
    char old_role[USERS_ROLE_SIZE];
    db_err_t err = s_lock(db, r, old_role, sizeof old_role);
    if (err != DB_OK)
        return err;
    const char *set[] = {r->user_id, r->role};
    if ((err = db_run(db, &library_stmts[LIBRARY_STMT_USER_SET_ROLE], set, NULL)) != DB_OK)
        return err;
    json_t *details = json_pack("{s:s, s:s, s:s}", "from", old_role, "to", r->role, "via", r->via);
    if (!details)
        return DB_ERR_OTHER;
    audit_entry_t e = {r->user_id,
                       r->actor_id,
                       "user.role_changed",
                       r->from ? r->from->ip : NULL,
                       r->from ? r->from->user_agent : NULL,
                       details};
    err = audit_write(db, &e);
    json_decref(details);
    return err != DB_OK ? err : s_get(db, r->user_id, &r->out);
}

static db_err_t s_set_role(db_t *db, s_role_t *r, json_t **out)
{
    db_err_t err = db_transaction(db, s_role_tx, r);
    if (err != DB_OK) {
        json_decref(r->out);
        r->out = NULL;
    }
    *out = r->out;
    return err;
}

db_err_t admin_users_set_role(db_t *db, const char *user_id, const char *role, const char *actor_id,
                              const char *via, const account_origin_t *from, json_t **out)
{
    s_role_t r = {.role = role, .actor_id = actor_id, .via = via, .from = from};
    snprintf(r.user_id, sizeof r.user_id, "%s", user_id);
    return s_set_role(db, &r, out);
}

db_err_t admin_users_promote(db_t *db, const char *email, const char *role, json_t **out)
{
    s_role_t r = {.email = email, .role = role, .via = "bedrockctl"};
    return s_set_role(db, &r, out);
}
