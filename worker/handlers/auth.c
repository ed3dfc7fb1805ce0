/* auth.* — register, login, refresh, logout (CONTRACTS.md "Ops of issue 2"). */
#include "handlers.h"

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

    char hash[PASSWORD_HASH_MAX];
    if (password_hash(ctx->password, password, hash, sizeof hash) < 0)
        return -1;
    users_row_t user;
    db_err_t err = users_create(ctx->db, email, hash, name, &user);
    explicit_bzero(hash, sizeof hash);
    if (err == DB_ERR_UNIQUE)
        return handler_error(ctx, 409, "email_taken", "an account with this email already exists");
    if (err != DB_OK)
        return handler_db_error(ctx, err);
    return handler_ok(ctx, 201, json_pack("{s:s, s:s}", "id", user.id, "email", user.email));
}

/* Same work whether the email exists or not: an unknown (or malformed) email still
 * costs one bcrypt verification, against the dummy hash. */
static bool s_check_credentials(handler_ctx_t *ctx, const char *raw, size_t elen,
                                const char *password, size_t plen, users_row_t *user, db_err_t *err)
{
    char email[VALIDATE_EMAIL_MAX + 1];
    *err = DB_ERR_NOT_FOUND;
    if (validate_email(raw, elen, email, sizeof email) == 0)
        *err = users_find_by_email(ctx->db, email, user);
    if (*err != DB_OK && *err != DB_ERR_NOT_FOUND)
        return false;
    if (*err == DB_OK && plen <= PASSWORD_MAX_BYTES && plen > 0)
        return password_verify(ctx->password, password, user->password_hash);
    password_verify_dummy(ctx->password, password);
    return false;
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

    users_row_t user;
    db_err_t err;
    bool ok = s_check_credentials(ctx, email, elen, password, plen, &user, &err);
    explicit_bzero(user.password_hash, sizeof user.password_hash);
    if (err != DB_OK && err != DB_ERR_NOT_FOUND)
        return handler_db_error(ctx, err);
    if (!ok)
        return handler_error(ctx, 401, "invalid_credentials", "the email or password is wrong");

    sessions_grant_t grant;
    err = sessions_create(ctx->db, user.id, user.role, ctx->req->meta_ip, ctx->req->meta_ua,
                          ctx->cfg->session_ttl_s, &grant);
    if (err != DB_OK)
        return handler_db_error(ctx, err);
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
    return s_token_pair(ctx, &grant);
}

/* Already revoked (a concurrent logout) is still a successful logout. */
int handle_auth_logout(handler_ctx_t *ctx)
{
    db_err_t err = sessions_revoke(ctx->db, ctx->req->auth_sid, ctx->req->auth_sub, "logout");
    if (err != DB_OK && err != DB_ERR_NOT_FOUND)
        return handler_db_error(ctx, err);
    return handler_ok(ctx, 204, NULL);
}
