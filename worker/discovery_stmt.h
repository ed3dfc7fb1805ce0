/* discovery_stmt — the SQL statements of the discovery ops (search, lyrics, plays,
 * status). Owner: discovery engineer (C2). Run with db_run(db, &discovery_stmts[...]);
 * listed in stmt_groups (stmt_groups.c) so that every connection prepares them.
 *
 * Search (one per kind): $1 the query (trimmed, whitespace collapsed), $2 limit,
 * $3 offset. Local rows only (platform 'local'). A row matches when its full-text
 * column matches plainto_tsquery('simple', bedrock_fold($1)) or its folded title/name is
 * trigram-similar to the folded query (pg_trgm's % operator, threshold
 * pg_trgm.similarity_threshold, default 0.3: settable per database with
 * ALTER DATABASE ... SET pg_trgm.similarity_threshold). Order: exact folded match
 * first, then ts_rank, then similarity, then the row id (stable pages).
 * Columns: 0 row id, 1 exact ('t'/'f').
 */
#ifndef BEDROCK_WORKER_DISCOVERY_STMT_H
#define BEDROCK_WORKER_DISCOVERY_STMT_H

#include "stmt.h"

typedef enum {
    DISCOVERY_STMT_SEARCH_TRACKS = 0,
    DISCOVERY_STMT_SEARCH_ALBUMS,
    DISCOVERY_STMT_SEARCH_ARTISTS,
    /* $1 user id, $2 query, $3 types, $4 platforms. */
    DISCOVERY_STMT_SEARCH_HISTORY_INSERT,
    /* $1 platform, $2 native id -> title, first credited artist, album title,
     * duration_ms (NULLs when unknown); no row when the track is not stored. */
    DISCOVERY_STMT_TRACK_FACTS,
    /* $1 text key: a transaction-scoped advisory lock (plays without Redis). */
    DISCOVERY_STMT_PLAY_LOCK,
    /* $1 user id, $2 track id, $3 window in seconds -> one row when a counted play of
     * this user and track is more recent than the window. */
    DISCOVERY_STMT_PLAY_RECENT,
    /* $1 user id, $2 track id, $3 played_ms (NULL = not given), $4 counted. */
    DISCOVERY_STMT_PLAY_HISTORY_INSERT,
    /* $1 user id, $2 track id: +1 play, last_played_at = now(). */
    DISCOVERY_STMT_PLAY_COUNT_USER,
    /* $1 track id: +1 play over all users. */
    DISCOVERY_STMT_PLAY_COUNT_TRACK,
    DISCOVERY_STMT_COUNT
} discovery_stmt_id_t;

extern const stmt_t discovery_stmts[DISCOVERY_STMT_COUNT];

#endif
