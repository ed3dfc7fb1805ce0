/* dispatch — the worker's one table of ops: {op, handler, flags}.
 *
 * Adding an op = one line in dispatch.c's table + one handler function. The
 * dispatcher does what every op needs before its handler runs:
 *   - an op the worker does not have, or does not serve (BEDROCK_WORKER_OPS, test ops
 *     without BEDROCK_TEST_OPS), is answered 404 not_found;
 *   - DISPATCH_AUTH_REQUIRED ops need envelope.auth and a live session (sid belongs to
 *     sub, not revoked, not expired; checked on the primary, one prepared statement),
 *     else 401 unauthorized;
 *   - read-only ops (ops_is_read_only) run on the replica when one is configured and
 *     up, else on the primary;
 *   - a handler that fails (returns < 0) becomes 500 internal, logged with the request id.
 */
#ifndef BEDROCK_WORKER_DISPATCH_H
#define BEDROCK_WORKER_DISPATCH_H

#include "envelope.h"
#include "handler.h"

#include <jansson.h>
#include <stddef.h>

enum {
    DISPATCH_AUTH_REQUIRED = 1 << 0,
    DISPATCH_TEST_ONLY = 1 << 1,
};

typedef struct {
    const char *op;
    handler_fn fn;
    unsigned flags;
} dispatch_entry_t;

typedef struct dispatch dispatch_t;

/* env is borrowed and must outlive the dispatcher. ops_list is BEDROCK_WORKER_OPS
 * (comma list of ops or prefixes ending in '.'; NULL = every op available). Returns
 * NULL with a reason in err when an entry names no op this worker has (or on OOM). */
dispatch_t *dispatch_new(const handler_env_t *env, const char *ops_list, char *err,
                         size_t err_size);
void dispatch_destroy(dispatch_t **self_p);

/* The ops to announce in READY: a JSON array of strings, borrowed. */
const json_t *dispatch_announced(const dispatch_t *d);

/* True when this worker runs op (known, enabled, announced). */
bool dispatch_serves(const dispatch_t *d, const char *op);

/* Runs req and fills rep (which must be initialised); rep->id is req->id. Never fails:
 * every outcome is a reply. */
void dispatch_run(dispatch_t *d, const envelope_request_t *req, envelope_reply_t *rep);

/* The whole table, for tests and the start-up log. */
const dispatch_entry_t *dispatch_table(size_t *count);

#endif
