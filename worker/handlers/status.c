/* providers.status — GET /v1/providers/status (API.md Catalog). Owner: discovery
 * engineer (C2). Shapes and verdicts: status_probe.h.
 *
 * Data: {local:{...}, musicbrainz:{...}, deezer:{...}, spotify:{...}, lrclib:{...},
 * itunes:{...}}. local is checked on every request (one SELECT 1). A configured HTTP
 * provider's status is cached status:{platform} 5 min: a fast worker answers when every
 * one is cached and forwards otherwise; the provider pool checks the missing ones
 * (health(), one after the other, while the deadline allows) and caches them. A
 * provider that is not configured is "down" / "not configured" without a request.
 * X-Cache: hit when every provider status came from Redis, bypass when Redis is down,
 * else miss.
 */
#include "discovery.h"

#include "catalog/cache_aside.h"
#include "catalog/providers_glue.h"
#include "provider.h"
#include "status_probe.h"

/* One provider's status into out. Returns 0, 1 when the request was forwarded, -1 bug. */
static int s_provider(handler_ctx_t *ctx, const provider_t *p, json_t *out,
                      cache_aside_state_t *worst)
{
    char key[CACHE_ASIDE_KEY_MAX];
    json_t *status = NULL;
    if (!providers_glue_get(ctx, p->name))
        return json_object_set_new(out, p->name, status_probe_unconfigured());
    if (cache_aside_key(key, "status", p->name, NULL) < 0)
        return -1;
    cache_aside_state_t st = cache_aside_get(ctx->cache, key, &status);
    if (st == CACHE_ASIDE_HIT)
        return json_object_set_new(out, p->name, status);
    if (!ctx->provider_pool)
        return handler_forward(ctx) < 0 ? -1 : 1;
    bool cacheable = false;
    status = status_probe_provider(ctx, p, &cacheable);
    if (!status)
        return -1;
    if (cacheable && st != CACHE_ASIDE_BYPASS)
        (void)cache_aside_put(ctx->cache, key, status, CACHE_ASIDE_TTL_STATUS_S);
    if (*worst != CACHE_ASIDE_BYPASS)
        *worst = st == CACHE_ASIDE_BYPASS ? CACHE_ASIDE_BYPASS : CACHE_ASIDE_MISS;
    return json_object_set_new(out, p->name, status);
}

int handle_providers_status(handler_ctx_t *ctx)
{
    json_t *out = json_object();
    if (!out || json_object_set_new(out, "local", status_probe_local(ctx)) < 0) {
        json_decref(out);
        return -1;
    }
    cache_aside_state_t worst = CACHE_ASIDE_HIT;
    for (size_t i = 0; provider_all[i]; i++) {
        int rc = s_provider(ctx, provider_all[i], out, &worst);
        if (rc != 0) {
            json_decref(out);
            return rc < 0 ? -1 : 0;
        }
    }
    if (cache_aside_header(ctx, worst) < 0) {
        json_decref(out);
        return -1;
    }
    return handler_ok(ctx, 200, out);
}
