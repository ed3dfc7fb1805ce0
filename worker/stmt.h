/* stmt — the one table of SQL statements the worker runs.
 *
 * Every statement has a fixed text with $n parameters; nothing is ever built from
 * input. db.c prepares the whole table on each (re)connect under the names below
 * (or, with BEDROCK_DB_PREPARED=false, sends the same text with PQexecParams).
 * Adding a statement = one enum value + one table line.
 */
#ifndef BEDROCK_WORKER_STMT_H
#define BEDROCK_WORKER_STMT_H

typedef enum {
    STMT_PING = 0,
    STMT_USER_INSERT,
    STMT_PROFILE_INSERT,
    STMT_USER_BY_EMAIL,
    STMT_USER_BY_ID,
    STMT_USER_ME,
    STMT_SESSION_INSERT,
    STMT_SESSION_CHECK,
    STMT_SESSION_REVOKE,
    STMT_SESSION_TOUCH,
    STMT_TOKEN_INSERT,
    STMT_TOKEN_LOCK,
    STMT_TOKEN_MARK_USED,
    STMT_COUNT
} stmt_id_t;

typedef struct {
    const char *name; /* server-side prepared statement name */
    const char *sql;
    int nparams;
} stmt_t;

/* Indexed by stmt_id_t; every entry is filled. */
extern const stmt_t stmt_table[STMT_COUNT];

/* Statements of other modules (catalog, library, ...). A module keeps its own array
 * `const stmt_t x_stmts[X_STMT_COUNT]` indexed by its own enum, runs them with
 * db_run(db, &x_stmts[X_STMT_...], ...), and is listed once in stmt_groups (stmt.c)
 * so that every connection prepares its statements with the core table. Names must
 * be unique across all groups ("bedrock_<module>_<what>"). */
typedef struct {
    const stmt_t *stmts; /* NULL ends the list */
    int count;
} stmt_group_t;

extern const stmt_group_t stmt_groups[];

#endif
