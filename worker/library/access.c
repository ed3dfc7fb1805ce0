#include "access.h"

#include "ids.h"
#include "library_config.h"
#include "log.h"
#include "ratelimit.h"

#include <stdio.h>
#include <string.h>

int access_rate_limited(handler_ctx_t *ctx, int retry_after_s)
{
    char seconds[24];
    snprintf(seconds, sizeof seconds, "%d", retry_after_s < 1 ? 1 : retry_after_s);
    handler_error(ctx, 429, "rate_limited", "too many requests, retry later");
    return handler_header(ctx, "retry-after", seconds);
}

/* The account's role now, when the session is live; DB_ERR_NOT_FOUND otherwise. */
static db_err_t s_session_role(handler_ctx_t *ctx, char *role, size_t size)
{
    const envelope_request_t *req = ctx->req;
    if (!ids_is_uuid(req->auth_sid) || !ids_is_uuid(req->auth_sub))
        return DB_ERR_NOT_FOUND;
    const char *params[] = {req->auth_sid, req->auth_sub};
    PGresult *res = NULL;
    db_err_t err = db_exec(ctx->primary, STMT_SESSION_CHECK, params, &res);
    if (err != DB_OK)
        return err;
    bool live = PQntuples(res) == 1;
    if (live)
        snprintf(role, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return live ? DB_OK : DB_ERR_NOT_FOUND;
}

bool access_check(handler_ctx_t *ctx, bool admin_only)
{
    if (!ctx->req->has_auth) {
        handler_error(ctx, 401, "unauthorized", "authentication required");
        return false;
    }
    char role[64] = "";
    db_err_t err = s_session_role(ctx, role, sizeof role);
    if (err == DB_ERR_NOT_FOUND) {
        handler_error(ctx, 401, "unauthorized", "the session is not valid");
        return false;
    }
    if (err != DB_OK) {
        (void)handler_db_error(ctx, err);
        return false;
    }
    if (admin_only && strcmp(role, "admin") != 0) {
        handler_error(ctx, 403, "forbidden", "this operation needs the admin role");
        return false;
    }
    int retry = 0;
    if (ratelimit_hit(ctx->cache, &library_config()->rate_user, "user", ctx->req->auth_sub,
                      &retry)) {
        log_info("rate limit: user %s over BEDROCK_RATE_USER (%s)", ctx->req->auth_sub,
                 ctx->req->op);
        if (access_rate_limited(ctx, retry) < 0)
            envelope_reply_set_error(ctx->rep, 500, "internal", "internal error", NULL);
        return false;
    }
    return true;
}
