#include "db.h"

#include "keepalive.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define S_BACKOFF_MIN_MS 100
#define S_LIFETIME_JITTER_PCT 10
#define S_APP_NAME "bedrock-worker"
#define S_KEEPALIVE_SLICE_MS 100 /* longest blocking wait between two keepalive ticks */

struct db {
    char *url;
    char name[16];
    db_options_t opt; /* url and name point at the copies above */
    PGconn *conn;
    bool in_tx;
    int64_t connected_ms;
    int64_t lifetime_ms; /* this connection's lifetime, jitter applied */
    int64_t last_used_ms;
    int64_t next_attempt_ms;
    int failures;
    bool doomed; /* the server said FATAL/PANIC while we were idle */
    uint64_t connects;
    unsigned int seed;
};

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

db_t *db_new(const db_options_t *opt)
{
    db_t *db = calloc(1, sizeof *db);
    if (!db)
        return NULL;
    db->url = strdup(opt->url ? opt->url : "");
    if (!db->url) {
        free(db);
        return NULL;
    }
    snprintf(db->name, sizeof db->name, "%s", opt->name ? opt->name : "db");
    db->opt = *opt;
    db->opt.url = db->url;
    db->opt.name = db->name;
    db->seed = (unsigned int)getpid() ^ (unsigned int)s_mono_ms();
    db->next_attempt_ms = 0;
    return db;
}

static void s_close(db_t *db)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
}

void db_destroy(db_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    db_t *db = *self_p;
    s_close(db);
    free(db->url);
    free(db);
    *self_p = NULL;
}

int db_set_url(db_t *db, const char *url)
{
    char *copy = strdup(url);
    if (!copy)
        return -1;
    s_close(db);
    db->in_tx = false;
    free(db->url);
    db->url = copy;
    db->opt.url = copy;
    db->next_attempt_ms = 0;
    return 0;
}

/* A lost connection is replaced at once: only repeated failures wait. */
static void s_drop(db_t *db, const char *why)
{
    if (db->conn)
        log_warn("db %s: connection dropped (%s)", db->name, why);
    s_close(db);
    db->next_attempt_ms = 0;
}

static void s_one_line(const char *in, char *out, size_t size)
{
    snprintf(out, size, "%s", in ? in : "");
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

static int s_wait_socket(PGconn *conn, PostgresPollingStatusType st, int64_t deadline_ms)
{
    struct pollfd pfd = {.fd = PQsocket(conn),
                         .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT};
    for (;;) {
        int64_t left = deadline_ms - s_mono_ms();
        if (left <= 0 || pfd.fd < 0)
            return -1;
        /* Wait in slices so that the broker keeps hearing from this worker. */
        int rc = poll(&pfd, 1, left < S_KEEPALIVE_SLICE_MS ? (int)left : S_KEEPALIVE_SLICE_MS);
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR)
            return -1;
        keepalive_tick();
    }
}

/* Drives a non-blocking connect so that the whole attempt is bounded in milliseconds. */
static PGconn *s_open(db_t *db, char *err, size_t err_size)
{
    const char *keys[] = {"fallback_application_name", "dbname", NULL};
    const char *values[] = {S_APP_NAME, db->url, NULL};
    int64_t deadline = s_mono_ms() + db->opt.connect_timeout_ms;
    PGconn *conn = PQconnectStartParams(keys, values, 1);
    if (!conn) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
           st != PGRES_POLLING_FAILED) {
        if (s_wait_socket(conn, st, deadline) < 0) {
            snprintf(err, err_size, "no connection within %d ms", db->opt.connect_timeout_ms);
            PQfinish(conn);
            return NULL;
        }
        st = PQconnectPoll(conn);
    }
    if (st != PGRES_POLLING_OK || PQstatus(conn) != CONNECTION_OK) {
        s_one_line(PQerrorMessage(conn), err, err_size);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

static db_err_t s_prepare_one(db_t *db, const stmt_t *s);

static db_err_t s_prepare_all(db_t *db)
{
    db_err_t err = DB_OK;
    for (int i = 0; i < STMT_COUNT && err == DB_OK; i++)
        err = s_prepare_one(db, &stmt_table[i]);
    /* Well over a hundred statements: on a busy machine this can outlast a heartbeat. */
    for (const stmt_group_t *g = stmt_groups; g->stmts && err == DB_OK; g++) {
        keepalive_tick();
        for (int i = 0; i < g->count && err == DB_OK; i++)
            err = s_prepare_one(db, &g->stmts[i]);
    }
    return err;
}

static db_err_t s_prepare_one(db_t *db, const stmt_t *s)
{
    PGresult *res = PQprepare(db->conn, s->name, s->sql, s->nparams, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        char msg[256];
        s_one_line(PQerrorMessage(db->conn), msg, sizeof msg);
        log_error("db %s: cannot prepare %s: %s (%s)", db->name, s->name, msg,
                  state ? state : "no sqlstate");
        db_err_t err = state ? db_classify_sqlstate(state) : DB_ERR_UNAVAILABLE;
        PQclear(res);
        return err;
    }
    PQclear(res);
    return DB_OK;
}

static int64_t s_backoff_ms(db_t *db)
{
    int64_t wait = S_BACKOFF_MIN_MS;
    for (int i = 1; i < db->failures && wait < db->opt.backoff_max_ms; i++)
        wait *= 2;
    if (wait > db->opt.backoff_max_ms)
        wait = db->opt.backoff_max_ms;
    return wait;
}

/* Notices go to our log instead of libpq's stderr printer. An error that arrives
 * while no query runs (pg_terminate_backend, shutdown) also comes this way: it marks
 * the connection as doomed so that the next statement reconnects first. */
static void s_on_notice(void *arg, const PGresult *res)
{
    db_t *db = arg;
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    char msg[256];
    s_one_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), msg, sizeof msg);
    if (severity && (!strcmp(severity, "FATAL") || !strcmp(severity, "PANIC"))) {
        db->doomed = true;
        log_warn("db %s: server closing the connection: %s (%s)", db->name, msg,
                 state ? state : "no sqlstate");
    } else {
        log_debug("db %s: notice: %s", db->name, msg);
    }
}

static void s_connected(db_t *db, PGconn *conn)
{
    int64_t now = s_mono_ms();
    int64_t life = (int64_t)db->opt.max_lifetime_s * 1000;
    int64_t jitter = life * S_LIFETIME_JITTER_PCT / 100;
    db->conn = conn;
    db->in_tx = false;
    db->doomed = false;
    db->connected_ms = now;
    db->last_used_ms = now;
    db->lifetime_ms = life - (jitter > 0 ? (int64_t)(rand_r(&db->seed) % (jitter + 1)) : 0);
    db->connects++;
    if (db->failures > 0)
        log_info("db %s: connected again after %d failed attempts (backend pid %d)", db->name,
                 db->failures, PQbackendPID(conn));
    else
        log_info("db %s: connected (backend pid %d)", db->name, PQbackendPID(conn));
    db->failures = 0;
}

db_err_t db_connect(db_t *db)
{
    char err[512] = "";
    s_close(db);
    PGconn *conn = s_open(db, err, sizeof err);
    if (conn) {
        db->conn = conn;
        PQsetNoticeReceiver(conn, s_on_notice, db);
        db_err_t rc = db->opt.prepared ? s_prepare_all(db) : DB_OK;
        if (rc == DB_OK) {
            s_connected(db, conn);
            return DB_OK;
        }
        snprintf(err, sizeof err, "preparing statements failed (%s)", db_err_name(rc));
        s_close(db);
    }
    db->failures++;
    int64_t wait = s_backoff_ms(db);
    db->next_attempt_ms = s_mono_ms() + wait;
    log_warn("db %s: unavailable (attempt %d: %s); next attempt in %lld ms", db->name, db->failures,
             err, (long long)wait);
    return DB_ERR_UNAVAILABLE;
}

static bool s_ping(db_t *db)
{
    PGresult *res =
        db->opt.prepared
            ? PQexecPrepared(db->conn, stmt_table[STMT_PING].name, 0, NULL, NULL, NULL, 0)
            : PQexecParams(db->conn, stmt_table[STMT_PING].sql, 0, NULL, NULL, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    db->last_used_ms = s_mono_ms();
    return ok;
}

/* Reads whatever the server sent while we were idle: after pg_terminate_backend or a
 * server shutdown that is an error and EOF, and the connection turns bad here instead
 * of failing the next statement. */
static bool s_still_open(db_t *db)
{
    if (db->doomed || PQstatus(db->conn) != CONNECTION_OK)
        return false;
    /* PQconsumeInput only reads; PQisBusy parses, which hands an idle-time error to
     * s_on_notice. */
    if (!PQconsumeInput(db->conn) || PQisBusy(db->conn) || db->doomed ||
        PQstatus(db->conn) != CONNECTION_OK)
        return false;
    PGnotify *n;
    while ((n = PQnotifies(db->conn)))
        PQfreemem(n);
    return true;
}

db_err_t db_ensure(db_t *db)
{
    if (db->in_tx)
        return db->conn ? DB_OK : DB_ERR_UNAVAILABLE;
    int64_t now = s_mono_ms();
    if (db->conn && !s_still_open(db)) {
        s_drop(db, "closed by the server");
    } else if (db->conn && now - db->connected_ms >= db->lifetime_ms) {
        log_info("db %s: recycling a connection after %lld s", db->name,
                 (long long)((now - db->connected_ms) / 1000));
        s_close(db);
        db->next_attempt_ms = 0;
    } else if (db->conn && now - db->last_used_ms >= (int64_t)db->opt.idle_check_s * 1000) {
        if (!s_ping(db))
            s_drop(db, "health check failed");
    }
    if (db->conn)
        return DB_OK;
    if (now < db->next_attempt_ms)
        return DB_ERR_UNAVAILABLE;
    return db_connect(db);
}

void db_tick(db_t *db)
{
    db_err_t err = db_ensure(db); /* failures are logged and retried with backoff */
    (void)err;
}

db_err_t db_classify_sqlstate(const char *s)
{
    if (!s || strlen(s) != 5)
        return DB_ERR_OTHER;
    if (!strcmp(s, "23505"))
        return DB_ERR_UNIQUE;
    if (!strcmp(s, "23503"))
        return DB_ERR_FOREIGN_KEY;
    if (!strcmp(s, "40001") || !strcmp(s, "40P01"))
        return DB_ERR_RETRY;
    /* 25006: a read-only transaction on what should be the primary means we reached a
     * standby (failover in progress): reconnecting is the cure. */
    if (!strncmp(s, "08", 2) || !strcmp(s, "57P01") || !strcmp(s, "57P02") || !strcmp(s, "57P03") ||
        !strcmp(s, "53300") || !strcmp(s, "25006"))
        return DB_ERR_UNAVAILABLE;
    if (!strncmp(s, "22", 2) || !strcmp(s, "23502") || !strcmp(s, "23514"))
        return DB_ERR_INVALID_DATA;
    return DB_ERR_OTHER;
}

const char *db_err_name(db_err_t err)
{
    switch (err) {
    case DB_OK:
        return "ok";
    case DB_ERR_UNAVAILABLE:
        return "unavailable";
    case DB_ERR_UNIQUE:
        return "unique_violation";
    case DB_ERR_FOREIGN_KEY:
        return "foreign_key_violation";
    case DB_ERR_RETRY:
        return "retry";
    case DB_ERR_INVALID_DATA:
        return "invalid_data";
    case DB_ERR_NOT_FOUND:
        return "not_found";
    case DB_ERR_OTHER:
        break;
    }
    return "other";
}

static PGresult *s_send(db_t *db, const stmt_t *s, const char *const *params)
{
    if (db->opt.prepared)
        return PQexecPrepared(db->conn, s->name, s->nparams, params, NULL, NULL, 0);
    return PQexecParams(db->conn, s->sql, s->nparams, NULL, params, NULL, NULL, 0);
}

/* Classifies a failed result and logs it without the DETAIL field, which can quote
 * the offending values (an email, say). */
static db_err_t s_failure(db_t *db, const stmt_t *s, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    db_err_t err = state ? db_classify_sqlstate(state) : DB_ERR_UNAVAILABLE;
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK)
        err = DB_ERR_UNAVAILABLE;
    char msg[256];
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    s_one_line(primary    ? primary
               : db->conn ? PQerrorMessage(db->conn)
                          : "no connection",
               msg, sizeof msg);
    if (err == DB_ERR_UNIQUE || err == DB_ERR_RETRY)
        log_debug("db %s: %s: %s (%s)", db->name, s->name, msg, state);
    else
        log_warn("db %s: %s failed: %s (%s -> %s)", db->name, s->name, msg,
                 state ? state : "no sqlstate", db_err_name(err));
    return err;
}

static db_err_t s_exec_once(db_t *db, const stmt_t *s, const char *const *params, PGresult **out,
                            bool *missing)
{
    int64_t start = s_mono_ms();
    PGresult *res = s_send(db, s, params);
    int64_t now = s_mono_ms();
    db->last_used_ms = now;
    if (now - start >= db->opt.slow_query_ms)
        log_warn("db %s: slow query %s took %lld ms", db->name, s->name, (long long)(now - start));
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        if (out)
            *out = res;
        else
            PQclear(res);
        return DB_OK;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    *missing = db->opt.prepared && state && !strcmp(state, "26000");
    db_err_t err = *missing ? DB_ERR_OTHER : s_failure(db, s, res);
    PQclear(res);
    return err;
}

db_err_t db_exec(db_t *db, stmt_id_t id, const char *const *params, PGresult **out)
{
    if (out)
        *out = NULL;
    if ((int)id < 0 || id >= STMT_COUNT)
        return DB_ERR_OTHER;
    return db_run(db, &stmt_table[id], params, out);
}

db_err_t db_run(db_t *db, const stmt_t *stmt, const char *const *params, PGresult **out)
{
    if (out)
        *out = NULL;
    /* Inside a transaction a lost connection stays lost until rollback: reconnecting
     * here would run the rest of the transaction outside it. */
    db_err_t err = db->in_tx ? (db->conn ? DB_OK : DB_ERR_UNAVAILABLE) : db_ensure(db);
    if (err != DB_OK)
        return err;
    bool missing = false;
    err = s_exec_once(db, stmt, params, out, &missing);
    /* 26000: the server lost our prepared statements (DISCARD ALL, a pooler handing us
     * another backend). Prepare again and retry once when no transaction is at stake. */
    if (missing) {
        log_warn("db %s: prepared statement %s missing", db->name, stmt->name);
        if (!db->in_tx && (err = s_prepare_all(db)) == DB_OK)
            err = s_exec_once(db, stmt, params, out, &missing);
    }
    if (err == DB_ERR_UNAVAILABLE)
        s_drop(db, db_err_name(err));
    return err;
}

/* BEGIN/COMMIT/ROLLBACK are fixed texts with no parameters; they go through the simple
 * protocol, which works the same with and without a transaction-pooling PgBouncer. */
static db_err_t s_control(db_t *db, const char *sql, bool commit)
{
    PGresult *res = PQexec(db->conn, sql);
    db_err_t err = DB_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        stmt_t s = {sql, sql, 0};
        err = s_failure(db, &s, res);
    } else if (commit && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        /* COMMIT of a transaction that already failed answers ROLLBACK: nothing was kept. */
        log_error("db %s: COMMIT rolled back a failed transaction", db->name);
        err = DB_ERR_OTHER;
    }
    PQclear(res);
    db->last_used_ms = s_mono_ms();
    return err;
}

db_err_t db_begin(db_t *db)
{
    if (db->in_tx)
        return DB_ERR_OTHER;
    db_err_t err = db_ensure(db);
    if (err == DB_OK)
        err = s_control(db, "BEGIN", false);
    if (err == DB_OK)
        db->in_tx = true;
    else if (err == DB_ERR_UNAVAILABLE)
        s_drop(db, "BEGIN failed");
    return err;
}

db_err_t db_commit(db_t *db)
{
    if (!db->in_tx || !db->conn) {
        db->in_tx = false;
        return DB_ERR_UNAVAILABLE;
    }
    db_err_t err = s_control(db, "COMMIT", true);
    db->in_tx = false;
    if (err == DB_ERR_UNAVAILABLE)
        s_drop(db, "COMMIT failed");
    return err;
}

void db_rollback(db_t *db)
{
    if (!db->in_tx || !db->conn) {
        db->in_tx = false;
        return;
    }
    db_err_t err = s_control(db, "ROLLBACK", false);
    db->in_tx = false;
    if (err != DB_OK)
        s_drop(db, "ROLLBACK failed");
}

db_err_t db_transaction(db_t *db, db_tx_fn fn, void *arg)
{
    db_err_t err = DB_ERR_OTHER;
    for (int attempt = 0; attempt <= db->opt.tx_retries; attempt++) {
        err = db_begin(db);
        if (err != DB_OK)
            return err;
        err = fn(db, arg);
        if (err == DB_OK)
            err = db_commit(db);
        else
            db_rollback(db);
        if (err != DB_ERR_RETRY)
            return err;
        log_info("db %s: transaction retried after a serialization failure (attempt %d)", db->name,
                 attempt + 1);
    }
    return err;
}

bool db_is_up(const db_t *db)
{
    return db->conn && PQstatus(db->conn) == CONNECTION_OK;
}

int db_backend_pid(const db_t *db)
{
    return db->conn ? PQbackendPID(db->conn) : 0;
}

uint64_t db_connect_count(const db_t *db)
{
    return db->connects;
}

const char *db_value(const PGresult *res, int row, int col)
{
    if (!res || row >= PQntuples(res) || col >= PQnfields(res) || PQgetisnull(res, row, col))
        return NULL;
    return PQgetvalue(res, row, col);
}
