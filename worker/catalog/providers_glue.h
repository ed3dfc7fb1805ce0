/* providers_glue — the worker's HTTP providers and the catalog's use of them.
 * Owner: catalog engineer (C1). Used by the catalog and discovery handlers.
 *
 * One provider_http_t per worker process (created in main.c), whose shared store
 * (provider_kv_t: rate limits, the Spotify token) is Redis through the worker's own
 * cache_t. Provider calls run only on the provider pool (ctx->provider_pool): a fast
 * worker forwards (handler_forward).
 */
#ifndef BEDROCK_WORKER_PROVIDERS_GLUE_H
#define BEDROCK_WORKER_PROVIDERS_GLUE_H

#include "cache.h"
#include "catalog_store.h"
#include "handler.h"
#include "ids.h"
#include "provider.h"

#include <stdbool.h>

/* Reads the provider settings (exits 2 naming a malformed variable) and logs them.
 * cache is borrowed and must outlive the result. NULL when out of memory. */
provider_http_t *providers_glue_new(cache_t *cache);
void providers_glue_destroy(provider_http_t **self_p);

/* The provider of platform when it exists and is configured here (spotify needs its
 * client id and secret), else NULL. "local" is never a provider (it is PostgreSQL). */
const provider_t *providers_glue_get(handler_ctx_t *ctx, const char *platform);

/* Whether ids of platform can be served: "local" always; an HTTP platform when
 * providers_glue_get finds it. */
bool providers_glue_available(handler_ctx_t *ctx, const char *platform);

/* Parses args[field] ("platform:native") for a catalog op. Returns 0 with *ref filled,
 * or 1 after writing the error reply: 400 invalid_id (missing or malformed), 404
 * unknown_platform (unknown platform, or known but not configured). */
int providers_glue_parse_id(handler_ctx_t *ctx, const char *field, ids_ref_t *ref);

/* Fetches kind/native from platform's provider and upserts it (CATALOG_UPSERT_FULL):
 * *doc is the provider's document (new reference, with raw) on PROVIDER_OK.
 * PROVIDER_UNSUPPORTED when the provider has no such kind. A failed upsert is logged
 * and does not fail the fetch. Provider pool only. */
provider_result_t providers_glue_fetch(handler_ctx_t *ctx, catalog_kind_t kind,
                                       const char *platform, const char *native, json_t **doc,
                                       provider_err_t *err);

/* The reply for a provider failure without a stale copy: PROVIDER_NOT_FOUND and
 * PROVIDER_UNSUPPORTED -> 404 not_found; anything else -> 502 provider_error with
 * details {platform, reason}. Returns 0. */
int providers_glue_error(handler_ctx_t *ctx, const char *platform, provider_result_t result,
                         const provider_err_t *err);

#endif
