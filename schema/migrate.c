#include "migrate.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "migrate_db.h"
#include "migrations_dir.h"

/* Size of the one-line reasons passed between modules. */
#define MIGRATE_ERR_MAX 4096

/* One run: what it loaded and what it holds, released by s_close. */
typedef struct {
    const migrate_options_t *opt;
    migrations_dir_t *dir;
    PGconn *conn;
    migrate_db_row_t *rows; /* schema_migrations, in version order */
    size_t nrows;
    size_t applied; /* versions 1..applied are applied (checked by s_verify) */
    int locked;
} s_run_t;

static void s_fail(const s_run_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_fail(const s_run_t *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bedrock-migrate: ", run->opt->err);
    vfprintf(run->opt->err, fmt, ap);
    fputc('\n', run->opt->err);
    fflush(run->opt->err);
    va_end(ap);
}

void migrate_options_default(migrate_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->migrations_dir = MIGRATE_DEFAULT_DIR;
    opt->connect_timeout_s = MIGRATE_CONNECT_TIMEOUT_S;
    opt->lock_key = MIGRATE_LOCK_KEY;
    opt->out = stdout;
    opt->err = stderr;
}

/* Loads the files, connects, takes the lock when asked, and reads schema_migrations. */
static int s_open(s_run_t *run, int lock)
{
    const migrate_options_t *opt = run->opt;
    char err[MIGRATE_ERR_MAX];
    if (migrations_dir_load(opt->migrations_dir, &run->dir, err, sizeof err) < 0) {
        s_fail(run, "%s", err);
        return -1;
    }
    run->conn = migrate_db_connect(opt->database_url, opt->connect_timeout_s, err, sizeof err);
    if (!run->conn) {
        s_fail(run, "%s", err);
        return -1;
    }
    if (lock) {
        int waited = 0;
        if (migrate_db_lock(run->conn, opt->lock_key, &waited, err, sizeof err) < 0) {
            s_fail(run, "cannot take the migration lock: %s", err);
            return -1;
        }
        run->locked = 1;
        if (waited)
            log_info("migration lock acquired after waiting");
        if (migrate_db_ensure_table(run->conn, err, sizeof err) < 0) {
            s_fail(run, "cannot create table schema_migrations: %s", err);
            return -1;
        }
    }
    if (migrate_db_read(run->conn, &run->rows, &run->nrows, err, sizeof err) < 0) {
        s_fail(run, "cannot read table schema_migrations: %s", err);
        return -1;
    }
    return 0;
}

static void s_close(s_run_t *run)
{
    char err[MIGRATE_ERR_MAX];
    if (run->locked && PQstatus(run->conn) == CONNECTION_OK &&
        migrate_db_unlock(run->conn, run->opt->lock_key, err, sizeof err) < 0)
        log_warn("cannot release the migration lock (closing the connection does): %s", err);
    if (run->conn)
        PQfinish(run->conn);
    free(run->rows);
    migrations_dir_destroy(&run->dir);
}

/* Refuses to go on when the database and the files disagree about what was applied.
 * Reports every problem found, not only the first. */
static int s_verify(s_run_t *run)
{
    const char *dir = migrations_dir_path(run->dir);
    int rc = 0;
    for (size_t i = 0; i < run->nrows; i++) {
        const migrate_db_row_t *r = &run->rows[i];
        const migration_t *m = migrations_dir_find(run->dir, r->version);
        if (!m) {
            s_fail(run,
                   "version %03d (%s) is applied but %s has no %03d_*.up.sql; refusing to run "
                   "(restore the file, or use the checkout that has it)",
                   r->version, r->name, dir, r->version);
            rc = -1;
            continue;
        }
        if (strcmp(r->checksum, m->checksum) != 0) {
            s_fail(run,
                   "%s changed after it was applied: checksum recorded %s, file now %s; "
                   "refusing to run (restore the file and put the change in a new migration)",
                   m->up_path, r->checksum, m->checksum);
            rc = -1;
        }
        if (strcmp(r->name, m->name) != 0)
            log_warn("version %03d was applied as %s and its file is now %s", r->version, r->name,
                     m->up_file);
        if (rc == 0 && r->version != (int)i + 1) {
            const migration_t *gap = migrations_dir_find(run->dir, (int)i + 1);
            s_fail(run,
                   "%s is pending but the later version %03d is already applied; refusing to "
                   "apply migrations out of order",
                   gap ? gap->up_path : "(missing)", r->version);
            rc = -1;
        }
    }
    run->applied = rc == 0 ? run->nrows : 0;
    return rc;
}

/* Applies at most limit pending migrations, in order. */
static int s_up(s_run_t *run, size_t limit)
{
    size_t total = migrations_dir_count(run->dir);
    if (run->applied >= total) {
        fprintf(run->opt->out, "nothing to apply: all %zu migrations are applied\n", total);
        return 0;
    }
    char err[MIGRATE_ERR_MAX];
    for (size_t i = run->applied, done = 0; i < total && done < limit; i++, done++) {
        const migration_t *m = migrations_dir_at(run->dir, i);
        long ms = 0;
        int rc = migrate_db_run(run->conn, m->up_sql, m->up_len, MIGRATE_DB_RECORD_APPLIED,
                                m->version, m->name, m->checksum, &ms, err, sizeof err);
        if (rc < 0) {
            s_fail(run, "migration %s failed: %s", m->up_path, err);
            s_fail(run, "%s %s; the %zu migration(s) before it stay applied", m->up_file,
                   rc == MIGRATE_DB_PARTIAL ? "is not recorded as applied, but part of it may "
                                              "have been committed: check the database by hand"
                                            : "was rolled back and is not applied",
                   i);
            return -1;
        }
        run->applied++;
        fprintf(run->opt->out, "applied %03d_%s (%ld ms)\n", m->version, m->name, ms);
        fflush(run->opt->out);
    }
    return 0;
}

/* Checks that each of the last n applied migrations has a .down.sql before reverting any. */
static int s_check_down_files(const s_run_t *run, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const migration_t *m = migrations_dir_find(run->dir, (int)(run->applied - k));
        if (!m->down_path) {
            s_fail(run,
                   "cannot revert %03d_%s: %s/%03d_%s.down.sql does not exist; nothing was "
                   "reverted",
                   m->version, m->name, migrations_dir_path(run->dir), m->version, m->name);
            return -1;
        }
    }
    return 0;
}

/* Reverts the last n applied migrations, newest first. */
static int s_down(s_run_t *run, int n)
{
    if (run->applied == 0) {
        s_fail(run, "nothing to revert: no migration is applied");
        return -1;
    }
    if ((size_t)n > run->applied) {
        s_fail(run, "cannot revert %d migrations: only %zu are applied; nothing was reverted", n,
               run->applied);
        return -1;
    }
    if (s_check_down_files(run, (size_t)n) < 0)
        return -1;
    char err[MIGRATE_ERR_MAX];
    for (int k = 0; k < n; k++) {
        const migration_t *m = migrations_dir_find(run->dir, (int)run->applied);
        char *sql = NULL;
        size_t len = 0;
        long ms = 0;
        if (migrations_dir_read_file(m->down_path, &sql, &len, err, sizeof err) < 0) {
            s_fail(run, "%s", err);
            return -1;
        }
        int rc = migrate_db_run(run->conn, sql, len, MIGRATE_DB_RECORD_REVERTED, m->version,
                                m->name, m->checksum, &ms, err, sizeof err);
        free(sql);
        if (rc < 0) {
            s_fail(run, "migration %s failed: %s", m->down_path, err);
            s_fail(run, "%03d_%s %s", m->version, m->name,
                   rc == MIGRATE_DB_PARTIAL ? "stays recorded as applied, but part of its down "
                                              "file may have been committed: check the database "
                                              "by hand"
                                            : "was not reverted and stays applied");
            return -1;
        }
        run->applied--;
        fprintf(run->opt->out, "reverted %03d_%s (%ld ms)\n", m->version, m->name, ms);
        fflush(run->opt->out);
    }
    return 0;
}

static int s_redo(s_run_t *run)
{
    if (run->applied == 0) {
        s_fail(run, "nothing to redo: no migration is applied");
        return -1;
    }
    if (s_down(run, 1) < 0)
        return -1;
    return s_up(run, 1);
}

/* One status line for an applied row; m is its file or NULL. */
static void s_status_applied(const s_run_t *run, int width, const migrate_db_row_t *r,
                             const migration_t *m)
{
    FILE *out = run->opt->out;
    fprintf(out, "%03d      %-*s  %-20s  %ld", r->version, width, r->name, r->applied_at,
            r->execution_ms);
    if (!m)
        fprintf(out, "  FILE MISSING: no %03d_*.up.sql", r->version);
    else if (strcmp(m->checksum, r->checksum) != 0)
        fprintf(out, "  CHANGED since applied: checksum recorded %s, file now %s", r->checksum,
                m->checksum);
    fputc('\n', out);
}

/* Prints every version, applied or pending; changes nothing. */
static int s_status(const s_run_t *run)
{
    size_t total = migrations_dir_count(run->dir);
    int width = 4, last = (int)total, pending = 0;
    for (size_t i = 0; i < total; i++)
        if ((int)strlen(migrations_dir_at(run->dir, i)->name) > width)
            width = (int)strlen(migrations_dir_at(run->dir, i)->name);
    for (size_t i = 0; i < run->nrows; i++) {
        if ((int)strlen(run->rows[i].name) > width)
            width = (int)strlen(run->rows[i].name);
        if (run->rows[i].version > last)
            last = run->rows[i].version;
    }
    FILE *out = run->opt->out;
    fprintf(out, "version  %-*s  %-20s  %s\n", width, "name", "applied_at", "execution_ms");
    size_t j = 0;
    for (int v = 1; v <= last; v++) {
        const migration_t *m = migrations_dir_find(run->dir, v);
        if (j < run->nrows && run->rows[j].version == v) {
            s_status_applied(run, width, &run->rows[j++], m);
        } else if (m) {
            fprintf(out, "%03d      %-*s  pending\n", v, width, m->name);
            pending++;
        }
    }
    fprintf(out, "%zu applied, %d pending (%s)\n", run->nrows, pending,
            migrations_dir_path(run->dir));
    fflush(out);
    return 0;
}

int migrate_run(const migrate_options_t *opt, migrate_command_t cmd, int n)
{
    s_run_t run = {.opt = opt};
    int changes = cmd != MIGRATE_STATUS;
    int rc = s_open(&run, changes);
    if (rc == 0 && changes)
        rc = s_verify(&run);
    if (rc == 0) {
        switch (cmd) {
        case MIGRATE_UP:
            rc = s_up(&run, (size_t)-1);
            break;
        case MIGRATE_DOWN:
            rc = s_down(&run, n);
            break;
        case MIGRATE_REDO:
            rc = s_redo(&run);
            break;
        case MIGRATE_STATUS:
            rc = s_status(&run);
            break;
        }
    }
    s_close(&run);
    return rc;
}
