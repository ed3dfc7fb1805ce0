/* search.query — GET /v1/search (API.md Catalog). Owner: discovery engineer (C2).
 *
 * Cache-aside on search:{q}:{platforms}:{types}:{limit}[:{cursor}] for 5 min
 * (search_request.h). A search over local only runs on the fast worker; one that needs
 * a provider is answered from the cache on the fast worker when it can, else forwarded
 * to the provider pool (handler_forward), which fills the key once
 * (cache_aside one_fill). A result missing a failed provider is cached only
 * BEDROCK_SEARCH_PARTIAL_TTL_S.
 *
 * When the caller is logged in (a bearer token), each answered search adds a
 * search_history row (user, query, types, platform) on the primary: best effort, a
 * failure is logged and never fails the search.
 */
#include "discovery.h"

#include "catalog/cache_aside.h"
#include "discovery_settings.h"
#include "discovery_stmt.h"
#include "ids.h"
#include "log.h"
#include "search_request.h"
#include "search_run.h"

static int s_fill(handler_ctx_t *ctx, void *arg, cache_aside_fill_t *out)
{
    const search_request_t *req = arg;
    bool partial = false;
    int rc = search_run(ctx, req, &out->value, &partial);
    if (rc < 0)
        return -1;
    if (rc == 0 && partial)
        out->ttl_s = discovery_settings()->search_partial_ttl_s;
    return 0;
}

static void s_history(handler_ctx_t *ctx, const search_request_t *req)
{
    const envelope_request_t *r = ctx->req;
    if (!r->has_auth || !ids_is_uuid(r->auth_sub))
        return;
    const char *params[] = {r->auth_sub, req->q, req->types_text, req->platform_text};
    db_err_t err =
        db_run(ctx->primary, &discovery_stmts[DISCOVERY_STMT_SEARCH_HISTORY_INSERT], params, NULL);
    if (err != DB_OK)
        log_warn("search: search history not recorded (%s)", db_err_name(err));
}

int handle_search_query(handler_ctx_t *ctx)
{
    search_request_t req;
    char key[SEARCH_KEY_MAX];
    int rc = search_request_parse(ctx, &req);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (search_request_key(&req, key) < 0)
        return -1; /* cannot happen: the key falls back to a hash of q */
    json_t *value = NULL;
    if (req.needs_providers && !ctx->provider_pool) {
        if (cache_aside_get(ctx->cache, key, &value) != CACHE_ASIDE_HIT)
            return handler_forward(ctx);
        if (cache_aside_header(ctx, CACHE_ASIDE_HIT) < 0) {
            json_decref(value);
            return -1;
        }
    } else {
        cache_aside_opts_t opts = {
            .key = key, .ttl_s = CACHE_ASIDE_TTL_SEARCH_S, .one_fill = ctx->provider_pool};
        cache_aside_state_t state;
        if (cache_aside_fetch(ctx, &opts, s_fill, &req, &value, &state) < 0)
            return -1;
        if (!value)
            return 0; /* the fill's error reply, or a timeout while waiting for one */
    }
    s_history(ctx, &req);
    return handler_ok(ctx, 200, value);
}
