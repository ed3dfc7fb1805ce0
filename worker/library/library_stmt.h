/* library_stmt — the SQL statements of the library module (see stmt.h, stmt_groups).
 *
 * Conventions: $1 is the signed-in user's id wherever a statement touches a user's
 * own rows, and every such statement filters on it (ownership is in the SQL, not only
 * in the handlers). Read statements build their JSON in PostgreSQL (json_build_object)
 * and return it as text. Paged lists follow pager.h: ($2 time_us, $3 key, $4 fetch)
 * in, rows (json, time_us, key) out. Times shown to clients are ISO 8601 UTC.
 */
#ifndef BEDROCK_WORKER_LIBRARY_STMT_H
#define BEDROCK_WORKER_LIBRARY_STMT_H

#include "stmt.h"

typedef enum {
    /* account lifecycle */
    LIBRARY_STMT_VERIFY_INSERT = 0,
    LIBRARY_STMT_OUTBOX_INSERT,
    LIBRARY_STMT_VERIFY_USE,
    LIBRARY_STMT_USER_SET_VERIFIED,
    LIBRARY_STMT_USER_SET_PASSWORD,
    LIBRARY_STMT_SESSIONS_REVOKE_OTHERS,
    LIBRARY_STMT_USER_SOFT_DELETE,
    LIBRARY_STMT_USER_TOUCH_ACTIVE,
    LIBRARY_STMT_PROFILE_ENSURE,
    LIBRARY_STMT_PROFILE_PATCH,
    LIBRARY_STMT_SESSIONS_LIST,
    LIBRARY_STMT_EXPORT,
    /* favorites */
    LIBRARY_STMT_FAV_PUT,
    LIBRARY_STMT_FAV_DELETE,
    LIBRARY_STMT_FAV_LIST,
    /* playlists */
    LIBRARY_STMT_PL_CREATE,
    LIBRARY_STMT_PL_LIST,
    LIBRARY_STMT_PL_GET,
    LIBRARY_STMT_PL_PATCH,
    LIBRARY_STMT_PL_DELETE,
    LIBRARY_STMT_PL_LOCK,
    LIBRARY_STMT_PL_COUNT,
    LIBRARY_STMT_PL_SHIFT_UP,
    LIBRARY_STMT_PL_INSERT_ITEMS,
    LIBRARY_STMT_PL_REMOVE_AT,
    LIBRARY_STMT_PL_SHIFT_DOWN,
    LIBRARY_STMT_PL_CLEAR,
    LIBRARY_STMT_PL_TOUCH,
    /* history, search history, player */
    LIBRARY_STMT_HISTORY_LIST,
    LIBRARY_STMT_SEARCH_LIST,
    LIBRARY_STMT_SEARCH_CLEAR,
    LIBRARY_STMT_PLAYER_GET,
    LIBRARY_STMT_PLAYER_PUT,
    /* audit, admin, retention */
    LIBRARY_STMT_AUDIT_INSERT,
    LIBRARY_STMT_AUDIT_LIST,
    LIBRARY_STMT_ADMIN_USERS_LIST,
    LIBRARY_STMT_ADMIN_USER_GET,
    LIBRARY_STMT_USER_LOCK,
    LIBRARY_STMT_USER_LOCK_BY_EMAIL,
    LIBRARY_STMT_USER_SET_ROLE,
    LIBRARY_STMT_INACTIVE_DELETE,
    LIBRARY_STMT_PURGE_BATCH,
    LIBRARY_STMT_COUNT
} library_stmt_id_t;

extern const stmt_t library_stmts[LIBRARY_STMT_COUNT];

#endif
