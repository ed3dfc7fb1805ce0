/* users.promote, users.purge — internal ops for operators (bedrockctl) and timers.
 * They have no HTTP route: only clients the broker lets in (CURVE allow-list across
 * hosts) can call them, which is what makes `bedrockctl user promote` the way to
 * make the first admin.
 *
 * users.promote  body or args {email, role?} (role default "admin") -> 200 the account
 *                (404 not_found when no live account has that email); audited
 *                user.role_changed {via: "bedrockctl"} with no actor.
 * users.purge    args or body {older_than_days?} (default BEDROCK_RETENTION_DAYS) ->
 *                200 {purged, inactivated, more, older_than_days, inactive_days}
 *                (retention.h says what is removed; more: true = call again, the
 *                time budget BEDROCK_PURGE_BUDGET_MS ran out first).
 */
#include "library_handlers.h"
#include "libreq.h"

#include "library/admin_users.h"
#include "library/library_config.h"
#include "library/retention.h"
#include "validate.h"

#include <string.h>

#define S_DAYS_MAX 36500

/* The object holding field: the body, else args (bedrockctl may pass either). */
static const json_t *s_holder(handler_ctx_t *ctx, const char *field)
{
    const json_t *body = ctx->req->body;
    if (json_is_object(body) && json_object_get(body, field))
        return body;
    return libreq_args(ctx);
}

static const json_t *s_param(handler_ctx_t *ctx, const char *field)
{
    const json_t *holder = s_holder(ctx, field);
    return holder ? json_object_get(holder, field) : NULL;
}

int handle_users_promote(handler_ctx_t *ctx)
{
    const char *raw = json_string_value(s_param(ctx, "email"));
    char email[VALIDATE_EMAIL_MAX + 1];
    if (!raw || validate_email(raw, strlen(raw), email, sizeof email) < 0)
        return handler_invalid(ctx, "email", "email must be a valid address");
    const json_t *r = s_param(ctx, "role");
    const char *role = r ? json_string_value(r) : "admin";
    if (!admin_users_role_ok(role))
        return handler_invalid(ctx, "role", "role must be \"user\" or \"admin\"");
    json_t *user = NULL;
    db_err_t err = admin_users_promote(ctx->db, email, role, &user);
    if (err == DB_ERR_NOT_FOUND)
        return handler_error(ctx, 404, "not_found", "no account has this email");
    return libreq_reply(ctx, err, 200, user);
}

int handle_users_purge(handler_ctx_t *ctx)
{
    const library_config_t *cfg = library_config();
    long days;
    if (!libreq_index(ctx, s_holder(ctx, "older_than_days"), "older_than_days", S_DAYS_MAX, &days))
        return 0;
    if (days < 0)
        days = cfg->retention_days;
    retention_result_t res;
    db_err_t err = retention_run(ctx->db, days, cfg->inactive_days, cfg->purge_batch,
                                 cfg->purge_budget_ms, &res);
    json_t *data = NULL;
    if (err == DB_OK)
        data =
            json_pack("{s:I, s:I, s:b, s:I, s:I}", "purged", (json_int_t)res.purged, "inactivated",
                      (json_int_t)res.inactivated, "more", res.more, "older_than_days",
                      (json_int_t)days, "inactive_days", (json_int_t)cfg->inactive_days);
    return libreq_reply(ctx, err, 200, data);
}
