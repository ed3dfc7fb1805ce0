#include "stmt.h"

/* users.created_at is a TIMESTAMP without time zone (the original schema). The worker
 * writes it as UTC explicitly and reads it back as UTC, so the session TimeZone never
 * matters (and no startup parameter is needed, which PgBouncer would refuse). */

const stmt_t stmt_table[STMT_COUNT] = {
    [STMT_PING] = {"bedrock_ping", "SELECT 1", 0},

    [STMT_USER_INSERT] = {"bedrock_user_insert",
                          "INSERT INTO users (email, password_hash, created_at) "
                          "VALUES ($1, $2, (now() AT TIME ZONE 'UTC')) "
                          "RETURNING id, email, COALESCE(role, 'user')",
                          2},

    [STMT_PROFILE_INSERT] = {"bedrock_profile_insert",
                             "INSERT INTO user_profiles (user_id, display_name) VALUES ($1, $2)",
                             2},

    /* Login: a soft-deleted account is as unknown as an absent one. */
    [STMT_USER_BY_EMAIL] = {"bedrock_user_by_email",
                            "SELECT id, email, password_hash, COALESCE(role, 'user'), "
                            "COALESCE(is_verified, false) FROM users WHERE email = $1 "
                            "AND deleted_at IS NULL",
                            1},

    [STMT_USER_BY_ID] = {"bedrock_user_by_id",
                         "SELECT id, email, password_hash, COALESCE(role, 'user'), "
                         "COALESCE(is_verified, false) FROM users WHERE id = $1",
                         1},

    [STMT_USER_ME] = {"bedrock_user_me",
                      "SELECT u.id, u.email, COALESCE(u.role, 'user'), "
                      "COALESCE(u.is_verified, false), "
                      "to_char(u.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                      "p.display_name, p.avatar_url, p.bio, p.language, p.region, "
                      "COALESCE(p.privacy, 'private'), COALESCE(p.notifications, true) "
                      "FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id "
                      "WHERE u.id = $1",
                      1},

    /* ip and user agent come from request metadata: cut to the column sizes rather
     * than fail a login over an unusually long User-Agent. */
    [STMT_SESSION_INSERT] = {"bedrock_session_insert",
                             "INSERT INTO sessions (user_id, expires_at, ip, user_agent) "
                             "VALUES ($1, now() + $2::int * interval '1 second', "
                             "left(NULLIF($3, ''), 64), left(NULLIF($4, ''), 256)) "
                             "RETURNING id",
                             4},

    /* Every authenticated request: the session is live and its account is not
     * deleted. Returns the account's role as it is now (not as the token says), so
     * that a demoted admin loses admin ops at once (library/access.c). */
    [STMT_SESSION_CHECK] = {"bedrock_session_check",
                            "SELECT COALESCE(u.role, 'user') FROM sessions s "
                            "JOIN users u ON u.id = s.user_id WHERE s.id = $1 "
                            "AND s.user_id = $2 AND s.revoked_at IS NULL "
                            "AND s.expires_at > now() AND u.deleted_at IS NULL",
                            2},

    [STMT_SESSION_REVOKE] = {"bedrock_session_revoke",
                             "UPDATE sessions SET revoked_at = now(), revoked_reason = $3 "
                             "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                             3},

    [STMT_SESSION_TOUCH] = {"bedrock_session_touch",
                            "UPDATE sessions SET last_used_at = now() WHERE id = $1", 1},

    /* A refresh token lives as long as its session. */
    [STMT_TOKEN_INSERT] = {"bedrock_token_insert",
                           "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) "
                           "SELECT $1, s.id, s.expires_at FROM sessions s WHERE s.id = $2",
                           2},

    /* Locks the token and its session: two refreshes of one session run one after the
     * other, so a replayed token is seen as used by the second. */
    [STMT_TOKEN_LOCK] = {"bedrock_token_lock",
                         "SELECT rt.session_id, s.user_id, COALESCE(u.role, 'user'), "
                         "rt.used_at IS NOT NULL, rt.expires_at <= now(), "
                         "s.revoked_at IS NOT NULL, s.expires_at <= now() "
                         "FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id "
                         "JOIN users u ON u.id = s.user_id "
                         "WHERE rt.token_hash = $1 FOR UPDATE OF rt, s",
                         1},

    [STMT_TOKEN_MARK_USED] = {"bedrock_token_mark_used",
                              "UPDATE refresh_tokens SET used_at = now() "
                              "WHERE token_hash = $1 AND used_at IS NULL",
                              1},
};
