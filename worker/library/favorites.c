#include "favorites.h"

#include "library_stmt.h"

#include <string.h>

bool favorites_type_ok(const char *type)
{
    return type && (!strcmp(type, "track") || !strcmp(type, "album") || !strcmp(type, "artist"));
}

db_err_t favorites_put(db_t *db, const char *user_id, const char *type, const char *entity_id)
{
    const char *params[] = {user_id, type, entity_id};
    return db_run(db, &library_stmts[LIBRARY_STMT_FAV_PUT], params, NULL);
}

db_err_t favorites_delete(db_t *db, const char *user_id, const char *type, const char *entity_id)
{
    const char *params[] = {user_id, type, entity_id};
    return db_run(db, &library_stmts[LIBRARY_STMT_FAV_DELETE], params, NULL);
}

db_err_t favorites_list(db_t *db, const char *user_id, const char *type, const pager_t *pg,
                        json_t **out)
{
    const char *before[] = {user_id}, *after[] = {type};
    return pager_run(db, &library_stmts[LIBRARY_STMT_FAV_LIST], before, 1, after, 1, pg, out);
}
