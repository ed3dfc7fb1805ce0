/* me.history.list, me.search_history.*, me.player.* — what the user listened to and
 * searched for (newest first), and the playback state. */
#include "library_handlers.h"
#include "libreq.h"

#include "library/history.h"
#include "library/player.h"

int handle_me_history_list(handler_ctx_t *ctx)
{
    pager_t pg;
    if (!libreq_pager(ctx, PAGER_KEY_INT, &pg))
        return 0;
    json_t *page = NULL;
    db_err_t err = history_plays(ctx->db, ctx->req->auth_sub, &pg, &page);
    return libreq_reply(ctx, err, 200, page);
}

int handle_me_search_history_list(handler_ctx_t *ctx)
{
    pager_t pg;
    if (!libreq_pager(ctx, PAGER_KEY_INT, &pg))
        return 0;
    json_t *page = NULL;
    db_err_t err = history_searches(ctx->db, ctx->req->auth_sub, &pg, &page);
    return libreq_reply(ctx, err, 200, page);
}

int handle_me_search_history_clear(handler_ctx_t *ctx)
{
    return libreq_reply(ctx, history_clear_searches(ctx->db, ctx->req->auth_sub), 204, NULL);
}

int handle_me_player_get(handler_ctx_t *ctx)
{
    json_t *state = NULL;
    db_err_t err = player_get(ctx->db, ctx->req->auth_sub, &state);
    return libreq_reply(ctx, err, 200, state);
}

/* PUT replaces the whole state: {track_id: catalog id | null (required), position_ms:
 * integer >= 0 (default 0), device: string <= 100 characters | null, is_playing: bool
 * (default false)}. */
int handle_me_player_put(handler_ctx_t *ctx)
{
    static const char *const keys[] = {"track_id", "position_ms", "device", "is_playing", NULL};
    const json_t *body = libreq_body(ctx);
    if (!body || !libreq_known_keys(ctx, body, keys, NULL))
        return 0;
    const json_t *track = json_object_get(body, "track_id");
    if (!track)
        return handler_invalid(ctx, "track_id", "track_id is required (a track id or null)");
    if (!json_is_null(track) && !libreq_catalog_id(ctx, track))
        return 0;
    const char *device;
    bool has_device, has_playing, playing = false;
    long position;
    if (!libreq_index(ctx, body, "position_ms", PLAYER_POSITION_MAX_MS, &position) ||
        !libreq_text(ctx, body, "device", "device", PLAYER_DEVICE_MAX, true, &device,
                     &has_device) ||
        !libreq_bool(ctx, body, "is_playing", "is_playing", &playing, &has_playing))
        return 0;
    json_t *state = NULL;
    db_err_t err = player_put(ctx->db, ctx->req->auth_sub, json_string_value(track),
                              position < 0 ? 0 : position, device, playing, &state);
    return libreq_reply(ctx, err, 200, state);
}
