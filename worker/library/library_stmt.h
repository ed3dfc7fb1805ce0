/* library_stmt — the SQL statements of the library module (see stmt.h, stmt_groups). */
#ifndef BEDROCK_WORKER_LIBRARY_STMT_H
#define BEDROCK_WORKER_LIBRARY_STMT_H

#include "stmt.h"

typedef enum {
    LIBRARY_STMT_PLACEHOLDER = 0,
    LIBRARY_STMT_COUNT
} library_stmt_id_t;

extern const stmt_t library_stmts[LIBRARY_STMT_COUNT];

#endif
