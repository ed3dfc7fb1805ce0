/* catalog — tracks.get, albums.get, artists.get, playlists.get (issue 3, CATALOG.md).
 * Owner: catalog engineer (C1).
 *
 * Key {kind}:{platform}:{native}, TTL 1 h (playlists 5 min), X-Cache on every answer.
 *   local ids        any worker: cache, else PostgreSQL (404 not_found when absent).
 *   provider ids     fast worker: cache hit, else FORWARD to "provider."+op;
 *                    provider pool: one fill per key — fetch, upsert, cache; on a
 *                    provider failure PostgreSQL's copy (x-cache stale) or 502
 *                    provider_error; the provider's "no such id" is 404 not_found.
 * Playlists are cached whole and paginated per request (limit, cursor).
 */
#include "catalog_handlers.h"

#include "catalog/cache_aside.h"
#include "catalog/catalog_store.h"
#include "catalog/catalog_view.h"
#include "catalog/providers_glue.h"
#include "log.h"

#include <string.h>

typedef struct {
    catalog_kind_t kind;
    ids_ref_t ref;
} s_get_t;

static int s_ttl(catalog_kind_t kind)
{
    switch (kind) {
    case CATALOG_KIND_TRACK:
        return CACHE_ASIDE_TTL_TRACK_S;
    case CATALOG_KIND_ALBUM:
        return CACHE_ASIDE_TTL_ALBUM_S;
    case CATALOG_KIND_ARTIST:
        return CACHE_ASIDE_TTL_ARTIST_S;
    case CATALOG_KIND_PLAYLIST:
    case CATALOG_KIND_COUNT:
        break;
    }
    return CACHE_ASIDE_TTL_PLAYLIST_S;
}

/* The local catalog: PostgreSQL is the source. */
static int s_fill_local(handler_ctx_t *ctx, void *arg, cache_aside_fill_t *out)
{
    s_get_t *g = arg;
    db_err_t err =
        catalog_store_load_view(ctx->db, g->kind, "local", g->ref.native, &out->value, NULL);
    if (err == DB_ERR_NOT_FOUND && ctx->db != ctx->primary)
        err = catalog_store_load_view(ctx->primary, g->kind, "local", g->ref.native, &out->value,
                                      NULL);
    if (err == DB_ERR_NOT_FOUND)
        return handler_error(ctx, 404, "not_found", "no such entity");
    return err == DB_OK ? 0 : handler_db_error(ctx, err);
}

/* The provider pool: fetch (and store), else the stored copy, else the error. */
static int s_fill_provider(handler_ctx_t *ctx, void *arg, cache_aside_fill_t *out)
{
    s_get_t *g = arg;
    provider_err_t perr = {{0}};
    json_t *doc = NULL;
    provider_result_t r =
        providers_glue_fetch(ctx, g->kind, g->ref.platform, g->ref.native, &doc, &perr);
    if (r == PROVIDER_OK) {
        out->value = catalog_view(g->kind, doc);
        json_decref(doc);
        return out->value ? 0 : -1;
    }
    if (r == PROVIDER_NOT_FOUND || r == PROVIDER_UNSUPPORTED)
        return providers_glue_error(ctx, g->ref.platform, r, &perr);
    db_err_t err = catalog_store_load_view(ctx->primary, g->kind, g->ref.platform, g->ref.native,
                                           &out->value, NULL);
    if (err == DB_OK) {
        log_info("catalog: %s %s:%s served stale (%s)", catalog_kind_name(g->kind), g->ref.platform,
                 g->ref.native, perr.message);
        out->stale = true;
        return 0;
    }
    return providers_glue_error(ctx, g->ref.platform, r, &perr);
}

/* The view to answer, or NULL when ctx->rep is already the answer (error, forward). */
static int s_fetch(handler_ctx_t *ctx, s_get_t *g, json_t **value)
{
    char key[CACHE_ASIDE_KEY_MAX];
    *value = NULL;
    if (cache_aside_key(key, catalog_kind_name(g->kind), g->ref.platform, g->ref.native) < 0)
        return handler_error(ctx, 400, "invalid_id", "the id is too long");
    cache_aside_opts_t opts = {.key = key, .ttl_s = s_ttl(g->kind), .one_fill = false};
    cache_aside_state_t state;
    bool local = strcmp(g->ref.platform, "local") == 0;
    if (local)
        return cache_aside_fetch(ctx, &opts, s_fill_local, g, value, &state);
    if (ctx->provider_pool) {
        opts.one_fill = true;
        return cache_aside_fetch(ctx, &opts, s_fill_provider, g, value, &state);
    }
    if (cache_aside_get(ctx->cache, key, value) != CACHE_ASIDE_HIT)
        return handler_forward(ctx);
    return cache_aside_header(ctx, CACHE_ASIDE_HIT);
}

static int s_get(handler_ctx_t *ctx, catalog_kind_t kind)
{
    s_get_t g = {.kind = kind};
    if (providers_glue_parse_id(ctx, "id", &g.ref) != 0)
        return 0;
    json_t *value = NULL;
    if (s_fetch(ctx, &g, &value) < 0) {
        json_decref(value);
        return -1;
    }
    return value ? handler_ok(ctx, 200, value) : 0;
}

int handle_tracks_get(handler_ctx_t *ctx)
{
    return s_get(ctx, CATALOG_KIND_TRACK);
}

int handle_albums_get(handler_ctx_t *ctx)
{
    return s_get(ctx, CATALOG_KIND_ALBUM);
}

int handle_artists_get(handler_ctx_t *ctx)
{
    return s_get(ctx, CATALOG_KIND_ARTIST);
}

int handle_playlists_get(handler_ctx_t *ctx)
{
    s_get_t g = {.kind = CATALOG_KIND_PLAYLIST};
    int limit = 0;
    long offset = 0;
    const char *field = NULL;
    if (providers_glue_parse_id(ctx, "id", &g.ref) != 0)
        return 0;
    if (catalog_view_page_args(ctx->req->args, &limit, &offset, &field) < 0)
        return handler_invalid(ctx, field,
                               strcmp(field, "limit") == 0 ? "limit must be 1..100"
                                                           : "the cursor is not valid");
    json_t *whole = NULL;
    if (s_fetch(ctx, &g, &whole) < 0) {
        json_decref(whole);
        return -1;
    }
    if (!whole)
        return 0;
    json_t *page = catalog_view_page(whole, limit, offset);
    json_decref(whole);
    return page ? handler_ok(ctx, 200, page) : -1;
}
