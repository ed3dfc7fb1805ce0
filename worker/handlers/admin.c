/* admin.* — for accounts whose role in the database is admin (access_check answers
 * 403 forbidden to anyone else). Every admin action is audited, reads included; the
 * audit entry of a read keeps no personal data of the filter (the email searched for
 * is not stored, only that there was one). */
#include "library_handlers.h"
#include "libreq.h"

#include "ids.h"
#include "library/admin_users.h"
#include "library/audit.h"

#include <string.h>

#define S_EMAIL_FILTER_MAX 255

static void s_audit(handler_ctx_t *ctx, const char *user_id, const char *action, json_t *details)
{
    if (!details)
        return;
    audit_entry_t e = {user_id,           ctx->req->auth_sub, action,
                       ctx->req->meta_ip, ctx->req->meta_ua,  details};
    audit_note(ctx->primary, &e);
    json_decref(details);
}

static size_t s_count(const json_t *page)
{
    return json_array_size(json_object_get(page, "items"));
}

int handle_admin_users_list(handler_ctx_t *ctx)
{
    pager_t pg;
    if (!libreq_pager(ctx, PAGER_KEY_UUID, &pg))
        return 0;
    const char *email = libreq_arg(ctx, "email");
    if (email && email[0] == '\0')
        email = NULL;
    if (email && strlen(email) > S_EMAIL_FILTER_MAX)
        return handler_invalid(ctx, "email", "email must be at most 255 bytes");
    json_t *page = NULL;
    db_err_t err = admin_users_list(ctx->db, email, &pg, &page);
    if (err == DB_OK)
        s_audit(ctx, NULL, "admin.users.listed",
                json_pack("{s:b, s:I}", "email_filter", email != NULL, "count",
                          (json_int_t)s_count(page)));
    return libreq_reply(ctx, err, 200, page);
}

int handle_admin_users_update(handler_ctx_t *ctx)
{
    static const char *const keys[] = {"role", NULL};
    const char *id;
    const json_t *body;
    if (!libreq_uuid_arg(ctx, "id", &id) || !(body = libreq_body(ctx)) ||
        !libreq_known_keys(ctx, body, keys, NULL))
        return 0;
    const char *role = json_string_value(json_object_get(body, "role"));
    if (!admin_users_role_ok(role))
        return handler_invalid(ctx, "role", "role must be \"user\" or \"admin\"");
    account_origin_t from = libreq_origin(ctx);
    json_t *user = NULL;
    db_err_t err =
        admin_users_set_role(ctx->db, id, role, ctx->req->auth_sub, "admin", &from, &user);
    return libreq_reply(ctx, err, 200, user);
}

/* ?user_id= narrows the trail to one account (the entries about it). */
int handle_admin_audit_list(handler_ctx_t *ctx)
{
    pager_t pg;
    if (!libreq_pager(ctx, PAGER_KEY_INT, &pg))
        return 0;
    const char *user_id = libreq_arg(ctx, "user_id");
    if (user_id && user_id[0] == '\0')
        user_id = NULL;
    if (user_id && !ids_is_uuid(user_id))
        return handler_error(ctx, 400, "invalid_id", "user_id must be a UUID");
    json_t *page = NULL;
    db_err_t err = audit_list(ctx->db, user_id, &pg, &page);
    if (err == DB_OK)
        s_audit(ctx, user_id, "admin.audit.listed",
                json_pack("{s:I}", "count", (json_int_t)s_count(page)));
    return libreq_reply(ctx, err, 200, page);
}
