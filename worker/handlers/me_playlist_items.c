/* me.playlists.items.* — add (insert at a position, shifting), remove by position
 * (later ones shift down), replace (replace or reorder in one transaction). Positions
 * stay dense from 0 and unique under concurrent edits (playlist_items.h). Add and
 * replace answer 200 with the playlist and its items; remove answers 204.
 *
 * Errors: 404 not_found (no such playlist of this user, or no item at the position),
 * 400 invalid_argument (position past the end, track_ids malformed), 400 invalid_id /
 * 404 unknown_platform for a track id, 409 playlist_full past
 * BEDROCK_PLAYLIST_ITEMS_MAX items.
 */
#include "library_handlers.h"
#include "libreq.h"

#include "library/library_config.h"
#include "library/playlist_items.h"
#include "library/playlists.h"

#include <stdio.h>

static int s_outcome(handler_ctx_t *ctx, db_err_t err, playlist_items_outcome_t outcome,
                     const char *id, int ok_status)
{
    if (err != DB_OK)
        return handler_db_error(ctx, err);
    char msg[128];
    switch (outcome) {
    case PLAYLIST_ITEMS_DONE:
        break;
    case PLAYLIST_ITEMS_NO_PLAYLIST:
        return handler_error(ctx, 404, "not_found", "no such playlist");
    case PLAYLIST_ITEMS_NO_ITEM:
        return handler_error(ctx, 404, "not_found", "no item at this position");
    case PLAYLIST_ITEMS_BAD_POSITION:
        return handler_invalid(ctx, "position", "position is past the end of the playlist");
    case PLAYLIST_ITEMS_FULL:
        snprintf(msg, sizeof msg, "a playlist holds at most %ld items",
                 library_config()->playlist_items_max);
        return handler_error(ctx, 409, "playlist_full", msg);
    }
    if (ok_status == 204)
        return handler_ok(ctx, 204, NULL);
    json_t *playlist = NULL;
    db_err_t got = playlists_get(ctx->db, ctx->req->auth_sub, id, &playlist);
    return libreq_reply(ctx, got, ok_status, playlist);
}

int handle_me_playlists_items_add(handler_ctx_t *ctx)
{
    static const char *const keys[] = {"track_ids", "position", NULL};
    long max = library_config()->playlist_items_max, position;
    const char *id;
    const json_t *body, *tracks;
    if (!libreq_uuid_arg(ctx, "id", &id) || !(body = libreq_body(ctx)) ||
        !libreq_known_keys(ctx, body, keys, NULL) ||
        !libreq_track_ids(ctx, body, max, false, &tracks) ||
        !libreq_index(ctx, body, "position", max, &position))
        return 0;
    playlist_items_outcome_t outcome;
    db_err_t err =
        playlist_items_add(ctx->db, ctx->req->auth_sub, id, tracks, position, max, &outcome);
    return s_outcome(ctx, err, outcome, id, 200);
}

int handle_me_playlists_items_remove(handler_ctx_t *ctx)
{
    const char *id;
    long position;
    if (!libreq_uuid_arg(ctx, "id", &id) ||
        !libreq_index(ctx, libreq_args(ctx), "position", library_config()->playlist_items_max,
                      &position))
        return 0;
    if (position < 0)
        return handler_invalid(ctx, "position", "position is required");
    playlist_items_outcome_t outcome;
    db_err_t err = playlist_items_remove(ctx->db, ctx->req->auth_sub, id, position, &outcome);
    return s_outcome(ctx, err, outcome, id, 204);
}

int handle_me_playlists_items_replace(handler_ctx_t *ctx)
{
    static const char *const keys[] = {"track_ids", NULL};
    long max = library_config()->playlist_items_max;
    const char *id;
    const json_t *body, *tracks;
    if (!libreq_uuid_arg(ctx, "id", &id) || !(body = libreq_body(ctx)) ||
        !libreq_known_keys(ctx, body, keys, NULL) ||
        !libreq_track_ids(ctx, body, max, true, &tracks))
        return 0;
    playlist_items_outcome_t outcome;
    db_err_t err = playlist_items_replace(ctx->db, ctx->req->auth_sub, id, tracks, max, &outcome);
    return s_outcome(ctx, err, outcome, id, 200);
}
