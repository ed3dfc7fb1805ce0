#include "users.h"

#include "ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *email;
    const char *password_hash;
    const char *display_name;
    users_row_t *out;
} s_create_t;

static void s_copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static bool s_bool(const char *v)
{
    return v && v[0] == 't';
}

db_err_t users_insert(db_t *db, const char *email, const char *password_hash,
                      const char *display_name, users_row_t *out)
{
    PGresult *res = NULL;
    const char *user[] = {email, password_hash};
    db_err_t err = db_exec(db, STMT_USER_INSERT, user, &res);
    if (err != DB_OK)
        return err;
    memset(out, 0, sizeof *out);
    s_copy(out->id, sizeof out->id, db_value(res, 0, 0));
    s_copy(out->email, sizeof out->email, db_value(res, 0, 1));
    s_copy(out->role, sizeof out->role, db_value(res, 0, 2));
    PQclear(res);
    const char *profile[] = {out->id, display_name};
    return db_exec(db, STMT_PROFILE_INSERT, profile, NULL);
}

static db_err_t s_create_tx(db_t *db, void *arg)
{
    s_create_t *c = arg;
    return users_insert(db, c->email, c->password_hash, c->display_name, c->out);
}

db_err_t users_create(db_t *db, const char *email, const char *password_hash,
                      const char *display_name, users_row_t *out)
{
    s_create_t c = {email, password_hash, display_name, out};
    return db_transaction(db, s_create_tx, &c);
}

/* Both lookups select: id, email, password_hash, role, is_verified. */
static db_err_t s_find(db_t *db, stmt_id_t stmt, const char *key, users_row_t *out)
{
    PGresult *res = NULL;
    const char *params[] = {key};
    db_err_t err = db_exec(db, stmt, params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_ERR_NOT_FOUND;
    }
    memset(out, 0, sizeof *out);
    s_copy(out->id, sizeof out->id, db_value(res, 0, 0));
    s_copy(out->email, sizeof out->email, db_value(res, 0, 1));
    s_copy(out->password_hash, sizeof out->password_hash, db_value(res, 0, 2));
    s_copy(out->role, sizeof out->role, db_value(res, 0, 3));
    out->is_verified = s_bool(db_value(res, 0, 4));
    PQclear(res);
    return DB_OK;
}

db_err_t users_find_by_email(db_t *db, const char *email, users_row_t *out)
{
    return s_find(db, STMT_USER_BY_EMAIL, email, out);
}

db_err_t users_find_by_id(db_t *db, const char *id, users_row_t *out)
{
    if (!ids_is_uuid(id))
        return DB_ERR_NOT_FOUND;
    return s_find(db, STMT_USER_BY_ID, id, out);
}

static int s_dup(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : -1;
}

db_err_t users_load_me(db_t *db, const char *id, users_me_t *out)
{
    memset(out, 0, sizeof *out);
    if (!ids_is_uuid(id))
        return DB_ERR_NOT_FOUND;
    PGresult *res = NULL;
    const char *params[] = {id};
    db_err_t err = db_exec(db, STMT_USER_ME, params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_ERR_NOT_FOUND;
    }
    s_copy(out->user.id, sizeof out->user.id, db_value(res, 0, 0));
    s_copy(out->user.email, sizeof out->user.email, db_value(res, 0, 1));
    s_copy(out->user.role, sizeof out->user.role, db_value(res, 0, 2));
    out->user.is_verified = s_bool(db_value(res, 0, 3));
    out->notifications = s_bool(db_value(res, 0, 11));
    char **fields[] = {&out->created_at, &out->display_name, &out->avatar_url, &out->bio,
                       &out->language,   &out->region,       &out->privacy};
    int rc = 0;
    for (int i = 0; i < 7; i++)
        rc |= s_dup(fields[i], db_value(res, 0, 4 + i));
    PQclear(res);
    if (rc < 0) {
        users_me_clear(out);
        return DB_ERR_OTHER;
    }
    return DB_OK;
}

void users_me_clear(users_me_t *me)
{
    free(me->created_at);
    free(me->display_name);
    free(me->avatar_url);
    free(me->bio);
    free(me->language);
    free(me->region);
    free(me->privacy);
    memset(me, 0, sizeof *me);
}
