#include "discovery_stmt.h"

/* The three searches differ only in table and column; written out in full (no SQL is
 * ever assembled at run time). */
#define S_MATCH(col)                                                                               \
    "(x.search @@ plainto_tsquery('simple', bedrock_fold($1))"                                     \
    " OR bedrock_fold(x." col ") % bedrock_fold($1))"
#define S_ORDER(col)                                                                               \
    " ORDER BY exact DESC, ts_rank(x.search, plainto_tsquery('simple', bedrock_fold($1))) DESC,"   \
    " similarity(bedrock_fold(x." col "), bedrock_fold($1)) DESC, x.id"                            \
    " LIMIT $2 OFFSET $3"
#define S_SEARCH(table, col)                                                                       \
    "SELECT x.id, bedrock_fold(x." col ") = bedrock_fold($1) AS exact FROM " table " x"            \
    " WHERE x.platform = 'local' AND " S_MATCH(col) S_ORDER(col)

const stmt_t discovery_stmts[DISCOVERY_STMT_COUNT] = {
    [DISCOVERY_STMT_SEARCH_TRACKS] = {"bedrock_discovery_search_tracks",
                                      S_SEARCH("tracks", "title"), 3},
    [DISCOVERY_STMT_SEARCH_ALBUMS] = {"bedrock_discovery_search_albums",
                                      S_SEARCH("albums", "title"), 3},
    [DISCOVERY_STMT_SEARCH_ARTISTS] = {"bedrock_discovery_search_artists",
                                       S_SEARCH("artists", "name"), 3},
    [DISCOVERY_STMT_SEARCH_HISTORY_INSERT] =
        {"bedrock_discovery_search_history_insert",
         "INSERT INTO search_history (user_id, query, types, platform)"
         " VALUES ($1::uuid, $2, $3, $4)",
         4},
    [DISCOVERY_STMT_TRACK_FACTS] =
        {"bedrock_discovery_track_facts",
         "SELECT t.title,"
         " (SELECT a.name FROM track_artists ta JOIN artists a ON a.id = ta.artist_id"
         "   WHERE ta.track_id = t.id ORDER BY ta.position LIMIT 1),"
         " al.title, t.duration_ms"
         " FROM tracks t LEFT JOIN albums al ON al.id = t.album_id"
         " WHERE t.platform = $1 AND t.native_id = $2",
         2},
    [DISCOVERY_STMT_PLAY_LOCK] = {"bedrock_discovery_play_lock",
                                  "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", 1},
    [DISCOVERY_STMT_PLAY_RECENT] =
        {"bedrock_discovery_play_recent",
         "SELECT 1 FROM listening_history WHERE user_id = $1::uuid AND track_id = $2"
         " AND counted AND played_at > now() - make_interval(secs => $3::int) LIMIT 1",
         3},
    [DISCOVERY_STMT_PLAY_HISTORY_INSERT] =
        {"bedrock_discovery_play_history_insert",
         "INSERT INTO listening_history (user_id, track_id, played_ms, counted)"
         " VALUES ($1::uuid, $2, $3::int, $4::bool)",
         4},
    [DISCOVERY_STMT_PLAY_COUNT_USER] =
        {"bedrock_discovery_play_count_user",
         "INSERT INTO play_counts (user_id, track_id, play_count, last_played_at)"
         " VALUES ($1::uuid, $2, 1, now()) ON CONFLICT (user_id, track_id) DO UPDATE"
         " SET play_count = play_counts.play_count + 1, last_played_at = excluded.last_played_at",
         2},
    [DISCOVERY_STMT_PLAY_COUNT_TRACK] =
        {"bedrock_discovery_play_count_track",
         "INSERT INTO track_play_counts (track_id, play_count) VALUES ($1, 1)"
         " ON CONFLICT (track_id) DO UPDATE SET play_count = track_play_counts.play_count + 1",
         1},
};
