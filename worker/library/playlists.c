#include "playlists.h"

#include "library_stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static db_err_t s_changed(db_t *db, library_stmt_id_t id, const char *const *params)
{
    PGresult *res = NULL;
    db_err_t err = db_run(db, &library_stmts[id], params, &res);
    if (err != DB_OK)
        return err;
    bool changed = strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    return changed ? DB_OK : DB_ERR_NOT_FOUND;
}

db_err_t playlists_create(db_t *db, const char *user_id, const char *name, const char *description,
                          bool is_public, json_t **out)
{
    *out = NULL;
    PGresult *res = NULL;
    const char *params[] = {user_id, name, description, is_public ? "true" : "false"};
    db_err_t err = db_run(db, &library_stmts[LIBRARY_STMT_PL_CREATE], params, &res);
    if (err != DB_OK)
        return err;
    char id[40] = "";
    if (PQntuples(res) == 1)
        snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return id[0] ? playlists_get(db, user_id, id, out) : DB_ERR_OTHER;
}

db_err_t playlists_get(db_t *db, const char *user_id, const char *playlist_id, json_t **out)
{
    *out = NULL;
    PGresult *res = NULL;
    const char *params[] = {user_id, playlist_id};
    db_err_t err = db_run(db, &library_stmts[LIBRARY_STMT_PL_GET], params, &res);
    if (err != DB_OK)
        return err;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_ERR_NOT_FOUND;
    }
    *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    return *out ? DB_OK : DB_ERR_OTHER;
}

db_err_t playlists_list(db_t *db, const char *user_id, const pager_t *pg, json_t **out)
{
    const char *before[] = {user_id};
    return pager_run(db, &library_stmts[LIBRARY_STMT_PL_LIST], before, 1, NULL, 0, pg, out);
}

db_err_t playlists_patch(db_t *db, const char *user_id, const char *playlist_id,
                         const json_t *patch)
{
    char *text = json_dumps(patch, JSON_COMPACT);
    if (!text)
        return DB_ERR_OTHER;
    const char *params[] = {user_id, playlist_id, text};
    db_err_t err = s_changed(db, LIBRARY_STMT_PL_PATCH, params);
    free(text);
    return err;
}

db_err_t playlists_delete(db_t *db, const char *user_id, const char *playlist_id)
{
    const char *params[] = {user_id, playlist_id};
    return s_changed(db, LIBRARY_STMT_PL_DELETE, params);
}
