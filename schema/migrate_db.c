#include "migrate_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

/* The bookkeeping table. Its text is fixed: nothing from input goes into SQL text. */
static const char s_create_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY CHECK (version > 0),"
    " name varchar(128) NOT NULL,"
    " checksum char(64) NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " execution_ms integer NOT NULL CHECK (execution_ms >= 0))";
static const char s_table_exists_sql[] = "SELECT to_regclass('schema_migrations') IS NOT NULL";
static const char s_read_sql[] =
    "SELECT version, name, checksum,"
    " to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), execution_ms"
    " FROM schema_migrations ORDER BY version";
static const char s_insert_sql[] = "INSERT INTO schema_migrations (version, name, checksum, "
                                   "execution_ms) VALUES ($1::integer, $2, $3, $4::integer)";
static const char s_delete_sql[] = "DELETE FROM schema_migrations WHERE version = $1::integer";

/* Copies src into dst, turning line breaks into spaces and dropping the trailing ones, so
 * that every message stays on one line. */
static void s_one_line(char *dst, size_t size, const char *src)
{
    size_t n = 0;
    for (; src && *src && n + 1 < size; src++)
        dst[n++] = (*src == '\n' || *src == '\r' || *src == '\t') ? ' ' : *src;
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

static void s_notice(void *arg, const char *message)
{
    (void)arg;
    char line[1024];
    s_one_line(line, sizeof line, message);
    log_info("server notice: %s", line);
}

PGconn *migrate_db_connect(const char *url, int connect_timeout_s, char *err, size_t err_size)
{
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", connect_timeout_s);
    /* Keywords before dbname are defaults the URL may override; those after it win. */
    const char *keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                          "client_encoding", NULL};
    const char *values[] = {timeout, "bedrock-migrate", url, "UTF8", NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (!conn) {
        snprintf(err, err_size, "cannot connect to the database: out of memory");
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        char reason[1024];
        s_one_line(reason, sizeof reason, PQerrorMessage(conn));
        snprintf(err, err_size, "cannot connect to the database (DATABASE_URL): %s", reason);
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, s_notice, NULL);
    return conn;
}

/* Appends "; LABEL: value" (on one line) to out when value is set. */
static void s_append_field(char *out, size_t size, const char *label, const char *value)
{
    if (!value)
        return;
    char text[512];
    s_one_line(text, sizeof text, value);
    size_t used = strlen(out);
    snprintf(out + used, size - used, "; %s: %s", label, text);
}

/* Describes a failed result (or a NULL one) into err. sql/len, when given, is the text
 * the error position refers to. */
static void s_describe(PGconn *conn, const PGresult *res, const char *sql, size_t len, char *err,
                       size_t err_size)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[1024], where[64] = "", extra[1600] = "";
    s_one_line(msg, sizeof msg,
               primary ? primary : (res ? PQresultErrorMessage(res) : PQerrorMessage(conn)));
    if (!msg[0])
        s_one_line(msg, sizeof msg, PQerrorMessage(conn));
    if (res) {
        const char *p = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
        int line, column;
        if (p && sql && migrate_db_line_of(sql, len, atol(p), &line, &column) == 0)
            snprintf(where, sizeof where, " (line %d, column %d)", line, column);
        s_append_field(extra, sizeof extra, "DETAIL",
                       PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
        s_append_field(extra, sizeof extra, "HINT", PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
        s_append_field(extra, sizeof extra, "CONTEXT", PQresultErrorField(res, PG_DIAG_CONTEXT));
    }
    if (state)
        snprintf(err, err_size, "SQLSTATE %s: %s%s%s", state, msg, where, extra);
    else /* client-side failure (connection lost...): there is no SQLSTATE */
        snprintf(err, err_size, "%s%s", msg, extra);
}

/* Runs a fixed statement with text parameters; returns the result when its status is
 * want, else NULL after describing the failure in err. */
static PGresult *s_exec(PGconn *conn, const char *sql, int n, const char *const *params,
                        ExecStatusType want, char *err, size_t err_size)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    if (res && PQresultStatus(res) == want)
        return res;
    s_describe(conn, res, NULL, 0, err, err_size);
    PQclear(res);
    return NULL;
}

int migrate_db_lock(PGconn *conn, int64_t key, int *waited, char *err, size_t err_size)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)key);
    const char *params[] = {text};
    *waited = 0;
    PGresult *res = s_exec(conn, "SELECT pg_try_advisory_lock($1::bigint)", 1, params,
                           PGRES_TUPLES_OK, err, err_size);
    if (!res)
        return -1;
    int got = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (got)
        return 0;
    *waited = 1;
    log_info("another bedrock-migrate holds advisory lock %lld: waiting for it to finish",
             (long long)key);
    res = s_exec(conn, "SELECT pg_advisory_lock($1::bigint)", 1, params, PGRES_TUPLES_OK, err,
                 err_size);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int migrate_db_unlock(PGconn *conn, int64_t key, char *err, size_t err_size)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)key);
    const char *params[] = {text};
    PGresult *res = s_exec(conn, "SELECT pg_advisory_unlock($1::bigint)", 1, params,
                           PGRES_TUPLES_OK, err, err_size);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

/* 1 when schema_migrations exists, 0 when not, -1 on error. */
static int s_table_exists(PGconn *conn, char *err, size_t err_size)
{
    PGresult *res = s_exec(conn, s_table_exists_sql, 0, NULL, PGRES_TUPLES_OK, err, err_size);
    if (!res)
        return -1;
    int exists = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return exists;
}

int migrate_db_ensure_table(PGconn *conn, char *err, size_t err_size)
{
    /* Checked first so that the usual run does not get a "relation exists" notice. */
    int exists = s_table_exists(conn, err, err_size);
    if (exists != 0)
        return exists < 0 ? -1 : 0;
    PGresult *res = s_exec(conn, s_create_table_sql, 0, NULL, PGRES_COMMAND_OK, err, err_size);
    if (!res)
        return -1;
    PQclear(res);
    log_info("created table schema_migrations");
    return 0;
}

int migrate_db_read(PGconn *conn, migrate_db_row_t **rows_out, size_t *count_out, char *err,
                    size_t err_size)
{
    *rows_out = NULL;
    *count_out = 0;
    int exists = s_table_exists(conn, err, err_size);
    if (exists <= 0)
        return exists;
    PGresult *res = s_exec(conn, s_read_sql, 0, NULL, PGRES_TUPLES_OK, err, err_size);
    if (!res)
        return -1;
    size_t n = (size_t)PQntuples(res);
    migrate_db_row_t *rows = n ? calloc(n, sizeof *rows) : NULL;
    if (n && !rows)
        abort();
    for (size_t i = 0; i < n; i++) {
        rows[i].version = atoi(PQgetvalue(res, (int)i, 0));
        snprintf(rows[i].name, sizeof rows[i].name, "%s", PQgetvalue(res, (int)i, 1));
        snprintf(rows[i].checksum, sizeof rows[i].checksum, "%s", PQgetvalue(res, (int)i, 2));
        snprintf(rows[i].applied_at, sizeof rows[i].applied_at, "%s", PQgetvalue(res, (int)i, 3));
        rows[i].execution_ms = atol(PQgetvalue(res, (int)i, 4));
    }
    PQclear(res);
    *rows_out = rows;
    *count_out = n;
    return 0;
}

static long s_ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)((now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000);
}

/* Leaves COPY mode when a file started a COPY that PQexec cannot feed, and returns the
 * error to report. */
static void s_abort_copy(PGconn *conn, ExecStatusType status)
{
    if (status == PGRES_COPY_IN) {
        if (PQputCopyEnd(conn, "COPY FROM STDIN is not supported in migrations") < 0)
            return;
    } else if (status == PGRES_COPY_OUT) {
        char *buf = NULL;
        while (PQgetCopyData(conn, &buf, 0) > 0)
            PQfreemem(buf);
    }
    PGresult *res;
    while ((res = PQgetResult(conn)) != NULL)
        PQclear(res);
}

/* A transaction-local setting marks the migration's transaction, so that a file that
 * ends it and opens another one (COMMIT; BEGIN; ...) is noticed too. */
static const char s_mark_sql[] = "SELECT set_config('bedrock_migrate.step', 'open', true)";
static const char s_marked_sql[] =
    "SELECT coalesce(current_setting('bedrock_migrate.step', true), '') = 'open'";

/* 1 when the marked transaction is still the open one. */
static int s_same_transaction(PGconn *conn)
{
    char err[256];
    PGresult *res = s_exec(conn, s_marked_sql, 0, NULL, PGRES_TUPLES_OK, err, sizeof err);
    int same = res && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return same;
}

/* Runs the file's text inside the open transaction; fills err on failure. */
static int s_run_text(PGconn *conn, const char *sql, size_t len, long *elapsed_ms, char *err,
                      size_t err_size)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    PGresult *res = PQexec(conn, sql);
    *elapsed_ms = s_ms_since(&start);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = 0;
    if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
        s_abort_copy(conn, status);
        snprintf(err, err_size, "COPY FROM STDIN and COPY TO STDOUT cannot run in a migration");
        rc = -1;
    } else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
               status != PGRES_EMPTY_QUERY) {
        s_describe(conn, res, sql, len, err, err_size);
        rc = -1;
    } else if (PQtransactionStatus(conn) != PQTRANS_INTRANS || !s_same_transaction(conn)) {
        snprintf(err, err_size,
                 "the file ended the migration's transaction itself (COMMIT, ROLLBACK or END "
                 "in the file?); migration files must not contain transaction control, and "
                 "what ran before that statement may have been committed");
        rc = MIGRATE_DB_PARTIAL;
    }
    PQclear(res);
    return rc;
}

/* Inserts or deletes the schema_migrations row of this step. */
static int s_record(PGconn *conn, migrate_db_record_t record, int version, const char *name,
                    const char *checksum, long elapsed_ms, char *err, size_t err_size)
{
    char v[16], ms[24];
    snprintf(v, sizeof v, "%d", version);
    snprintf(ms, sizeof ms, "%ld", elapsed_ms);
    const char *params[] = {v, name, checksum, ms};
    PGresult *res = record == MIGRATE_DB_RECORD_APPLIED
                        ? s_exec(conn, s_insert_sql, 4, params, PGRES_COMMAND_OK, err, err_size)
                        : s_exec(conn, s_delete_sql, 1, params, PGRES_COMMAND_OK, err, err_size);
    if (!res)
        return -1;
    int one = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    if (!one) {
        snprintf(err, err_size, "schema_migrations has no row for version %03d", version);
        return -1;
    }
    return 0;
}

int migrate_db_run(PGconn *conn, const char *sql, size_t len, migrate_db_record_t record,
                   int version, const char *name, const char *checksum, long *elapsed_ms, char *err,
                   size_t err_size)
{
    *elapsed_ms = 0;
    if (strlen(sql) != len) {
        snprintf(err, err_size, "the file contains a NUL byte");
        return -1;
    }
    PGresult *res = s_exec(conn, "BEGIN", 0, NULL, PGRES_COMMAND_OK, err, err_size);
    if (!res)
        return -1;
    PQclear(res);
    int rc = -1;
    if (!(res = s_exec(conn, s_mark_sql, 0, NULL, PGRES_TUPLES_OK, err, err_size)))
        goto fail;
    PQclear(res);
    rc = s_run_text(conn, sql, len, elapsed_ms, err, err_size);
    if (rc < 0 || s_record(conn, record, version, name, checksum, *elapsed_ms, err, err_size) < 0)
        goto fail;
    /* COMMIT of a transaction that failed meanwhile answers "ROLLBACK": check the tag. */
    res = s_exec(conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK, err, err_size);
    if (!res)
        goto fail;
    int committed = strcmp(PQcmdStatus(res), "COMMIT") == 0;
    PQclear(res);
    if (!committed) {
        snprintf(err, err_size, "the server rolled the transaction back at COMMIT");
        return -1;
    }
    return 0;

fail:
    if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
        PGresult *rb = PQexec(conn, "ROLLBACK");
        if (!rb || PQresultStatus(rb) != PGRES_COMMAND_OK)
            log_warn("ROLLBACK failed after a failed migration; the server discards the "
                     "transaction when the connection closes");
        PQclear(rb);
    }
    return rc < 0 ? rc : -1;
}

int migrate_db_line_of(const char *text, size_t len, long pos, int *line, int *column)
{
    if (pos < 1)
        return -1;
    long chars = 0;
    int l = 1, c = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)text[i];
        if ((b & 0xC0) == 0x80)
            continue; /* UTF-8 continuation byte: same character */
        chars++;
        c++;
        if (chars == pos) {
            *line = l;
            *column = c;
            return 0;
        }
        if (b == '\n') {
            l++;
            c = 0;
        }
    }
    if (pos != chars + 1) /* the server may point just past the end ("end of input") */
        return -1;
    *line = l;
    *column = c + 1;
    return 0;
}
