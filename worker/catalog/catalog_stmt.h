/* catalog_stmt — the SQL statements of the catalog module (see stmt.h, stmt_groups). */
#ifndef BEDROCK_WORKER_CATALOG_STMT_H
#define BEDROCK_WORKER_CATALOG_STMT_H

#include "stmt.h"

typedef enum {
    CATALOG_STMT_PLACEHOLDER = 0,
    CATALOG_STMT_COUNT
} catalog_stmt_id_t;

extern const stmt_t catalog_stmts[CATALOG_STMT_COUNT];

#endif
