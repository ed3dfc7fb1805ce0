/* me.playlists.* — the user's own playlists (create, list, get, update, delete).
 * Someone else's playlist answers 404 not_found, exactly like a missing one (never 403:
 * that would tell that it exists). */
#include "library_handlers.h"
#include "libreq.h"

#include "library/playlists.h"

/* name (required unless patching), description, public of the body into a patch
 * object; false when the reply is already an error. */
static bool s_fields(handler_ctx_t *ctx, const json_t *body, bool patching, json_t *patch)
{
    static const char *const keys[] = {"name", "description", "public", NULL};
    const char *name, *description;
    bool has_name, has_description, has_public, is_public = false;
    if (!libreq_known_keys(ctx, body, keys, NULL) ||
        !libreq_text(ctx, body, "name", "name", PLAYLISTS_NAME_MAX, false, &name, &has_name) ||
        !libreq_text(ctx, body, "description", "description", PLAYLISTS_DESCRIPTION_MAX, true,
                     &description, &has_description) ||
        !libreq_bool(ctx, body, "public", "public", &is_public, &has_public))
        return false;
    if ((!patching && !has_name) || (has_name && name[0] == '\0')) {
        handler_invalid(ctx, "name", "name must be a non-empty string of at most 200 characters");
        return false;
    }
    int rc = 0;
    if (has_name)
        rc |= json_object_set_new(patch, "name", json_string(name));
    if (has_description)
        rc |= json_object_set_new(patch, "description",
                                  description ? json_string(description) : json_null());
    if (has_public)
        rc |= json_object_set_new(patch, "public", json_boolean(is_public));
    if (rc != 0)
        envelope_reply_set_error(ctx->rep, 500, "internal", "internal error", NULL);
    return rc == 0;
}

int handle_me_playlists_list(handler_ctx_t *ctx)
{
    pager_t pg;
    if (!libreq_pager(ctx, PAGER_KEY_UUID, &pg))
        return 0;
    json_t *page = NULL;
    db_err_t err = playlists_list(ctx->db, ctx->req->auth_sub, &pg, &page);
    return libreq_reply(ctx, err, 200, page);
}

int handle_me_playlists_create(handler_ctx_t *ctx)
{
    const json_t *body = libreq_body(ctx);
    json_t *f = json_object();
    if (!f)
        return -1;
    if (!body || !s_fields(ctx, body, false, f)) {
        json_decref(f);
        return 0;
    }
    json_t *playlist = NULL;
    db_err_t err =
        playlists_create(ctx->db, ctx->req->auth_sub, json_string_value(json_object_get(f, "name")),
                         json_string_value(json_object_get(f, "description")),
                         json_is_true(json_object_get(f, "public")), &playlist);
    json_decref(f);
    return libreq_reply(ctx, err, 201, playlist);
}

int handle_me_playlists_get(handler_ctx_t *ctx)
{
    const char *id;
    if (!libreq_uuid_arg(ctx, "id", &id))
        return 0;
    json_t *playlist = NULL;
    db_err_t err = playlists_get(ctx->db, ctx->req->auth_sub, id, &playlist);
    /* A replica that has not replayed the creation yet: ask the primary. */
    if (err == DB_ERR_NOT_FOUND && ctx->db != ctx->primary)
        err = playlists_get(ctx->primary, ctx->req->auth_sub, id, &playlist);
    return libreq_reply(ctx, err, 200, playlist);
}

int handle_me_playlists_update(handler_ctx_t *ctx)
{
    const char *id;
    if (!libreq_uuid_arg(ctx, "id", &id))
        return 0;
    const json_t *body = libreq_body(ctx);
    json_t *patch = json_object();
    if (!patch)
        return -1;
    if (!body || !s_fields(ctx, body, true, patch)) {
        json_decref(patch);
        return 0;
    }
    db_err_t err = playlists_patch(ctx->db, ctx->req->auth_sub, id, patch);
    json_decref(patch);
    json_t *playlist = NULL;
    if (err == DB_OK)
        err = playlists_get(ctx->db, ctx->req->auth_sub, id, &playlist);
    return libreq_reply(ctx, err, 200, playlist);
}

int handle_me_playlists_delete(handler_ctx_t *ctx)
{
    const char *id;
    if (!libreq_uuid_arg(ctx, "id", &id))
        return 0;
    return libreq_reply(ctx, playlists_delete(ctx->db, ctx->req->auth_sub, id), 204, NULL);
}
