/* me.favorites.* — favorite tracks, albums and artists. PUT and DELETE are
 * idempotent (204 whether or not the favorite was there). */
#include "library_handlers.h"
#include "libreq.h"

#include "library/favorites.h"

static bool s_type(handler_ctx_t *ctx, const char *type)
{
    if (favorites_type_ok(type))
        return true;
    handler_invalid(ctx, "type", "type must be track, album or artist");
    return false;
}

/* The {type}/{id} of the path; false when the reply is already an error. */
static bool s_target(handler_ctx_t *ctx, const char **type, const char **id)
{
    *type = libreq_arg(ctx, "type");
    if (!s_type(ctx, *type))
        return false;
    const json_t *args = ctx->req->args;
    json_t *v = json_is_object(args) ? json_object_get(args, "id") : NULL;
    if (!libreq_catalog_id(ctx, v))
        return false;
    *id = json_string_value(v);
    return true;
}

int handle_me_favorites_list(handler_ctx_t *ctx)
{
    const char *type = libreq_arg(ctx, "type");
    if (type && type[0] == '\0')
        type = NULL;
    pager_t pg;
    if ((type && !s_type(ctx, type)) || !libreq_pager(ctx, PAGER_KEY_TEXT, &pg))
        return 0;
    json_t *page = NULL;
    db_err_t err = favorites_list(ctx->db, ctx->req->auth_sub, type, &pg, &page);
    return libreq_reply(ctx, err, 200, page);
}

int handle_me_favorites_put(handler_ctx_t *ctx)
{
    const char *type, *id;
    if (!s_target(ctx, &type, &id))
        return 0;
    return libreq_reply(ctx, favorites_put(ctx->db, ctx->req->auth_sub, type, id), 204, NULL);
}

int handle_me_favorites_delete(handler_ctx_t *ctx)
{
    const char *type, *id;
    if (!s_target(ctx, &type, &id))
        return 0;
    return libreq_reply(ctx, favorites_delete(ctx->db, ctx->req->auth_sub, type, id), 204, NULL);
}
