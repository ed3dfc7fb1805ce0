/* db — one libpq connection kept healthy the way a pool would keep it (DESIGN §3).
 *
 * - Connecting never crashes and never blocks longer than the connect timeout; after
 *   a failure the next attempt waits an exponential backoff (100 ms doubling up to the
 *   configured maximum). Meanwhile every call returns DB_ERR_UNAVAILABLE at once.
 * - Before a statement outside a transaction: a connection that went bad (server
 *   restart, pg_terminate_backend) is noticed and replaced, one idle longer than the
 *   idle-check period is probed with SELECT 1, one older than its lifetime (minus up
 *   to 10% jitter, so that workers started together do not recycle together) is
 *   recycled.
 * - Statements come only from stmt_table (stmt.h), prepared on each (re)connect, or
 *   sent with PQexecParams when prepared statements are off (PgBouncer transaction
 *   pooling).
 * - Errors are classified by SQLSTATE, never by message text.
 *
 * A db_t is used by one thread at a time. It copies the options and the URL.
 */
#ifndef BEDROCK_WORKER_DB_H
#define BEDROCK_WORKER_DB_H

#include "stmt.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    DB_OK = 0,
    DB_ERR_UNAVAILABLE = -1,  /* no connection / class 08, 57P01..57P03, 53300, 25006 -> 503 */
    DB_ERR_UNIQUE = -2,       /* 23505 unique_violation -> 409 */
    DB_ERR_FOREIGN_KEY = -3,  /* 23503 foreign_key_violation -> 409 */
    DB_ERR_RETRY = -4,        /* 40001 serialization_failure, 40P01 deadlock: run again */
    DB_ERR_INVALID_DATA = -5, /* class 22, 23502, 23514: the value does not fit -> 400 */
    DB_ERR_NOT_FOUND = -6,    /* no row (used by the repositories) */
    DB_ERR_OTHER = -7,        /* anything else: a bug -> 500 */
} db_err_t;

typedef struct db db_t;

typedef struct {
    const char *url;  /* libpq URL or conninfo; copied */
    const char *name; /* "primary" | "replica", shown in logs; copied */
    bool prepared;
    int max_lifetime_s;
    int idle_check_s;
    int slow_query_ms;
    int connect_timeout_ms;
    int backoff_max_ms;
    int tx_retries;
} db_options_t;

/* Never connects (the first db_ensure does). Returns NULL only when out of memory. */
db_t *db_new(const db_options_t *opt);

/* Closes the connection and frees; sets *self_p to NULL; safe on NULL. */
void db_destroy(db_t **self_p);

/* One connection attempt now, whatever the backoff says. */
db_err_t db_connect(db_t *db) __attribute__((warn_unused_result));

/* Ready for a statement: see the header comment. DB_OK or DB_ERR_UNAVAILABLE. */
db_err_t db_ensure(db_t *db) __attribute__((warn_unused_result));

/* Maintenance between requests: reconnect when due, idle probe, recycle. */
void db_tick(db_t *db);

/* Runs stmt_table[id] with params (stmt_table[id].nparams of them; NULL = SQL NULL).
 * On DB_OK and out != NULL, *out is a result the caller PQclear()s. */
db_err_t db_exec(db_t *db, stmt_id_t id, const char *const *params, PGresult **out)
    __attribute__((warn_unused_result));

/* The same for a statement of a module's own group (stmt.h, stmt_groups). */
db_err_t db_run(db_t *db, const stmt_t *stmt, const char *const *params, PGresult **out)
    __attribute__((warn_unused_result));

db_err_t db_begin(db_t *db) __attribute__((warn_unused_result));
db_err_t db_commit(db_t *db) __attribute__((warn_unused_result));
/* Never fails from the caller's point of view; a broken connection is dropped. */
void db_rollback(db_t *db);

/* Runs fn inside BEGIN/COMMIT. fn returns DB_OK to commit or a db_err_t to roll back.
 * On DB_ERR_RETRY (from fn or COMMIT) the whole transaction runs again, up to
 * tx_retries more times, so fn must reset whatever it writes to arg. */
typedef db_err_t (*db_tx_fn)(db_t *db, void *arg);
db_err_t db_transaction(db_t *db, db_tx_fn fn, void *arg) __attribute__((warn_unused_result));

/* Maps a 5-character SQLSTATE (NULL allowed) to a db_err_t. */
db_err_t db_classify_sqlstate(const char *sqlstate);
const char *db_err_name(db_err_t err);

bool db_is_up(const db_t *db);
/* Backend pid of the open connection, or 0. */
int db_backend_pid(const db_t *db);
/* Successful connects so far (reconnects and recycles included). */
uint64_t db_connect_count(const db_t *db);
/* Replaces the URL (used by tests to recover); takes effect on the next connect. */
int db_set_url(db_t *db, const char *url) __attribute__((warn_unused_result));

/* Value of a result cell, or NULL for SQL NULL. Borrowed from res. */
const char *db_value(const PGresult *res, int row, int col);

#endif
