/* local_ops — the frontend.* ops, answered by the frontend itself:
 * frontend.healthz, frontend.readyz (asks the broker for broker.status),
 * frontend.metrics (Prometheus text), frontend.openapi and frontend.docs (docs.h).
 */
#ifndef BEDROCK_LOCAL_OPS_H
#define BEDROCK_LOCAL_OPS_H

#include "envelope.h"
#include "request.h"

#include <stdbool.h>
#include <stddef.h>

#define LOCAL_OPS_PREFIX "frontend."
#define LOCAL_OPS_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* True when op is one of ours (starts with LOCAL_OPS_PREFIX). */
bool local_ops_is_local(const char *op);

/* Runs op. Returns 0 with *reply filled (JSON answer; reply->id is set from id), 1
 * with *raw (malloc'd, the caller frees) / *raw_len set for a text answer, or -1 when
 * op is unknown or out of memory (reply filled as 500). */
int local_ops_run(const char *op, const request_env_t *env, request_thread_t *thread,
                  const uint8_t id[ENVELOPE_ID_SIZE], envelope_reply_t *reply, char **raw,
                  size_t *raw_len);

/* The Content-Type of op's text answer (when local_ops_run returned 1). */
const char *local_ops_raw_content_type(const char *op);

/* What /readyz answers for a broker.status outcome (pure, for the tests): rc is the
 * bridge result, status_reply the broker's reply when rc == BRIDGE_OK. */
void local_ops_readiness(bridge_result_t rc, const envelope_reply_t *status_reply,
                         envelope_reply_t *out);

#endif
