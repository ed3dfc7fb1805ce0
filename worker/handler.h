/* handler — what an op handler gets and the helpers it replies with.
 *
 * A handler is int fn(handler_ctx_t *ctx): it reads ctx->req, uses ctx->db /
 * ctx->cache, fills ctx->rep (status, data, error, headers) and returns 0. A negative
 * return means a bug: the dispatcher logs it with the request id and answers 500
 * internal. Handlers know nothing about ZeroMQ frames or HTTP.
 */
#ifndef BEDROCK_WORKER_HANDLER_H
#define BEDROCK_WORKER_HANDLER_H

#include "cache.h"
#include "db.h"
#include "envelope.h"
#include "password.h"
#include "settings.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct provider_http provider_http_t; /* worker/providers/provider_http.h */

/* What the process owns and every request shares (all borrowed). */
typedef struct {
    const settings_t *cfg;
    db_t *primary;
    db_t *replica; /* NULL when DATABASE_REPLICA_URL is unset */
    cache_t *cache;
    password_t *password;
} handler_env_t;

typedef struct {
    const envelope_request_t *req; /* borrowed */
    envelope_reply_t *rep;         /* to fill; owned by the caller */
    db_t *db;      /* the replica for read-only ops when it is up, else the primary */
    db_t *primary; /* for what must see the latest writes (session checks) */
    cache_t *cache;
    password_t *password;
    const settings_t *cfg;
    provider_http_t *providers; /* may be NULL (tests): every HTTP platform is then unconfigured */
    /* True when the op arrived as "provider."+op (DISPATCH_PROVIDER_POOL): this worker is
     * in the provider pool and may call providers (DESIGN §4). */
    bool provider_pool;
    /* Set by handler_forward: the op the request is handed to ("" = reply normally). */
    char forward_op[ENVELOPE_OP_MAX];
    char request_id[ENVELOPE_ID_HEX_SIZE];
} handler_ctx_t;

typedef int (*handler_fn)(handler_ctx_t *ctx);

/* status + data (ownership of data is taken; NULL = nil). Returns 0. */
int handler_ok(handler_ctx_t *ctx, int status, json_t *data);

/* An error reply {code, message}. Returns 0 so handlers can `return handler_error(...)`. */
int handler_error(handler_ctx_t *ctx, int status, const char *code, const char *message);

/* 400 invalid_argument with details.field. Returns 0. */
int handler_invalid(handler_ctx_t *ctx, const char *field, const char *message);

/* The reply for a repository failure: 503 db_unavailable (+ retry-after "1") for
 * DB_ERR_UNAVAILABLE and exhausted retries, 409 conflict, 400 invalid_argument,
 * 404 not_found, or 500 internal. Returns 0. */
int handler_db_error(handler_ctx_t *ctx, db_err_t err);

/* Adds a reply header (lower-case name). Returns 0 or -1 when out of memory. */
int handler_header(handler_ctx_t *ctx, const char *name, const char *value);

/* Hands the request to the provider pool instead of replying (CATALOG.md, CONTRACTS.md
 * Addendum): the loop sends FORWARD [BRW1][0x06][client][empty][the same envelope with
 * op "provider."+op] and the broker routes it to a worker serving that op. Used by a
 * handler on a fast worker that needs a provider call. When this worker itself serves
 * "provider."+op, the dispatcher runs that op here at once instead (one process may
 * be configured to do everything). On the provider pool (ctx->provider_pool) there is
 * nowhere further to go: logged, and answered 500 internal. Returns 0. */
int handler_forward(handler_ctx_t *ctx);

/* Body field helpers. A missing body reads as an empty object.
 * handler_string: NULL when absent or JSON null; sets *bad when present but not a
 * string (or holding a NUL byte). *len gets the byte length. */
const char *handler_string(handler_ctx_t *ctx, const char *field, size_t *len, bool *bad);

#endif
