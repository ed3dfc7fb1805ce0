/* search_run — the value of one search: every source read, merged per kind, paged.
 * Owner: discovery engineer (C2).
 *
 * Reply data: {tracks:{items, next_cursor}, albums:{...}, artists:{...}} with only the
 * kinds asked for (search_merge.h says how a page is made, search_cursor.h what a
 * cursor holds).
 *
 * Providers are called only here, on the provider pool (the handler forwards before).
 * A provider that fails, or that would start too close to the deadline, is skipped: the
 * result is *partial (cached briefly, see discovery_settings.h). When every source asked
 * for is a provider and all of them failed, the reply is 502 provider_error
 * {platform, reason} of the first failure. The local source failing (PostgreSQL down)
 * is 503 db_unavailable.
 */
#ifndef BEDROCK_WORKER_SEARCH_RUN_H
#define BEDROCK_WORKER_SEARCH_RUN_H

#include "handler.h"
#include "search_request.h"

#include <jansson.h>
#include <stdbool.h>

/* Returns 0 with *data (new reference) and *partial; 1 after writing an error reply
 * (*data NULL); -1 out of memory. */
int search_run(handler_ctx_t *ctx, const search_request_t *req, json_t **data, bool *partial)
    __attribute__((warn_unused_result));

#endif
