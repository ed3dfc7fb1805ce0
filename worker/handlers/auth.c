/* auth.* — register, login, refresh, logout (CONTRACTS.md "Ops of issue 2"), with
 * the account lifecycle of issue 4: registration writes the verification email
 * (library/account.h), logins and logouts are audited (library/audit.h), and the
 * rate limits of library/ratelimit.h apply (registrations per IP before any bcrypt
 * work, failed logins per email and per IP: 429 rate_limited with retry-after). */
#include "handlers.h"

#include "library/access.h"
#include "library/account.h"
#include "library/audit.h"
#include "library/library_config.h"
#include "library/ratelimit.h"
#include "log.h"
#include "sessions.h"
#include "token.h"
#include "users.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_MSG_PASSWORD "password must be a string of 8 to 72 bytes"

/* Fails fast when PostgreSQL is down, before spending bcrypt time on a request
 * that cannot succeed anyway. */
static bool s_db_down(handler_ctx_t *ctx)
{
    if (db_ensure(ctx->db) == DB_OK)
        return false;
    (void)handler_db_error(ctx, DB_ERR_UNAVAILABLE);
    return true;
}

/* The login/refresh reply: a fresh access JWT for the grant's session and its
 * refresh token. */
static int s_token_pair(handler_ctx_t *ctx, sessions_grant_t *g)
{
    token_claims_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.sub, sizeof c.sub, "%s", g->user_id);
    snprintf(c.role, sizeof c.role, "%s", g->role);
    snprintf(c.sid, sizeof c.sid, "%s", g->session_id);
    c.iat = (int64_t)time(NULL);
    c.exp = c.iat + ctx->cfg->access_ttl_s;
    char *jwt = token_sign(ctx->cfg->jwt_secret, &c);
    if (!jwt)
        return -1;
    json_t *data =
        json_pack("{s:s, s:s, s:s, s:i}", "access_token", jwt, "refresh_token", g->refresh_token,
                  "token_type", "Bearer", "expires_in", ctx->cfg->access_ttl_s);
    free(jwt);
    explicit_bzero(g->refresh_token, sizeof g->refresh_token);
    if (!data)
        return -1;
    return handler_ok(ctx, 200, data);
}

int handle_auth_register(handler_ctx_t *ctx)
{
    bool bad = false;
    size_t elen, plen, dlen;
    char email[VALIDATE_EMAIL_MAX + 1];
    const char *raw = handler_string(ctx, "email", &elen, &bad);
    if (!raw || bad || validate_email(raw, elen, email, sizeof email) < 0)
        return handler_invalid(ctx, "email", "email must be a valid address of at most 255 bytes");
    const char *password = handler_string(ctx, "password", &plen, &bad);
    if (!password || bad || validate_password(password, plen) < 0)
        return handler_invalid(ctx, "password", S_MSG_PASSWORD);
    const char *name = handler_string(ctx, "display_name", &dlen, &bad);
    if (bad || (name && validate_display_name(name, dlen) < 0))
        return handler_invalid(ctx, "display_name",
                               "display_name must be a string of at most 100 characters");
    if (s_db_down(ctx))
        return 0;
    int retry = 0;
    const char *ip = ctx->req->meta_ip;
    if (ip[0] && !library_config_ip_exempt(ip) &&
        ratelimit_hit(ctx->cache, &library_config()->rate_register, "register", ip, &retry)) {
        log_warn("rate limit: registrations from %s over BEDROCK_RATE_REGISTER", ip);
        return access_rate_limited(ctx, retry);
    }

    char hash[PASSWORD_HASH_MAX];
    if (password_hash(ctx->password, password, hash, sizeof hash) < 0)
        return -1;
    users_row_t user;
    account_origin_t from = {ctx->req->meta_ip, ctx->req->meta_ua};
    db_err_t err =
        account_register(ctx->db, email, hash, name, library_config()->verify_ttl_s, &from, &user);
    explicit_bzero(hash, sizeof hash);
    if (err == DB_ERR_UNIQUE)
        return handler_error(ctx, 409, "email_taken", "an account with this email already exists");
    if (err != DB_OK)
        return handler_db_error(ctx, err);
    return handler_ok(ctx, 201, json_pack("{s:s, s:s}", "id", user.id, "email", user.email));
}

/* The key the login limit counts under: the normalised email, or for input that is
 * not an email, the raw text cut to size (it still must not allow unlimited tries). */
static void s_login_key(const char *raw, size_t elen, char email[VALIDATE_EMAIL_MAX + 1])
{
    if (validate_email(raw, elen, email, VALIDATE_EMAIL_MAX + 1) == 0)
        return;
    size_t n = elen > VALIDATE_EMAIL_MAX ? VALIDATE_EMAIL_MAX : elen;
    memcpy(email, raw, n);
    email[n] = '\0';
}

/* Same work whether the email exists or not: an unknown (or malformed) email still
 * costs one bcrypt verification, against the dummy hash. */
static bool s_check_credentials(handler_ctx_t *ctx, const char *raw, size_t elen,
                                const char *password, size_t plen, users_row_t *user, db_err_t *err)
{
    char email[VALIDATE_EMAIL_MAX + 1];
    *err = DB_ERR_NOT_FOUND;
    memset(user, 0, sizeof *user);
    if (validate_email(raw, elen, email, sizeof email) == 0)
        *err = users_find_by_email(ctx->db, email, user);
    if (*err != DB_OK && *err != DB_ERR_NOT_FOUND)
        return false;
    if (*err == DB_OK && plen <= PASSWORD_MAX_BYTES && plen > 0)
        return password_verify(ctx->password, password, user->password_hash);
    password_verify_dummy(ctx->password, password);
    return false;
}

/* Best effort: an audit entry that cannot be written is logged, the login goes on. */
static void s_audit(handler_ctx_t *ctx, const char *user_id, const char *action, json_t *details)
{
    audit_entry_t e = {user_id, user_id, action, ctx->req->meta_ip, ctx->req->meta_ua, details};
    audit_note(ctx->db, &e);
    json_decref(details);
}

static void s_touch(handler_ctx_t *ctx, const char *user_id)
{
    db_err_t err = account_touch_active(ctx->db, user_id);
    if (err != DB_OK)
        log_warn("could not record the activity of a user (%s)", db_err_name(err));
}

/* Counts the failure for the rate limit and audits it; the email only as a hash. */
static int s_login_failed(handler_ctx_t *ctx, const char *key, const char *user_id)
{
    char email_hash[65];
    token_sha256_hex(key, email_hash);
    ratelimit_login_failed(ctx->cache, key, ctx->req->meta_ip);
    s_audit(ctx, user_id, "auth.login.failed",
            json_pack("{s:s, s:s}", "email_sha256", email_hash, "reason",
                      user_id ? "wrong_password" : "unknown_email"));
    return handler_error(ctx, 401, "invalid_credentials", "the email or password is wrong");
}

int handle_auth_login(handler_ctx_t *ctx)
{
    bool bad = false;
    size_t elen, plen;
    const char *email = handler_string(ctx, "email", &elen, &bad);
    if (!email || bad)
        return handler_invalid(ctx, "email", "email must be a string");
    const char *password = handler_string(ctx, "password", &plen, &bad);
    if (!password || bad)
        return handler_invalid(ctx, "password", "password must be a string");
    if (s_db_down(ctx))
        return 0;

    char key[VALIDATE_EMAIL_MAX + 1];
    s_login_key(email, elen, key);
    int retry = 0;
    if (ratelimit_login_blocked(ctx->cache, key, ctx->req->meta_ip, &retry)) {
        log_warn("rate limit: login refused for an email or %s over BEDROCK_RATE_LOGIN",
                 ctx->req->meta_ip[0] ? ctx->req->meta_ip : "(no ip)");
        return access_rate_limited(ctx, retry);
    }

    users_row_t user;
    db_err_t err;
    bool ok = s_check_credentials(ctx, email, elen, password, plen, &user, &err);
    explicit_bzero(user.password_hash, sizeof user.password_hash);
    if (err != DB_OK && err != DB_ERR_NOT_FOUND)
        return handler_db_error(ctx, err);
    if (!ok)
        return s_login_failed(ctx, key, err == DB_OK ? user.id : NULL);

    sessions_grant_t grant;
    err = sessions_create(ctx->db, user.id, user.role, ctx->req->meta_ip, ctx->req->meta_ua,
                          ctx->cfg->session_ttl_s, &grant);
    if (err != DB_OK)
        return handler_db_error(ctx, err);
    s_audit(ctx, user.id, "auth.login.succeeded",
            json_pack("{s:s}", "session_id", grant.session_id));
    s_touch(ctx, user.id);
    return s_token_pair(ctx, &grant);
}

int handle_auth_refresh(handler_ctx_t *ctx)
{
    bool bad = false;
    size_t len;
    const char *token = handler_string(ctx, "refresh_token", &len, &bad);
    if (!token || bad)
        return handler_invalid(ctx, "refresh_token", "refresh_token must be a string");
    sessions_grant_t grant;
    sessions_outcome_t outcome;
    db_err_t err = sessions_rotate(ctx->db, token, &grant, &outcome);
    if (err != DB_OK)
        return handler_db_error(ctx, err);
    if (outcome != SESSIONS_ROTATED)
        return handler_error(ctx, 401, "invalid_token",
                             "the refresh token is invalid, expired or revoked");
    s_touch(ctx, grant.user_id);
    return s_token_pair(ctx, &grant);
}

/* Already revoked (a concurrent logout) is still a successful logout. */
int handle_auth_logout(handler_ctx_t *ctx)
{
    db_err_t err = sessions_revoke(ctx->db, ctx->req->auth_sid, ctx->req->auth_sub, "logout");
    if (err != DB_OK && err != DB_ERR_NOT_FOUND)
        return handler_db_error(ctx, err);
    if (err == DB_OK)
        s_audit(ctx, ctx->req->auth_sub, "auth.logout",
                json_pack("{s:s}", "session_id", ctx->req->auth_sid));
    return handler_ok(ctx, 204, NULL);
}
