#include "library_stmt.h"

const stmt_t library_stmts[LIBRARY_STMT_COUNT] = {
    [LIBRARY_STMT_PLACEHOLDER] = {"bedrock_library_placeholder", "SELECT 1", 0},
};
