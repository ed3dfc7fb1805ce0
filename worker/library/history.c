#include "history.h"

#include "library_stmt.h"

db_err_t history_plays(db_t *db, const char *user_id, const pager_t *pg, json_t **out)
{
    const char *before[] = {user_id};
    return pager_run(db, &library_stmts[LIBRARY_STMT_HISTORY_LIST], before, 1, NULL, 0, pg, out);
}

db_err_t history_searches(db_t *db, const char *user_id, const pager_t *pg, json_t **out)
{
    const char *before[] = {user_id};
    return pager_run(db, &library_stmts[LIBRARY_STMT_SEARCH_LIST], before, 1, NULL, 0, pg, out);
}

db_err_t history_clear_searches(db_t *db, const char *user_id)
{
    const char *params[] = {user_id};
    return db_run(db, &library_stmts[LIBRARY_STMT_SEARCH_CLEAR], params, NULL);
}
