/* library_handlers — the ops of the user library, the account lifecycle and admin
 * (issue 4; op names fixed by OPS.md), registered in dispatch.c's table. Each follows
 * handler.h's contract. The me.* and admin.* ops run after access_check (the session,
 * the role from the database for admin.*, the per-user rate limit).
 */
#ifndef BEDROCK_WORKER_LIBRARY_HANDLERS_H
#define BEDROCK_WORKER_LIBRARY_HANDLERS_H

#include "handler.h"

/* auth_account.c */
int handle_auth_verify_email(handler_ctx_t *ctx);
int handle_auth_password(handler_ctx_t *ctx);

/* me_profile.c */
int handle_me_update(handler_ctx_t *ctx);

/* me_account.c */
int handle_me_delete(handler_ctx_t *ctx);
int handle_me_export(handler_ctx_t *ctx);
int handle_me_sessions_list(handler_ctx_t *ctx);
int handle_me_sessions_revoke(handler_ctx_t *ctx);

/* me_favorites.c */
int handle_me_favorites_list(handler_ctx_t *ctx);
int handle_me_favorites_put(handler_ctx_t *ctx);
int handle_me_favorites_delete(handler_ctx_t *ctx);

/* me_playlists.c */
int handle_me_playlists_list(handler_ctx_t *ctx);
int handle_me_playlists_create(handler_ctx_t *ctx);
int handle_me_playlists_get(handler_ctx_t *ctx);
int handle_me_playlists_update(handler_ctx_t *ctx);
int handle_me_playlists_delete(handler_ctx_t *ctx);

/* me_playlist_items.c */
int handle_me_playlists_items_add(handler_ctx_t *ctx);
int handle_me_playlists_items_remove(handler_ctx_t *ctx);
int handle_me_playlists_items_replace(handler_ctx_t *ctx);

/* me_history.c */
int handle_me_history_list(handler_ctx_t *ctx);
int handle_me_search_history_list(handler_ctx_t *ctx);
int handle_me_search_history_clear(handler_ctx_t *ctx);
int handle_me_player_get(handler_ctx_t *ctx);
int handle_me_player_put(handler_ctx_t *ctx);

/* admin.c */
int handle_admin_users_list(handler_ctx_t *ctx);
int handle_admin_users_update(handler_ctx_t *ctx);
int handle_admin_audit_list(handler_ctx_t *ctx);

/* users_ops.c — internal ops (bedrockctl), no HTTP route */
int handle_users_promote(handler_ctx_t *ctx);
int handle_users_purge(handler_ctx_t *ctx);

#endif
