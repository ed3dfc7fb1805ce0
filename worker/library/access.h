/* access — what the dispatcher checks before an op that needs a signed-in user runs.
 *
 *   1. envelope.auth is present, else 401 unauthorized;
 *   2. the session auth.sid belongs to auth.sub, is neither revoked nor expired, and
 *      the account is not deleted (one statement on the primary: a replica could
 *      still show a session just revoked), else 401 unauthorized;
 *   3. admin ops: the account's role *in the database* is admin, else 403 forbidden —
 *      the token's role claim is not trusted, so a demoted admin's token stops
 *      working for admin ops at once;
 *   4. the per-user request limit (BEDROCK_RATE_USER), else 429 rate_limited with
 *      retry-after.
 */
#ifndef BEDROCK_WORKER_ACCESS_H
#define BEDROCK_WORKER_ACCESS_H

#include "handler.h"

#include <stdbool.h>

/* True when the op may run; otherwise the reply is filled and the op must not run. */
bool access_check(handler_ctx_t *ctx, bool admin_only);

/* 429 rate_limited with the retry-after header. Returns 0 (or -1 out of memory). */
int access_rate_limited(handler_ctx_t *ctx, int retry_after_s);

#endif
