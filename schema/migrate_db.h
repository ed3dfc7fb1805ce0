/* migrate_db — the PostgreSQL side of bedrock-migrate: connecting, the advisory lock,
 * the schema_migrations table, and running one migration file in its own transaction.
 *
 * Every statement touching schema_migrations goes through PQexecParams with $n
 * parameters. Only a migration file's own text goes through PQexec (simple protocol),
 * because a file may hold several statements.
 *
 * Errors: functions return 0 or -1; on -1 they write one line (no trailing newline)
 * into the caller's err buffer saying what failed, with the server's SQLSTATE and
 * message when there is one. Nothing here prints.
 */
#ifndef BEDROCK_MIGRATE_DB_H
#define BEDROCK_MIGRATE_DB_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "checksum.h"

/* Longest migration name stored (matches migrations_dir's limit). */
#define MIGRATE_DB_NAME_MAX 128

/* One row of schema_migrations. */
typedef struct {
    int version;
    char name[MIGRATE_DB_NAME_MAX + 1];
    char checksum[CHECKSUM_HEX_LEN + 1];
    char applied_at[32]; /* ISO 8601 UTC, "2026-11-25T18:00:00Z" */
    long execution_ms;
} migrate_db_row_t;

/* Connects to url. connect_timeout_s is used only when the URL sets no connect_timeout;
 * the client encoding is forced to UTF8 (migration files are UTF-8). Returns a new
 * connection the caller closes with PQfinish, or NULL with the reason in err (libpq's
 * message, which never contains the password).
 */
PGconn *migrate_db_connect(const char *url, int connect_timeout_s, char *err, size_t err_size);

/* Takes the session-level advisory lock key, waiting as long as another session holds
 * it (*waited is set to 1 when it had to wait). The lock is released by
 * migrate_db_unlock or when the connection closes.
 */
int migrate_db_lock(PGconn *conn, int64_t key, int *waited, char *err, size_t err_size)
    __attribute__((warn_unused_result));

int migrate_db_unlock(PGconn *conn, int64_t key, char *err, size_t err_size)
    __attribute__((warn_unused_result));

/* Creates schema_migrations when it does not exist. Call while holding the lock, so
 * that two runners never race on CREATE TABLE. */
int migrate_db_ensure_table(PGconn *conn, char *err, size_t err_size)
    __attribute__((warn_unused_result));

/* Reads schema_migrations in version order into a new array (*rows_out, the caller
 * frees; NULL when empty) of *count_out rows. A database without the table has no
 * rows (this never creates it, so that status stays read-only).
 */
int migrate_db_read(PGconn *conn, migrate_db_row_t **rows_out, size_t *count_out, char *err,
                    size_t err_size) __attribute__((warn_unused_result));

/* migrate_db_run's result when the file's own COMMIT/ROLLBACK broke the one transaction. */
#define MIGRATE_DB_PARTIAL (-2)

/* What one migration step does besides running its SQL. */
typedef enum {
    MIGRATE_DB_RECORD_APPLIED, /* INSERT its schema_migrations row */
    MIGRATE_DB_RECORD_REVERTED /* DELETE its schema_migrations row */
} migrate_db_record_t;

/* Runs sql (the whole text of one file, len bytes) and the schema_migrations INSERT or
 * DELETE for (version, name, checksum) in one transaction: either both are committed or
 * neither is. *elapsed_ms gets the time the SQL text took. On failure err says why,
 * prefixed by nothing: the caller names the file. A server error gives
 * "SQLSTATE 42704: <message> (line L, column C)" plus DETAIL/HINT when the server sent
 * them; the line is counted in sql from the error position the server reports.
 * Returns 0, -1 (nothing of the step remains), or MIGRATE_DB_PARTIAL when the file ended
 * the transaction itself (COMMIT/ROLLBACK in it), so part of it may have been committed.
 */
int migrate_db_run(PGconn *conn, const char *sql, size_t len, migrate_db_record_t record,
                   int version, const char *name, const char *checksum, long *elapsed_ms, char *err,
                   size_t err_size) __attribute__((warn_unused_result));

/* Turns a server error position (1-based, counted in characters as PostgreSQL does)
 * into a 1-based line and column of text, which is UTF-8. Returns -1 when pos is out of
 * range. Exposed for the tests.
 */
int migrate_db_line_of(const char *text, size_t len, long pos, int *line, int *column);

#endif
