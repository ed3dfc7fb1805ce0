/* pager — cursor pagination of the library's lists (API.md: {items, next_cursor}).
 *
 * Lists are ordered newest first by (time, key). A cursor is opaque to clients: the
 * base64url of the JSON array [time_us, "key"] of the last item of the previous page
 * (time in microseconds since the epoch, key the row's tie-breaker: an id). The next
 * page holds the rows strictly after it in that order, so a walk returns every item
 * once even while rows are added at the front.
 *
 * List statements take ($n time_us, $n+1 key, $n+2 limit) — time_us and key NULL for
 * the first page — and return rows (item JSON text, time_us, key). They are asked for
 * limit + 1 rows: the extra one only says that a next page exists.
 */
#ifndef BEDROCK_WORKER_PAGER_H
#define BEDROCK_WORKER_PAGER_H

#include "db.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#define PAGER_DEFAULT_LIMIT 20
#define PAGER_MAX_LIMIT 100
#define PAGER_KEY_MAX 200
#define PAGER_CURSOR_MAX 512 /* longer cursors are refused */

typedef enum {
    PAGER_KEY_UUID = 0, /* the key must be a UUID */
    PAGER_KEY_INT,      /* decimal digits (a BIGSERIAL id) */
    PAGER_KEY_TEXT,     /* any text up to PAGER_KEY_MAX bytes */
} pager_key_t;

typedef struct {
    int limit;
    bool has_cursor;
    char time_us[24]; /* decimal */
    char key[PAGER_KEY_MAX];
    char fetch[16]; /* limit + 1, decimal */
} pager_t;

/* A whole number given as a JSON integer, or as a string of decimal digits at most
 * max_chars long (no sign, no spaces), within min..max. Returns 0 with *out set, or
 * -1 (*out untouched) for any other value. v is borrowed; NULL is refused. Shared by
 * every request argument that counts something (limit here, list positions in libreq). */
int pager_json_int(const json_t *v, size_t max_chars, long long min, long long max,
                   long long *out) __attribute__((warn_unused_result));

/* Parses limit (NULL = default; a JSON string or integer 1..100) and cursor (NULL or
 * "" = first page). Returns 0, or -1 with the offending field name ("limit" |
 * "cursor") in *bad_field. */
int pager_parse(const json_t *limit, const json_t *cursor, pager_key_t kind, pager_t *out,
                const char **bad_field);

/* The three statement parameters: time_us, key, fetch. */
void pager_params(const pager_t *pg, const char *out[3]);

/* Builds {items, next_cursor} from res (see the header) as a new reference, or NULL
 * when out of memory or when a row's JSON does not parse. res stays the caller's. */
json_t *pager_page(const PGresult *res, const pager_t *pg);

/* Runs a paged list statement whose parameters are: before[0..n_before), the three
 * pager parameters, after[0..n_after) (at most 4 each), and builds the page into *out
 * (new reference). DB_ERR_OTHER when out of memory. */
db_err_t pager_run(db_t *db, const stmt_t *stmt, const char *const *before, int n_before,
                   const char *const *after, int n_after, const pager_t *pg, json_t **out)
    __attribute__((warn_unused_result));

/* The cursor text for (time_us, key), malloc'd (caller frees); NULL on OOM. */
char *pager_cursor_encode(const char *time_us, const char *key);

#endif
