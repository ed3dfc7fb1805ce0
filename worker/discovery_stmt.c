#include "discovery_stmt.h"

const stmt_t discovery_stmts[DISCOVERY_STMT_COUNT] = {
    [DISCOVERY_STMT_PLACEHOLDER] = {"bedrock_discovery_placeholder", "SELECT 1", 0},
};
