/* dispatch — the worker's one table of ops: {op, handler, flags}.
 *
 * Adding an op = one line in dispatch.c's table + one handler function. The
 * dispatcher does what every op needs before its handler runs:
 *   - an op the worker does not have, or does not serve (BEDROCK_WORKER_OPS, test ops
 *     without BEDROCK_TEST_OPS), is answered 404 not_found;
 *   - DISPATCH_AUTH_REQUIRED ops need envelope.auth and a live session (sid belongs to
 *     sub, not revoked, not expired, the account not deleted; checked on the primary,
 *     one prepared statement), else 401 unauthorized; DISPATCH_ADMIN ops also need the
 *     role admin as the database has it now (not the token's claim), else 403
 *     forbidden; both then count against the per-user request limit
 *     (BEDROCK_RATE_USER, 429 rate_limited + retry-after): library/access.h;
 *   - read-only ops (ops_is_read_only) run on the replica when one is configured and
 *     up, else on the primary;
 *   - a handler that fails (returns < 0) becomes 500 internal, logged with the request id;
 *   - DISPATCH_PROVIDER_POOL entries ("provider." + a catalog op, same handler) run with
 *     ctx->provider_pool = true: only they may call providers (CATALOG.md);
 *   - a handler may forward instead of replying (handler_forward): dispatch_run_forward
 *     reports it to the loop, which sends FORWARD; when this worker itself serves the
 *     forwarded op, it is run here at once instead.
 *
 * BEDROCK_WORKER_OPS (comma list, no spaces): an entry is an op name or a prefix ending
 * in '.'; an entry starting with '!' REMOVES the ops it covers ("!provider." = every
 * op except the provider pool's). A list of only '!' entries starts from every op.
 * Unset = "!provider.": a worker serves everything but the provider pool unless told
 * (provider-pool workers are started with BEDROCK_WORKER_OPS=provider.). Every entry
 * must cover at least one op. With a '!' entry (or unset) READY names each op served;
 * otherwise it names the entries as given.
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
    DISPATCH_PROVIDER_POOL = 1 << 2, /* "provider." + op: ctx->provider_pool = true */
    DISPATCH_ADMIN = 1 << 3, /* implies AUTH_REQUIRED; role admin in the DB (library/access.h) */
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

/* The HTTP providers handed to handlers as ctx->providers (catalog/providers_glue.h);
 * borrowed, must outlive the dispatcher. Until set (tests), ctx->providers is NULL and
 * every HTTP platform counts as not configured. */
void dispatch_set_providers(dispatch_t *d, provider_http_t *providers);

/* The ops to announce in READY: a JSON array of strings, borrowed. */
const json_t *dispatch_announced(const dispatch_t *d);

/* True when this worker runs op (known, enabled, announced). */
bool dispatch_serves(const dispatch_t *d, const char *op);

/* Runs req and fills rep (which must be initialised); rep->id is req->id. Never fails:
 * every outcome is a reply (a handler that forwards is answered 500 internal here:
 * forwarding needs the loop, see dispatch_run_forward). */
void dispatch_run(dispatch_t *d, const envelope_request_t *req, envelope_reply_t *rep);

/* dispatch_run for the loop: returns 1 when the handler forwarded the request, with the
 * op to forward to in forward_op (rep is then to be ignored), else 0 (rep is the reply). */
int dispatch_run_forward(dispatch_t *d, const envelope_request_t *req, envelope_reply_t *rep,
                         char forward_op[ENVELOPE_OP_MAX]);

/* The whole table, for tests and the start-up log. */
const dispatch_entry_t *dispatch_table(size_t *count);

#endif
