#include "library_stmt.h"

/* Times: timestamptz columns are shown as UTC whatever the session TimeZone is;
 * users.created_at is a TIMESTAMP holding UTC (stmt.c) and is shown as it is. */
#define ISO(x) "to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define ISO_NAIVE(x) "to_char(" x ", 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* Microseconds since the epoch, exact (extract returns numeric), and back. */
#define US(x) "(extract(epoch FROM " x ") * 1000000)::bigint"
#define FROM_US(n) "(timestamptz 'epoch' + $" n "::bigint * interval '1 microsecond')"
#define FROM_US_NAIVE(n) "(timestamp 'epoch' + $" n "::bigint * interval '1 microsecond')"
/* A patch is a JSON object: a key that is present sets the column (null clears it). */
#define PATCH(param, col)                                                                          \
    col " = CASE WHEN " param "::jsonb ? '" col "' THEN " param "::jsonb->>'" col "' ELSE " col    \
        " END"

#define PL_FIELDS                                                                                  \
    "'id', p.id, 'name', p.name, 'description', p.description, 'public', p.is_public, "            \
    "'item_count', (SELECT count(*) FROM user_playlist_items c WHERE c.playlist_id = p.id), "      \
    "'created_at', " ISO("p.created_at") ", 'updated_at', " ISO("p.updated_at")
#define PL_ITEMS                                                                                   \
    "'items', COALESCE((SELECT json_agg(json_build_object('position', i.position, 'track_id', "    \
    "i.track_id, 'added_at', " ISO(                                                                \
        "i.added_at") ") ORDER BY i.position) "                                                    \
                      "FROM user_playlist_items i WHERE i.playlist_id = p.id), '[]'::json)"

#define ADMIN_USER_JSON                                                                            \
    "json_build_object('id', u.id, 'email', u.email, 'role', COALESCE(u.role, 'user'), "           \
    "'is_verified', COALESCE(u.is_verified, false), 'display_name', p.display_name, "              \
    "'created_at', " ISO_NAIVE("u.created_at") ", 'last_active_at', " ISO(                         \
        "u.last_active_at") ", 'deleted_at', " ISO("u.deleted_at") ")"

#define SESSION_FIELDS                                                                             \
    "'id', id, 'created_at', " ISO("created_at") ", 'last_used_at', " ISO(                         \
        "last_used_at") ", 'expires_at', " ISO("expires_at") ", 'ip', ip, 'user_agent', "          \
                                                             "user_agent"
#define HISTORY_FIELDS                                                                             \
    "'id', id, 'track_id', track_id, 'played_at', " ISO(                                           \
        "played_at") ", 'played_ms', played_ms, 'counted', counted"
#define SEARCH_FIELDS                                                                              \
    "'id', id, 'query', query, 'types', types, 'platform', platform, 'created_at', " ISO(          \
        "created_at")
#define PLAYER_FIELDS                                                                              \
    "'track_id', track_id, 'position_ms', position_ms, 'device', device, 'is_playing', "           \
    "is_playing, 'updated_at', " ISO("updated_at")
#define AUDIT_FIELDS                                                                               \
    "'id', id, 'at', " ISO("at") ", 'user_id', user_id, 'actor_id', actor_id, 'action', action, "  \
                                 "'ip', ip, 'user_agent', user_agent, 'details', details"
#define FAV_KEY "((entity_type || ' ' || entity_id) COLLATE \"C\")"

/* Everything held about $1 (GET /v1/me/export), in one statement: one snapshot.
 * Left out on purpose: password and token hashes, and the outbox payloads (they hold
 * the verification token, which must reach the mailbox, not whoever holds a session). */
#define EXPORT_ACCOUNT                                                                             \
    "'account', (SELECT json_build_object('id', u.id, 'email', u.email, 'role', "                  \
    "COALESCE(u.role, 'user'), 'is_verified', COALESCE(u.is_verified, false), "                    \
    "'created_at', " ISO_NAIVE("u.created_at") ", 'last_active_at', " ISO(                         \
        "u.last_active_at") ", 'deleted_at', " ISO("u.deleted_at") ") FROM users u WHERE u.id = "  \
                                                                   "$1), "                         \
                                                                   "'profile', (SELECT "           \
                                                                   "json_build_object('display_"   \
                                                                   "name', display_name, "         \
                                                                   "'avatar_url', avatar_url, "    \
                                                                   "'bio', bio) FROM "             \
                                                                   "user_profiles WHERE user_id "  \
                                                                   "= $1), "                       \
                                                                   "'preferences', (SELECT "       \
                                                                   "json_build_object('language'," \
                                                                   " language, 'region', region) " \
                                                                   "FROM user_profiles WHERE "     \
                                                                   "user_id = $1), "               \
                                                                   "'settings', (SELECT "          \
                                                                   "json_build_object('privacy', " \
                                                                   "privacy, 'notifications', "    \
                                                                   "notifications, "               \
                                                                   "'updated_at', " ISO(           \
                                                                       "updated_at") ") FROM "     \
                                                                                     "user_"       \
                                                                                     "profiles "   \
                                                                                     "WHERE "      \
                                                                                     "user_id = "  \
                                                                                     "$1), "
#define EXPORT_LIST(name, fields, table, order)                                                    \
    "'" name "', COALESCE((SELECT json_agg(json_build_object(" fields ") ORDER BY " order ") "     \
    "FROM " table " WHERE user_id = $1), '[]'::json)"
#define EXPORT_LIBRARY                                                                                                                                       \
    EXPORT_LIST("sessions",                                                                                                                                  \
                SESSION_FIELDS                                                                                                                               \
                ", 'revoked_at', " ISO("revoked_at") ", 'revoked_reason', revoked_reason",                                                                   \
                "sessions", "created_at, id")                                                                                                                \
    ", " EXPORT_LIST(                                                                                                                                        \
        "favorites", "'type', entity_type, 'id', entity_id, 'created_at', " ISO("created_at"),                                                               \
        "favorites",                                                                                                                                         \
        "created_at, entity_type, entity_id") ", "                                                                                                           \
                                              "'playlists', COALESCE((SELECT "                                                                               \
                                              "json_agg(json_build_object(" PL_FIELDS                                                                        \
                                              ", " PL_ITEMS ") "                                                                                             \
                                              "ORDER BY p.created_at, p.id) FROM user_playlists "                                                            \
                                              "p WHERE p.user_id = $1), "                                                                                    \
                                              "'[]'::json), " EXPORT_LIST("history", HISTORY_FIELDS, "listening_history", "played_at, id") ", " EXPORT_LIST( \
                                                  "play_counts",                                                                                             \
                                                  "'track_id', track_id, 'play_count', "                                                                     \
                                                  "play_count, "                                                                                             \
                                                  "'last_played_at', " ISO("last_played_at"),                                                                \
                                                  "play_counts",                                                                                             \
                                                  "track_id") ", " EXPORT_LIST("search_history",                                                             \
                                                                               SEARCH_FIELDS,                                                                \
                                                                               "search_history",                                                             \
                                                                               "created_at, id") ", "                                                        \
                                                                                                 "'player', (SELECT json_build_object(" PLAYER_FIELDS        \
                                                                                                 ") FROM playback_state "                                    \
                                                                                                 "WHERE user_id = $1), "
#define EXPORT_LIFECYCLE                                                                           \
    EXPORT_LIST("email_verifications",                                                             \
                "'created_at', " ISO("created_at") ", 'expires_at', " ISO(                         \
                    "expires_at") ", 'used_at', " ISO("used_at"),                                  \
                "email_verification_tokens", "created_at")                                         \
    ", " EXPORT_LIST("emails",                                                                     \
                     "'to_email', to_email, 'template', template, 'created_at', " ISO(             \
                         "created_at") ", 'sent_at', " ISO("sent_at"),                             \
                     "email_outbox", "created_at, id") ", " EXPORT_LIST("audit", AUDIT_FIELDS,     \
                                                                        "audit_log", "at, id")

const stmt_t library_stmts[LIBRARY_STMT_COUNT] = {
    [LIBRARY_STMT_VERIFY_INSERT] = {"bedrock_library_verify_insert",
                                    "INSERT INTO email_verification_tokens "
                                    "(token_hash, user_id, expires_at) VALUES "
                                    "($1, $2, now() + $3::int * interval '1 second')",
                                    3},
    [LIBRARY_STMT_OUTBOX_INSERT] =
        {"bedrock_library_outbox_insert",
         "INSERT INTO email_outbox (user_id, to_email, template, payload) "
         "VALUES ($1, $2, $3, $4::jsonb)",
         4},
    /* A token works once, before it expires, for an account that is not deleted. */
    [LIBRARY_STMT_VERIFY_USE] = {"bedrock_library_verify_use",
                                 "UPDATE email_verification_tokens t SET used_at = now() "
                                 "FROM users u WHERE t.token_hash = $1 AND t.used_at IS NULL "
                                 "AND t.expires_at > now() AND u.id = t.user_id "
                                 "AND u.deleted_at IS NULL RETURNING t.user_id::text",
                                 1},
    [LIBRARY_STMT_USER_SET_VERIFIED] = {"bedrock_library_user_set_verified",
                                        "UPDATE users SET is_verified = true WHERE id = $1", 1},
    [LIBRARY_STMT_USER_SET_PASSWORD] = {"bedrock_library_user_set_password",
                                        "UPDATE users SET password_hash = $2 "
                                        "WHERE id = $1 AND deleted_at IS NULL",
                                        2},
    /* $2 NULL revokes every session of the user. */
    [LIBRARY_STMT_SESSIONS_REVOKE_OTHERS] = {"bedrock_library_sessions_revoke_others",
                                             "UPDATE sessions SET revoked_at = now(), "
                                             "revoked_reason = $3 WHERE user_id = $1 "
                                             "AND id IS DISTINCT FROM $2::uuid "
                                             "AND revoked_at IS NULL",
                                             3},
    [LIBRARY_STMT_USER_SOFT_DELETE] = {"bedrock_library_user_soft_delete",
                                       "UPDATE users SET deleted_at = now() "
                                       "WHERE id = $1 AND deleted_at IS NULL",
                                       1},
    [LIBRARY_STMT_USER_TOUCH_ACTIVE] = {"bedrock_library_user_touch_active",
                                        "UPDATE users SET last_active_at = now() WHERE id = $1", 1},
    [LIBRARY_STMT_PROFILE_ENSURE] = {"bedrock_library_profile_ensure",
                                     "INSERT INTO user_profiles (user_id) VALUES ($1) "
                                     "ON CONFLICT (user_id) DO NOTHING",
                                     1},
    [LIBRARY_STMT_PROFILE_PATCH] =
        {
            "bedrock_library_profile_patch",
            "UPDATE user_profiles SET " PATCH("$2", "display_name") ", " PATCH("$2", "avatar_url") ", " PATCH(
                "$2",
                "bio") ", " PATCH("$2",
                                  "language") ", " PATCH("$2",
                                                         "region") ", " PATCH("$2",
                                                                              "privacy") ", "
                                                                                         "notificat"
                                                                                         "ions = "
                                                                                         "CASE "
                                                                                         "WHEN "
                                                                                         "$2::"
                                                                                         "jsonb ? "
                                                                                         "'notifica"
                                                                                         "tions' "
                                                                                         "THEN "
                                                                                         "($2::"
                                                                                         "jsonb->>'"
                                                                                         "notificat"
                                                                                         "ions')::"
                                                                                         "boolean "
                                                                                         "ELSE "
                                                                                         "notificat"
                                                                                         "ions "
                                                                                         "END, "
                                                                                         "updated_"
                                                                                         "at = "
                                                                                         "now() "
                                                                                         "WHERE "
                                                                                         "user_id "
                                                                                         "= $1",
            2},
    [LIBRARY_STMT_SESSIONS_LIST] =
        {"bedrock_library_sessions_list",
         "SELECT json_build_object(" SESSION_FIELDS ", 'current', id = $5::uuid)::text, " US(
             "created_at") ", id::text FROM sessions WHERE user_id = $1 AND revoked_at IS NULL "
                           "AND expires_at > now() AND ($2::bigint IS NULL OR (created_at, id) < "
                           "(" FROM_US(
                               "2") ", $3::uuid)) ORDER BY created_at DESC, id DESC LIMIT $4::int",
         5},
    [LIBRARY_STMT_EXPORT] = {"bedrock_library_export",
                             "SELECT json_build_object('exported_at', " ISO(
                                 "now()") ", " EXPORT_ACCOUNT EXPORT_LIBRARY EXPORT_LIFECYCLE
                                          ")::text",
                             1},

    [LIBRARY_STMT_FAV_PUT] = {"bedrock_library_fav_put",
                              "INSERT INTO favorites (user_id, entity_type, entity_id) "
                              "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                              3},
    [LIBRARY_STMT_FAV_DELETE] = {"bedrock_library_fav_delete",
                                 "DELETE FROM favorites WHERE user_id = $1 AND entity_type = $2 "
                                 "AND entity_id = $3",
                                 3},
    /* $5 NULL lists every type. */
    [LIBRARY_STMT_FAV_LIST] = {"bedrock_library_fav_list",
                               "SELECT json_build_object('type', entity_type, 'id', entity_id, "
                               "'created_at', " ISO("created_at") ")::text, " US(
                                   "created_at") ", " FAV_KEY " FROM favorites "
                                                 "WHERE user_id = $1 AND ($5::text IS NULL OR "
                                                 "entity_type = $5) "
                                                 "AND ($2::bigint IS NULL OR (created_at, " FAV_KEY
                                                 ") < (" FROM_US(
                                                     "2") ", $3::text)) "
                                                          "ORDER BY created_at DESC, " FAV_KEY
                                                          " DESC LIMIT $4::int",
                               5},

    [LIBRARY_STMT_PL_CREATE] =
        {"bedrock_library_pl_create",
         "INSERT INTO user_playlists (user_id, name, description, is_public) "
         "VALUES ($1, $2, $3, $4::boolean) RETURNING id::text",
         4},
    [LIBRARY_STMT_PL_LIST] =
        {"bedrock_library_pl_list",
         "SELECT json_build_object(" PL_FIELDS ")::text, " US(
             "p.created_at") ", p.id::text "
                             "FROM user_playlists p WHERE p.user_id = $1 AND ($2::bigint IS NULL "
                             "OR "
                             "(p.created_at, p.id) < (" FROM_US(
                                 "2") ", $3::uuid)) "
                                      "ORDER BY p.created_at DESC, p.id DESC LIMIT $4::int",
         4},
    [LIBRARY_STMT_PL_GET] = {"bedrock_library_pl_get",
                             "SELECT json_build_object(" PL_FIELDS ", " PL_ITEMS ")::text "
                             "FROM user_playlists p WHERE p.id = $2 AND p.user_id = $1",
                             2},
    [LIBRARY_STMT_PL_PATCH] =
        {"bedrock_library_pl_patch",
         "UPDATE user_playlists SET " PATCH("$3", "name") ", " PATCH(
             "$3", "description") ", is_public = CASE WHEN "
                                  "$3::jsonb ? 'public' THEN ($3::jsonb->>'public')::boolean "
                                  "ELSE is_public END, updated_at = now() "
                                  "WHERE id = $2 AND user_id = $1",
         3},
    [LIBRARY_STMT_PL_DELETE] = {"bedrock_library_pl_delete",
                                "DELETE FROM user_playlists WHERE id = $2 AND user_id = $1", 2},
    /* Edits of one playlist run one after the other: each locks the playlist row first,
     * and counts (a fresh snapshot: READ COMMITTED) only once it holds the lock. */
    [LIBRARY_STMT_PL_LOCK] = {"bedrock_library_pl_lock",
                              "SELECT id FROM user_playlists WHERE id = $2 AND user_id = $1 "
                              "FOR UPDATE",
                              2},
    [LIBRARY_STMT_PL_COUNT] = {"bedrock_library_pl_count",
                               "SELECT count(*) FROM user_playlist_items WHERE playlist_id = $1",
                               1},
    /* The primary key is DEFERRABLE INITIALLY DEFERRED: shifts may collide until commit. */
    [LIBRARY_STMT_PL_SHIFT_UP] = {"bedrock_library_pl_shift_up",
                                  "UPDATE user_playlist_items SET position = position + $3::int "
                                  "WHERE playlist_id = $1 AND position >= $2::int",
                                  3},
    [LIBRARY_STMT_PL_INSERT_ITEMS] = {"bedrock_library_pl_insert_items",
                                      "INSERT INTO user_playlist_items "
                                      "(playlist_id, position, track_id) "
                                      "SELECT $1, $2::int + (x.ord - 1)::int, x.t "
                                      "FROM jsonb_array_elements_text($3::jsonb) "
                                      "WITH ORDINALITY AS x(t, ord)",
                                      3},
    [LIBRARY_STMT_PL_REMOVE_AT] = {"bedrock_library_pl_remove_at",
                                   "DELETE FROM user_playlist_items "
                                   "WHERE playlist_id = $1 AND position = $2::int",
                                   2},
    [LIBRARY_STMT_PL_SHIFT_DOWN] = {"bedrock_library_pl_shift_down",
                                    "UPDATE user_playlist_items SET position = position - 1 "
                                    "WHERE playlist_id = $1 AND position > $2::int",
                                    2},
    [LIBRARY_STMT_PL_CLEAR] = {"bedrock_library_pl_clear",
                               "DELETE FROM user_playlist_items WHERE playlist_id = $1", 1},
    [LIBRARY_STMT_PL_TOUCH] = {"bedrock_library_pl_touch",
                               "UPDATE user_playlists SET updated_at = now() WHERE id = $1", 1},

    [LIBRARY_STMT_HISTORY_LIST] =
        {"bedrock_library_history_list",
         "SELECT json_build_object(" HISTORY_FIELDS ")::text, " US(
             "played_at") ", id::text "
                          "FROM listening_history WHERE user_id = $1 AND ($2::bigint IS NULL OR "
                          "(played_at, id) < (" FROM_US(
                              "2") ", $3::bigint)) "
                                   "ORDER BY played_at DESC, id DESC LIMIT $4::int",
         4},
    [LIBRARY_STMT_SEARCH_LIST] =
        {"bedrock_library_search_list",
         "SELECT json_build_object(" SEARCH_FIELDS ")::text, " US(
             "created_at") ", id::text "
                           "FROM search_history WHERE user_id = $1 AND ($2::bigint IS NULL OR "
                           "(created_at, id) < (" FROM_US(
                               "2") ", $3::bigint)) "
                                    "ORDER BY created_at DESC, id DESC LIMIT $4::int",
         4},
    [LIBRARY_STMT_SEARCH_CLEAR] = {"bedrock_library_search_clear",
                                   "DELETE FROM search_history WHERE user_id = $1", 1},
    [LIBRARY_STMT_PLAYER_GET] = {"bedrock_library_player_get",
                                 "SELECT json_build_object(" PLAYER_FIELDS ")::text "
                                 "FROM playback_state WHERE user_id = $1",
                                 1},
    [LIBRARY_STMT_PLAYER_PUT] = {"bedrock_library_player_put",
                                 "INSERT INTO playback_state (user_id, track_id, position_ms, "
                                 "device, is_playing, updated_at) VALUES ($1, $2, $3::int, $4, "
                                 "$5::boolean, now()) ON CONFLICT (user_id) DO UPDATE SET "
                                 "track_id = EXCLUDED.track_id, position_ms = "
                                 "EXCLUDED.position_ms, device = EXCLUDED.device, is_playing = "
                                 "EXCLUDED.is_playing, updated_at = now() "
                                 "RETURNING json_build_object(" PLAYER_FIELDS ")::text",
                                 5},

    [LIBRARY_STMT_AUDIT_INSERT] = {"bedrock_library_audit_insert",
                                   "INSERT INTO audit_log (user_id, actor_id, action, ip, "
                                   "user_agent, details) VALUES ($1::uuid, $2::uuid, $3, "
                                   "left(NULLIF($4, ''), 64), left(NULLIF($5, ''), 256), "
                                   "COALESCE($6::jsonb, '{}'::jsonb))",
                                   6},
    /* $1 NULL lists every entry. */
    [LIBRARY_STMT_AUDIT_LIST] =
        {"bedrock_library_audit_list",
         "SELECT json_build_object(" AUDIT_FIELDS
         ")::text, " US("at") ", id::text "
                              "FROM audit_log WHERE ($1::uuid IS NULL OR user_id = $1::uuid) AND "
                              "($2::bigint IS NULL "
                              "OR (at, id) < (" FROM_US(
                                  "2") ", $3::bigint)) ORDER BY at DESC, id DESC LIMIT $4::int",
         4},
    /* Emails are stored lower-case (validate_email); $1 NULL lists every account. */
    [LIBRARY_STMT_ADMIN_USERS_LIST] =
        {"bedrock_library_admin_users_list",
         "SELECT " ADMIN_USER_JSON "::text, " US(
             "u.created_at") ", u.id::text FROM users u "
                             "LEFT JOIN user_profiles p ON p.user_id = u.id "
                             "WHERE ($1::text IS NULL OR strpos(u.email, lower($1::text)) > 0) "
                             "AND ($2::bigint IS NULL OR (u.created_at, u.id) < (" FROM_US_NAIVE(
                                 "2") ", $3::uuid)) "
                                      "ORDER BY u.created_at DESC, u.id DESC LIMIT $4::int",
         4},
    [LIBRARY_STMT_ADMIN_USER_GET] = {"bedrock_library_admin_user_get",
                                     "SELECT " ADMIN_USER_JSON "::text FROM users u "
                                     "LEFT JOIN user_profiles p ON p.user_id = u.id "
                                     "WHERE u.id = $1",
                                     1},
    [LIBRARY_STMT_USER_LOCK] = {"bedrock_library_user_lock",
                                "SELECT COALESCE(role, 'user') FROM users WHERE id = $1 "
                                "FOR UPDATE",
                                1},
    [LIBRARY_STMT_USER_LOCK_BY_EMAIL] = {"bedrock_library_user_lock_by_email",
                                         "SELECT id::text, COALESCE(role, 'user') FROM users "
                                         "WHERE email = $1 AND deleted_at IS NULL FOR UPDATE",
                                         1},
    [LIBRARY_STMT_USER_SET_ROLE] = {"bedrock_library_user_set_role",
                                    "UPDATE users SET role = $2 WHERE id = $1", 2},
    /* The inactivity policy: no login for $1 days (never logged in: since registration).
     * Admins are kept, so that an unattended installation never loses its last admin. */
    [LIBRARY_STMT_INACTIVE_DELETE] =
        {"bedrock_library_inactive_delete",
         "WITH d AS (UPDATE users SET deleted_at = now() WHERE id IN (SELECT id FROM users "
         "WHERE deleted_at IS NULL AND COALESCE(role, 'user') <> 'admin' AND "
         "COALESCE(last_active_at, created_at AT TIME ZONE 'UTC') < now() - $1::int * "
         "interval '1 day' LIMIT $2::int FOR UPDATE SKIP LOCKED) RETURNING id), "
         "r AS (UPDATE sessions s SET revoked_at = now(), revoked_reason = 'inactive' FROM d "
         "WHERE s.user_id = d.id AND s.revoked_at IS NULL), "
         "a AS (INSERT INTO audit_log (user_id, action, details) "
         "SELECT id, 'user.deleted', '{\"reason\":\"inactive\"}'::jsonb FROM d) "
         "SELECT count(*) FROM d",
         2},
    /* One batch of the purge, atomic: the accounts soft-deleted at least $1 days ago
     * (every row of theirs goes with the users row: ON DELETE CASCADE), the audit
     * entries about them or by them (audit_log has no foreign keys), and one entry per
     * account without personal data: the SHA-256 of its id. */
    [LIBRARY_STMT_PURGE_BATCH] =
        {"bedrock_library_purge_batch",
         "WITH v AS (SELECT id FROM users WHERE deleted_at IS NOT NULL "
         "AND deleted_at <= now() - $1::int * interval '1 day' ORDER BY deleted_at "
         "LIMIT $2::int FOR UPDATE SKIP LOCKED), "
         "a AS (DELETE FROM audit_log WHERE user_id IN (SELECT id FROM v) "
         "OR actor_id IN (SELECT id FROM v)), "
         "u AS (DELETE FROM users WHERE id IN (SELECT id FROM v) RETURNING id) "
         "INSERT INTO audit_log (action, details) SELECT 'user.purged', "
         "jsonb_build_object('user_id_sha256', encode(sha256(convert_to(id::text, 'UTF8')), "
         "'hex')) FROM u RETURNING id",
         2},
};
