#include "handler.h"

#include "log.h"

#include <stdio.h>
#include <string.h>

int handler_ok(handler_ctx_t *ctx, int status, json_t *data)
{
    ctx->rep->status = status;
    json_decref(ctx->rep->data);
    ctx->rep->data = data;
    return 0;
}

int handler_error(handler_ctx_t *ctx, int status, const char *code, const char *message)
{
    envelope_reply_set_error(ctx->rep, status, code, message, NULL);
    return 0;
}

int handler_invalid(handler_ctx_t *ctx, const char *field, const char *message)
{
    envelope_reply_set_error(ctx->rep, 400, "invalid_argument", message,
                             json_pack("{s:s}", "field", field));
    return 0;
}

int handler_header(handler_ctx_t *ctx, const char *name, const char *value)
{
    if (!ctx->rep->headers && !(ctx->rep->headers = json_object()))
        return -1;
    return json_object_set_new(ctx->rep->headers, name, json_string(value));
}

int handler_db_error(handler_ctx_t *ctx, db_err_t err)
{
    switch (err) {
    case DB_ERR_UNAVAILABLE:
    case DB_ERR_RETRY: /* still conflicting after the retries: ask the client to come back */
        handler_error(ctx, 503, "db_unavailable", "the database is unavailable, retry shortly");
        return handler_header(ctx, "retry-after", "1") < 0 ? -1 : 0;
    case DB_ERR_UNIQUE:
    case DB_ERR_FOREIGN_KEY:
        return handler_error(ctx, 409, "conflict", "the change conflicts with existing data");
    case DB_ERR_INVALID_DATA:
        return handler_error(ctx, 400, "invalid_argument", "a value does not fit");
    case DB_ERR_NOT_FOUND:
        return handler_error(ctx, 404, "not_found", "not found");
    case DB_OK:
    case DB_ERR_OTHER:
        break;
    }
    log_error("op %s: database error (%s)", ctx->req->op, db_err_name(err));
    return handler_error(ctx, 500, "internal", "internal error");
}

/* The provider pool's prefix: "provider." + op is the same handler, allowed to call
 * providers (dispatch.c registers both names). */
#define S_PROVIDER_PREFIX "provider."

int handler_forward(handler_ctx_t *ctx)
{
    if (ctx->provider_pool) {
        log_error("op %s: forward asked on the provider pool", ctx->req->op);
        return handler_error(ctx, 500, "internal", "internal error");
    }
    int n = snprintf(ctx->forward_op, sizeof ctx->forward_op, "%s%s", S_PROVIDER_PREFIX,
                     ctx->req->op);
    if (n < 0 || (size_t)n >= sizeof ctx->forward_op) {
        ctx->forward_op[0] = '\0';
        log_error("op %s: too long to forward", ctx->req->op);
        return handler_error(ctx, 500, "internal", "internal error");
    }
    return 0;
}

const char *handler_string(handler_ctx_t *ctx, const char *field, size_t *len, bool *bad)
{
    json_t *body = ctx->req->body;
    json_t *v = json_is_object(body) ? json_object_get(body, field) : NULL;
    *len = 0;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = true;
        return NULL;
    }
    *len = json_string_length(v);
    return json_string_value(v);
}
