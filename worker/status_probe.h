/* status_probe — the status of one platform for providers.status (API.md Catalog).
 * Owner: discovery engineer (C2).
 *
 * Shape: {status: "up"|"degraded"|"down", latency_ms: int|null, last_error: str|null,
 *         checked_at: ISO 8601 UTC}.
 *   local     PostgreSQL (the primary) answers SELECT 1: up (degraded when slower than
 *             BEDROCK_STATUS_DEGRADED_MS), else down.
 *   provider  its health() request on the provider pool, read with this process's
 *             circuit breaker (provider_http_state):
 *               up        answered within BEDROCK_STATUS_DEGRADED_MS, breaker closed and
 *                         no failure counted before this answer;
 *               degraded  answered, but slowly, or right after failures (failures counted
 *                         by the breaker before this check, or the breaker half open);
 *               down      the check failed (unreachable, timeout, 5xx, malformed answer),
 *                         or the breaker is open; not configured (last_error
 *                         "not configured", latency null, no request made).
 *             last_error: this check's failure, else the breaker's last recorded error.
 */
#ifndef BEDROCK_WORKER_STATUS_PROBE_H
#define BEDROCK_WORKER_STATUS_PROBE_H

#include "handler.h"
#include "provider.h"

#include <jansson.h>
#include <stdbool.h>

/* New references; NULL out of memory. */
json_t *status_probe_local(handler_ctx_t *ctx);
json_t *status_probe_unconfigured(void);

/* Checks provider now (provider pool only). *cacheable is false when no request was made
 * because the request's deadline is too close (the breaker's view is reported instead). */
json_t *status_probe_provider(handler_ctx_t *ctx, const provider_t *provider, bool *cacheable);

#endif
