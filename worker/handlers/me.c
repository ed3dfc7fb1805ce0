/* me.* — the signed-in user's own account (issue 2: me.get). */
#include "handlers.h"

#include "users.h"

static json_t *s_me_json(const users_me_t *me)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:s?,"
                     " s:{s:s?, s:s?, s:s?}, s:{s:s?, s:s?}, s:{s:s?, s:b}}",
                     "id", me->user.id, "email", me->user.email, "role", me->user.role,
                     "is_verified", me->user.is_verified, "created_at", me->created_at, "profile",
                     "display_name", me->display_name, "avatar_url", me->avatar_url, "bio", me->bio,
                     "preferences", "language", me->language, "region", me->region, "settings",
                     "privacy", me->privacy, "notifications", me->notifications);
}

int handle_me_get(handler_ctx_t *ctx)
{
    users_me_t me;
    db_err_t err = users_load_me(ctx->db, ctx->req->auth_sub, &me);
    /* A replica that has not replayed the registration yet: ask the primary. */
    if (err == DB_ERR_NOT_FOUND && ctx->db != ctx->primary)
        err = users_load_me(ctx->primary, ctx->req->auth_sub, &me);
    if (err == DB_ERR_NOT_FOUND)
        return handler_error(ctx, 404, "not_found", "no such user");
    if (err != DB_OK)
        return handler_db_error(ctx, err);
    json_t *data = s_me_json(&me);
    users_me_clear(&me);
    return data ? handler_ok(ctx, 200, data) : -1;
}
