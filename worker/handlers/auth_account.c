/* auth.verify_email, auth.password — the account lifecycle ops of the Auth section.
 *
 * auth.verify_email  {token} -> 204 and is_verified = true; 400 invalid_token when the
 *                    token is unknown, expired (BEDROCK_VERIFY_TTL_S), already used, or
 *                    its account deleted.
 * auth.password      (bearer) {current_password, new_password} -> 204; every other
 *                    session of the user is revoked, the current one kept. A wrong
 *                    current password is 401 invalid_credentials and counts as a failed
 *                    login of the account's email (BEDROCK_RATE_LOGIN), so a stolen
 *                    access token cannot guess the password faster than the login can.
 */
#include "library_handlers.h"
#include "libreq.h"

#include "library/access.h"
#include "library/account.h"
#include "library/audit.h"
#include "library/ratelimit.h"
#include "users.h"
#include "validate.h"

#include <string.h>

int handle_auth_verify_email(handler_ctx_t *ctx)
{
    bool bad = false;
    size_t len;
    const char *token = handler_string(ctx, "token", &len, &bad);
    if (!token || bad)
        return handler_invalid(ctx, "token", "token must be a string");
    account_origin_t from = libreq_origin(ctx);
    db_err_t err = account_verify_email(ctx->db, token, &from);
    if (err == DB_ERR_NOT_FOUND)
        return handler_error(ctx, 400, "invalid_token",
                             "the verification token is invalid, expired or already used");
    return libreq_reply(ctx, err, 204, NULL);
}

/* Checks the current password (bcrypt, on the primary); false when the reply is set. */
static bool s_current_ok(handler_ctx_t *ctx, const char *current, size_t clen)
{
    users_row_t user;
    db_err_t err = users_find_by_id(ctx->primary, ctx->req->auth_sub, &user);
    if (err != DB_OK) {
        (void)handler_db_error(ctx, err);
        return false;
    }
    int retry = 0;
    if (ratelimit_login_blocked(ctx->cache, user.email, ctx->req->meta_ip, &retry)) {
        explicit_bzero(user.password_hash, sizeof user.password_hash);
        (void)access_rate_limited(ctx, retry);
        return false;
    }
    bool ok =
        clen <= PASSWORD_MAX_BYTES && password_verify(ctx->password, current, user.password_hash);
    explicit_bzero(user.password_hash, sizeof user.password_hash);
    if (ok)
        return true;
    ratelimit_login_failed(ctx->cache, user.email, ctx->req->meta_ip);
    audit_entry_t e = {user.id,           user.id,           "auth.password_change_failed",
                       ctx->req->meta_ip, ctx->req->meta_ua, NULL};
    audit_note(ctx->primary, &e);
    handler_error(ctx, 401, "invalid_credentials", "the current password is wrong");
    return false;
}

int handle_auth_password(handler_ctx_t *ctx)
{
    bool bad = false;
    size_t clen, nlen;
    const char *current = handler_string(ctx, "current_password", &clen, &bad);
    if (!current || bad)
        return handler_invalid(ctx, "current_password", "current_password must be a string");
    const char *next = handler_string(ctx, "new_password", &nlen, &bad);
    if (!next || bad || validate_password(next, nlen) < 0)
        return handler_invalid(ctx, "new_password",
                               "new_password must be a string of 8 to 72 bytes");
    if (!s_current_ok(ctx, current, clen))
        return 0;
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(ctx->password, next, hash, sizeof hash) < 0)
        return -1;
    account_origin_t from = libreq_origin(ctx);
    db_err_t err =
        account_set_password(ctx->db, ctx->req->auth_sub, ctx->req->auth_sid, hash, &from);
    explicit_bzero(hash, sizeof hash);
    return libreq_reply(ctx, err, 204, NULL);
}
