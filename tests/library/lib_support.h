/* lib_support — helpers of the library cluster tests (tests/library): HTTP calls with
 * any method, SQL on DATABASE_URL (libpq, $n parameters), bedrockctl runs, and users.
 *
 * Ownership: lt_* returning http_response_t * give the caller a response to release
 * with http_response_free; lt_sql_text returns a malloc'd string (caller frees).
 * The SQL helpers open one connection per call (tests are not hot paths) and are
 * thread-safe.
 */
#ifndef BEDROCK_LIB_SUPPORT_H
#define BEDROCK_LIB_SUPPORT_H

#include "cluster.h"
#include "fixture.h"
#include "http.h"
#include "proc.h"

#include <jansson.h>

/* method base+path with bearer (NULL = none) and a JSON body (NULL = none). */
http_response_t *lt_call(const char *base, const char *method, const char *path, const char *bearer,
                         const char *body);

/* The same with a printf-formatted path. */
http_response_t *lt_callf(const char *base, const char *method, const char *bearer,
                          const char *body, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Runs sql with params on DATABASE_URL. 0, or -1 (error printed). */
int lt_sql_exec(const char *sql, const char *const *params, int n_params);
/* First column of the first row as a long; -1 on error or no row. */
long lt_sql_long(const char *sql, const char *const *params, int n_params);
/* First column of the first row (malloc'd), or NULL. */
char *lt_sql_text(const char *sql, const char *const *params, int n_params);

/* Runs bedrockctl with args (NULL-terminated, after the program name) against the
 * cluster's broker. Returns 0 when it could run; *out as proc_run. */
int lt_ctl(const cluster_t *c, const char *const *args, proc_result_t *out);

/* Makes u an admin through `bedrockctl user promote` and logs it in again (a new
 * token whose role claim is admin). Fails the test on error. */
void lt_promote(const cluster_t *c, fixture_user_t *u);

/* The reply's body field (borrowed) or NULL. */
json_t *lt_get(const http_response_t *r, const char *key);

/* Number of audit entries of user_id with this action (SQL). */
long lt_audit_count(const char *user_id, const char *action);

/* Rows that still refer to user_id: every table of the public schema with a user_id or
 * actor_id column (any type, compared as text), plus users.id. With report, the
 * tables holding some are printed. -1 on a SQL error. */
long lt_rows_of_user(const char *user_id, bool report);

/* The verification token written to the outbox for user_id (malloc'd), or NULL. */
char *lt_outbox_token(const char *user_id);

/* A user's data in every table the library writes: profile, favorite, playlist with
 * items, plays + play count, search history, player state (some through HTTP, the
 * ones other ops write through SQL). */
void lt_fill_user(const char *base, const fixture_user_t *u);

#endif
