#include "dispatch.h"

#include "handlers/catalog_handlers.h"
#include "handlers/discovery.h"
#include "handlers/handlers.h"
#include "handlers/library_handlers.h"
#include "library/access.h"
#include "log.h"
#include "ops.h"
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one table. test.sleep_write shares test.sleep's handler: they differ only in
 * being read-only or not (common/ops.c), which is the broker's business. */
static const dispatch_entry_t s_table[] = {
    {"auth.register", handle_auth_register, 0},
    {"auth.login", handle_auth_login, 0},
    {"auth.refresh", handle_auth_refresh, 0},
    {"auth.logout", handle_auth_logout, DISPATCH_AUTH_REQUIRED},
    {"me.get", handle_me_get, DISPATCH_AUTH_REQUIRED},
    {"test.sleep", handle_test_sleep, DISPATCH_TEST_ONLY},
    {"test.sleep_write", handle_test_sleep, DISPATCH_TEST_ONLY},
    {"test.echo", handle_test_echo, DISPATCH_TEST_ONLY},
    /* catalog (C1): fast path, and the provider pool's twin ("provider." + op) */
    {"tracks.get", handle_tracks_get, 0},
    {"provider.tracks.get", handle_tracks_get, DISPATCH_PROVIDER_POOL},
    {"albums.get", handle_albums_get, 0},
    {"provider.albums.get", handle_albums_get, DISPATCH_PROVIDER_POOL},
    {"artists.get", handle_artists_get, 0},
    {"provider.artists.get", handle_artists_get, DISPATCH_PROVIDER_POOL},
    {"playlists.get", handle_playlists_get, 0},
    {"provider.playlists.get", handle_playlists_get, DISPATCH_PROVIDER_POOL},
    {"tracks.links", handle_tracks_links, 0},
    {"provider.tracks.links", handle_tracks_links, DISPATCH_PROVIDER_POOL},
    {"tracks.stream", handle_tracks_stream, 0},
    {"provider.tracks.stream", handle_tracks_stream, DISPATCH_PROVIDER_POOL},
    {"catalog.ingest", handle_catalog_ingest, 0},
    /* discovery (C2): search, lyrics and status may call providers, so they have twins */
    {"search.query", handle_search_query, 0},
    {"provider.search.query", handle_search_query, DISPATCH_PROVIDER_POOL},
    {"tracks.lyrics", handle_tracks_lyrics, 0},
    {"provider.tracks.lyrics", handle_tracks_lyrics, DISPATCH_PROVIDER_POOL},
    {"lyrics.get", handle_lyrics_get, 0},
    {"provider.lyrics.get", handle_lyrics_get, DISPATCH_PROVIDER_POOL},
    {"providers.status", handle_providers_status, 0},
    {"provider.providers.status", handle_providers_status, DISPATCH_PROVIDER_POOL},
    /* auth checked by the handler: an internal service may push plays (plays.c) */
    {"plays.record", handle_plays_record, 0},
    /* user library, account lifecycle, admin (issue 4) */
    {"auth.verify_email", handle_auth_verify_email, 0},
    {"auth.password", handle_auth_password, DISPATCH_AUTH_REQUIRED},
    {"me.update", handle_me_update, DISPATCH_AUTH_REQUIRED},
    {"me.delete", handle_me_delete, DISPATCH_AUTH_REQUIRED},
    {"me.export", handle_me_export, DISPATCH_AUTH_REQUIRED},
    {"me.sessions.list", handle_me_sessions_list, DISPATCH_AUTH_REQUIRED},
    {"me.sessions.revoke", handle_me_sessions_revoke, DISPATCH_AUTH_REQUIRED},
    {"me.favorites.list", handle_me_favorites_list, DISPATCH_AUTH_REQUIRED},
    {"me.favorites.put", handle_me_favorites_put, DISPATCH_AUTH_REQUIRED},
    {"me.favorites.delete", handle_me_favorites_delete, DISPATCH_AUTH_REQUIRED},
    {"me.playlists.list", handle_me_playlists_list, DISPATCH_AUTH_REQUIRED},
    {"me.playlists.create", handle_me_playlists_create, DISPATCH_AUTH_REQUIRED},
    {"me.playlists.get", handle_me_playlists_get, DISPATCH_AUTH_REQUIRED},
    {"me.playlists.update", handle_me_playlists_update, DISPATCH_AUTH_REQUIRED},
    {"me.playlists.delete", handle_me_playlists_delete, DISPATCH_AUTH_REQUIRED},
    {"me.playlists.items.add", handle_me_playlists_items_add, DISPATCH_AUTH_REQUIRED},
    {"me.playlists.items.remove", handle_me_playlists_items_remove, DISPATCH_AUTH_REQUIRED},
    {"me.playlists.items.replace", handle_me_playlists_items_replace, DISPATCH_AUTH_REQUIRED},
    {"me.history.list", handle_me_history_list, DISPATCH_AUTH_REQUIRED},
    {"me.search_history.list", handle_me_search_history_list, DISPATCH_AUTH_REQUIRED},
    {"me.search_history.clear", handle_me_search_history_clear, DISPATCH_AUTH_REQUIRED},
    {"me.player.get", handle_me_player_get, DISPATCH_AUTH_REQUIRED},
    {"me.player.put", handle_me_player_put, DISPATCH_AUTH_REQUIRED},
    {"admin.users.list", handle_admin_users_list, DISPATCH_ADMIN},
    {"admin.users.update", handle_admin_users_update, DISPATCH_ADMIN},
    {"admin.audit.list", handle_admin_audit_list, DISPATCH_ADMIN},
    {"users.promote", handle_users_promote, 0},
    {"users.purge", handle_users_purge, 0},
};

#define S_TABLE_SIZE (sizeof s_table / sizeof s_table[0])

struct dispatch {
    const handler_env_t *env;
    provider_http_t *providers;
    json_t *announced;
    bool serves[S_TABLE_SIZE];
};

const dispatch_entry_t *dispatch_table(size_t *count)
{
    *count = S_TABLE_SIZE;
    return s_table;
}

/* An announce entry covers op when equal, or when it is a prefix ending in '.'. */
static bool s_covers(const char *entry, const char *op)
{
    size_t n = strlen(entry);
    if (n > 0 && entry[n - 1] == '.')
        return strncmp(entry, op, n) == 0;
    return strcmp(entry, op) == 0;
}

static bool s_available(const dispatch_t *d, size_t i)
{
    return !(s_table[i].flags & DISPATCH_TEST_ONLY) || d->env->cfg->test_ops;
}

/* The default of an unset BEDROCK_WORKER_OPS (dispatch.h). */
#define S_DEFAULT_OPS "!provider."

/* Applies one BEDROCK_WORKER_OPS entry ("op", "prefix." or "!" + either); it must cover
 * at least one available op. */
static int s_apply_entry(dispatch_t *d, const char *entry, bool strict, char *err,
                         size_t err_size)
{
    bool exclude = entry[0] == '!';
    const char *name = exclude ? entry + 1 : entry;
    bool any = false;
    for (size_t i = 0; i < S_TABLE_SIZE; i++) {
        if (*name && s_available(d, i) && s_covers(name, s_table[i].op)) {
            d->serves[i] = !exclude;
            any = true;
        }
    }
    if (!any && strict) {
        snprintf(err, err_size, "names no op this worker has: \"%s\"%s", entry,
                 strncmp(name, "test.", 5) == 0 ? " (test ops need BEDROCK_TEST_OPS=true)" : "");
        return -1;
    }
    return 0;
}

/* Positive-only lists are announced as given (prefixes stay prefixes); with an
 * exclusion the broker must be told each op served. */
static int s_announce(dispatch_t *d, const char *ops_list, bool explicit_ops)
{
    if (explicit_ops) {
        for (size_t i = 0; i < S_TABLE_SIZE; i++)
            if (d->serves[i] && json_array_append_new(d->announced, json_string(s_table[i].op)) < 0)
                return -1;
        return 0;
    }
    char *copy = strdup(ops_list), *save = NULL;
    if (!copy)
        return -1;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save))
        rc = json_array_append_new(d->announced, json_string(tok));
    free(copy);
    return rc;
}

static int s_configure(dispatch_t *d, const char *ops_list, char *err, size_t err_size)
{
    /* The default must hold even in a build without provider-pool ops. */
    bool strict = ops_list != NULL;
    if (!ops_list)
        ops_list = S_DEFAULT_OPS;
    bool has_positive = false, has_negative = false;
    char *copy = strdup(ops_list), *save = NULL;
    if (!copy)
        return -1;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (tok[0] == '!')
            has_negative = true;
        else
            has_positive = true;
    }
    /* Only exclusions: start from everything available. */
    for (size_t i = 0; i < S_TABLE_SIZE; i++)
        d->serves[i] = !has_positive && s_available(d, i);
    strcpy(copy, ops_list);
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save))
        rc = s_apply_entry(d, tok, strict, err, err_size);
    free(copy);
    if (rc < 0)
        return -1;
    return s_announce(d, ops_list, has_negative);
}

dispatch_t *dispatch_new(const handler_env_t *env, const char *ops_list, char *err, size_t err_size)
{
    dispatch_t *d = calloc(1, sizeof *d);
    snprintf(err, err_size, "out of memory");
    if (!d)
        return NULL;
    d->env = env;
    d->announced = json_array();
    if (!d->announced || s_configure(d, ops_list, err, err_size) < 0) {
        dispatch_destroy(&d);
        return NULL;
    }
    return d;
}

void dispatch_destroy(dispatch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    json_decref((*self_p)->announced);
    free(*self_p);
    *self_p = NULL;
}

void dispatch_set_providers(dispatch_t *d, provider_http_t *providers)
{
    d->providers = providers;
}

const json_t *dispatch_announced(const dispatch_t *d)
{
    return d->announced;
}

static const dispatch_entry_t *s_find(const dispatch_t *d, const char *op)
{
    for (size_t i = 0; i < S_TABLE_SIZE; i++)
        if (strcmp(s_table[i].op, op) == 0)
            return d->serves[i] ? &s_table[i] : NULL;
    return NULL;
}

bool dispatch_serves(const dispatch_t *d, const char *op)
{
    return s_find(d, op) != NULL;
}

/* The session (on the primary: a replica lagging behind could still show a session
 * that was just revoked), the role for admin ops, the per-user rate limit:
 * library/access.h. */
static bool s_authorised(handler_ctx_t *ctx, unsigned flags)
{
    return access_check(ctx, (flags & DISPATCH_ADMIN) != 0);
}

static db_t *s_pick_db(const dispatch_t *d, const char *op)
{
    if (d->env->replica && ops_is_read_only(op) && db_ensure(d->env->replica) == DB_OK)
        return d->env->replica;
    return d->env->primary;
}

static void s_internal(handler_ctx_t *ctx, const char *why)
{
    log_error("op %s failed: %s", ctx->req->op, why);
    envelope_reply_clear(ctx->rep);
    memcpy(ctx->rep->id, ctx->req->id, ENVELOPE_ID_SIZE);
    envelope_reply_set_error(ctx->rep, 500, "internal", "internal error", NULL);
}

/* Runs entry's handler for req; a forward to an op this worker serves itself is run
 * here at once, on the provider-pool entry. */
static void s_run_entry(dispatch_t *d, handler_ctx_t *ctx, const dispatch_entry_t *entry)
{
    ctx->provider_pool = (entry->flags & DISPATCH_PROVIDER_POOL) != 0;
    ctx->db = s_pick_db(d, entry->op);
    int rc = entry->fn(ctx);
    if (rc == 0 && ctx->forward_op[0]) {
        const dispatch_entry_t *local = s_find(d, ctx->forward_op);
        if (!local || !(local->flags & DISPATCH_PROVIDER_POOL))
            return;
        ctx->forward_op[0] = '\0';
        envelope_reply_clear(ctx->rep);
        envelope_reply_init(ctx->rep);
        memcpy(ctx->rep->id, ctx->req->id, ENVELOPE_ID_SIZE);
        ctx->provider_pool = true;
        rc = local->fn(ctx);
        if (rc == 0 && ctx->forward_op[0]) {
            ctx->forward_op[0] = '\0';
            s_internal(ctx, "handler forwarded twice");
            return;
        }
    }
    if (rc < 0)
        s_internal(ctx, "handler error");
    else if (!ctx->forward_op[0] && (ctx->rep->status < 100 || ctx->rep->status > 599))
        s_internal(ctx, "handler left no status");
}

int dispatch_run_forward(dispatch_t *d, const envelope_request_t *req, envelope_reply_t *rep,
                         char forward_op[ENVELOPE_OP_MAX])
{
    handler_ctx_t ctx = {
        .req = req,
        .rep = rep,
        .db = d->env->primary,
        .primary = d->env->primary,
        .cache = d->env->cache,
        .password = d->env->password,
        .cfg = d->env->cfg,
        .providers = d->providers,
    };
    forward_op[0] = '\0';
    envelope_id_to_hex(req->id, ctx.request_id);
    memcpy(rep->id, req->id, ENVELOPE_ID_SIZE);
    const dispatch_entry_t *entry = s_find(d, req->op);
    if (!entry) {
        handler_error(&ctx, 404, "not_found", "this worker has no such op");
        return 0;
    }
    if ((entry->flags & (DISPATCH_AUTH_REQUIRED | DISPATCH_ADMIN)) &&
        !s_authorised(&ctx, entry->flags))
        return 0;
    s_run_entry(d, &ctx, entry);
    if (!ctx.forward_op[0])
        return 0;
    memcpy(forward_op, ctx.forward_op, ENVELOPE_OP_MAX);
    return 1;
}

void dispatch_run(dispatch_t *d, const envelope_request_t *req, envelope_reply_t *rep)
{
    char forward_op[ENVELOPE_OP_MAX];
    if (dispatch_run_forward(d, req, rep, forward_op) == 1) {
        log_error("op %s: forward to %s outside the loop", req->op, forward_op);
        envelope_reply_clear(rep);
        envelope_reply_init(rep);
        memcpy(rep->id, req->id, ENVELOPE_ID_SIZE);
        envelope_reply_set_error(rep, 500, "internal", "internal error", NULL);
    }
}
