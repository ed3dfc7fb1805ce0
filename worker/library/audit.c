#include "audit.h"

#include "library_stmt.h"
#include "log.h"

#include <stdlib.h>

db_err_t audit_write(db_t *db, const audit_entry_t *e)
{
    char *details = e->details ? json_dumps(e->details, JSON_COMPACT) : NULL;
    if (e->details && !details)
        return DB_ERR_OTHER;
    const char *params[] = {e->user_id, e->actor_id, e->action, e->ip, e->user_agent, details};
    db_err_t err = db_run(db, &library_stmts[LIBRARY_STMT_AUDIT_INSERT], params, NULL);
    free(details);
    return err;
}

void audit_note(db_t *db, const audit_entry_t *e)
{
    db_err_t err = audit_write(db, e);
    if (err != DB_OK)
        log_warn("audit: could not record %s (%s)", e->action, db_err_name(err));
}

db_err_t audit_list(db_t *db, const char *user_id, const pager_t *pg, json_t **out)
{
    const char *before[] = {user_id};
    return pager_run(db, &library_stmts[LIBRARY_STMT_AUDIT_LIST], before, 1, NULL, 0, pg, out);
}
