/* mtest — helpers for the bedrock-migrate tests: scratch databases, running the real
 * binary as a subprocess, and temporary copies of a migration directory.
 *
 * Failures inside helpers are programmer or environment errors: they print why and
 * return an error value the test then asserts on.
 */
#ifndef BEDROCK_MTEST_H
#define BEDROCK_MTEST_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <sys/types.h>

/* How long a bedrock-migrate subprocess may run before the test kills it. */
#define MTEST_PROCESS_TIMEOUT_MS 20000

/* A scratch database created from DATABASE_URL. */
typedef struct {
    char name[64]; /* bedrock_migrate_t<pid>_<n> */
    char *url;     /* DATABASE_URL with the database name replaced; owned */
} mtest_db_t;

/* DATABASE_URL, or NULL after printing why the db tests cannot run without it. */
const char *mtest_database_url(void);

/* Creates a fresh, empty scratch database. Returns 0 or -1. */
int mtest_db_create(mtest_db_t *db);

/* Drops it (WITH (FORCE)) and frees db->url; safe on a db that was never created. */
void mtest_db_drop(mtest_db_t *db);

/* Connects to url, or returns NULL after printing why. The caller PQfinish()es. */
PGconn *mtest_connect(const char *url);

/* First column of the first row of sql run with nparams text parameters, as a new
 * string the caller frees; NULL when the query fails (printed) or gives no row;
 * "" for SQL NULL. */
char *mtest_value(PGconn *conn, const char *sql, int nparams, const char *const *params);

/* Same, as a number; -1 on failure or NULL. */
long mtest_number(PGconn *conn, const char *sql, int nparams, const char *const *params);

/* Runs a fixed statement; returns 0 or -1 (printed). */
int mtest_exec(PGconn *conn, const char *sql);

/* Output of one finished bedrock-migrate run. */
typedef struct {
    int exit_code; /* -1 when it did not exit normally or timed out */
    char *out;     /* all of stdout, owned */
    char *err;     /* all of stderr, owned */
} mtest_result_t;

/* A started bedrock-migrate. */
typedef struct {
    pid_t pid;
    char out_path[64];
    char err_path[64];
} mtest_proc_t;

/* Starts BEDROCK_MIGRATE_BIN with args (NULL-terminated, without argv[0]).
 * DATABASE_URL is set to url, or removed when url is NULL; BEDROCK_MIGRATIONS_DIR is set
 * to dir, or removed when dir is NULL. Returns 0 or -1. */
int mtest_start(mtest_proc_t *proc, const char *url, const char *dir, const char *const *args);

/* Waits for proc (killing it after MTEST_PROCESS_TIMEOUT_MS) and collects its output. */
int mtest_wait(mtest_proc_t *proc, mtest_result_t *result);

/* mtest_start + mtest_wait; the arguments follow dir, ending with NULL. */
int mtest_run(mtest_result_t *result, const char *url, const char *dir, ...)
    __attribute__((sentinel));

void mtest_result_free(mtest_result_t *result);

/* Number of lines of text that contain needle. */
int mtest_count_lines(const char *text, const char *needle);

/* A new temporary directory holding copies of the migration files of src whose version
 * is <= max_version (0 = all, negative = none: an empty directory). Returns its path (the caller
 * frees it and removes the directory with mtest_remove_dir), or NULL. */
char *mtest_copy_migrations(const char *src, int max_version);

/* Writes text into dir/name (replacing it). Returns 0 or -1. */
int mtest_write_file(const char *dir, const char *name, const char *text);

/* Appends text to dir/name. Returns 0 or -1. */
int mtest_append_file(const char *dir, const char *name, const char *text);

/* Removes the files of dir and dir itself (one level: what mtest_copy_migrations made). */
void mtest_remove_dir(const char *dir);

#endif
