/* discovery_stmt — the SQL statements of the discovery module (see stmt.h, stmt_groups). */
#ifndef BEDROCK_WORKER_DISCOVERY_STMT_H
#define BEDROCK_WORKER_DISCOVERY_STMT_H

#include "stmt.h"

typedef enum {
    DISCOVERY_STMT_PLACEHOLDER = 0,
    DISCOVERY_STMT_COUNT
} discovery_stmt_id_t;

extern const stmt_t discovery_stmts[DISCOVERY_STMT_COUNT];

#endif
