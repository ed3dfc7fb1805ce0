#include "catalog_stmt.h"

const stmt_t catalog_stmts[CATALOG_STMT_COUNT] = {
    [CATALOG_STMT_PLACEHOLDER] = {"bedrock_catalog_placeholder", "SELECT 1", 0},
};
