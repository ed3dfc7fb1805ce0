#include "stmt.h"

#include <stddef.h>

#include "catalog/catalog_stmt.h"
#include "library/library_stmt.h"
#include "discovery_stmt.h"

/* Every module's statements, prepared on each connection after the core table. */
const stmt_group_t stmt_groups[] = {
    {catalog_stmts, CATALOG_STMT_COUNT},
    {discovery_stmts, DISCOVERY_STMT_COUNT},
    {library_stmts, LIBRARY_STMT_COUNT},
    {NULL, 0},
};
