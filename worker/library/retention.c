#include "retention.h"

#include "library_stmt.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs one batch statement; *n = accounts it handled. */
static db_err_t s_batch(db_t *db, library_stmt_id_t id, const char *const *params, bool rows,
                        long *n)
{
    PGresult *res = NULL;
    db_err_t err = db_run(db, &library_stmts[id], params, &res);
    if (err != DB_OK)
        return err;
    *n = rows ? PQntuples(res) : strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return DB_OK;
}

/* Repeats the batch while batches come back full and the budget lasts. */
static db_err_t s_phase(db_t *db, library_stmt_id_t id, const char *const *params, bool rows,
                        long batch, int64_t deadline, long *total, bool *more)
{
    for (;;) {
        long n = 0;
        db_err_t err = s_batch(db, id, params, rows, &n);
        if (err != DB_OK)
            return err;
        *total += n;
        if (n < batch)
            return DB_OK;
        if (s_mono_ms() >= deadline) {
            *more = true;
            return DB_OK;
        }
    }
}

db_err_t retention_run(db_t *db, long older_than_days, long inactive_days, long batch,
                       long budget_ms, retention_result_t *out)
{
    memset(out, 0, sizeof *out);
    int64_t deadline = s_mono_ms() + budget_ms;
    char days[24], inactive[24], limit[24];
    snprintf(days, sizeof days, "%ld", older_than_days);
    snprintf(inactive, sizeof inactive, "%ld", inactive_days);
    snprintf(limit, sizeof limit, "%ld", batch);
    const char *p_inactive[] = {inactive, limit}, *p_purge[] = {days, limit};
    db_err_t err = DB_OK;
    if (inactive_days > 0)
        err = s_phase(db, LIBRARY_STMT_INACTIVE_DELETE, p_inactive, false, batch, deadline,
                      &out->inactivated, &out->more);
    if (err == DB_OK && !out->more)
        err = s_phase(db, LIBRARY_STMT_PURGE_BATCH, p_purge, true, batch, deadline, &out->purged,
                      &out->more);
    if (err != DB_OK)
        return err;
    log_info("retention: %ld account(s) soft-deleted for inactivity, %ld purged%s",
             out->inactivated, out->purged, out->more ? ", more to do" : "");
    return DB_OK;
}
