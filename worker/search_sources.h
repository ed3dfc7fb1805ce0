/* search_sources — reading one kind from one source into a search_source_t.
 * Owner: discovery engineer (C2).
 *
 * Local: the discovery search statements (discovery_stmt.h) give ranked row ids, turned
 * into API views by the catalog store (catalog_store_views_by_row_ids); limit + 1 rows
 * are read so that the merge knows whether a next page exists.
 * Providers: provider->search() (provider pool only), documents turned into views by
 * catalog_view. The documents are kept beside the views so that the page's items can be
 * stored afterwards (search_sources_store).
 *
 * Search items are the entity views without their nested lists: an album without
 * "tracks", an artist without "top_tracks" and "albums" (a search page stays small;
 * GET /v1/albums/{id} has the rest).
 */
#ifndef BEDROCK_WORKER_SEARCH_SOURCES_H
#define BEDROCK_WORKER_SEARCH_SOURCES_H

#include "db.h"
#include "handler.h"
#include "provider.h"
#include "search_merge.h"
#include "search_request.h"

/* Reads kind from the local catalog: q, offset, limit + 1 rows into *src (views owned by
 * src; name, local, offset and requested are set here). */
db_err_t search_sources_local(db_t *db, search_kind_t kind, const char *q, int limit, long offset,
                              search_source_t *src) __attribute__((warn_unused_result));

/* One provider search for every kind in kinds (all read from the same offset) into
 * *dst[kind] (only the asked kinds are touched; name, offset and requested are set).
 * Returns the provider's result; on failure the asked sources are marked failed. An
 * answer of "nothing found" is an empty list, not a failure. */
provider_result_t search_sources_provider(handler_ctx_t *ctx, const provider_t *provider,
                                          const char *q, const bool *kinds, int limit, long offset,
                                          search_source_t *const *dst, provider_err_t *err);

/* Stores the page's provider documents of kind as partial catalog rows (best effort:
 * failures are logged). */
void search_sources_store(handler_ctx_t *ctx, search_kind_t kind, const json_t *docs);

#endif
