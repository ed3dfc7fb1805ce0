/* auth_bearer — the "Authorization: Bearer <jwt>" check (pure).
 *
 * The frontend verifies signature and expiry only; whether the session is still
 * alive is the worker's business (CONTRACTS: auth-required ops check auth.sid).
 */
#ifndef BEDROCK_AUTH_BEARER_H
#define BEDROCK_AUTH_BEARER_H

#include "routes.h"
#include "token.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    AUTH_BEARER_OK = 0,
    AUTH_BEARER_ABSENT = 1,   /* no Authorization header at all */
    AUTH_BEARER_INVALID = -1, /* not "Bearer <token>", malformed, alg none, bad signature */
    AUTH_BEARER_EXPIRED = -2, /* well-signed, exp passed */
} auth_bearer_result_t;

/* Finds the token in an Authorization header value: scheme "Bearer" (any case),
 * one or more spaces, the token, optional trailing spaces. Returns 0 and points
 * *token / *len into header, or -1. */
int auth_bearer_parse(const char *header, const char **token, size_t *len);

/* Parses header (NULL = absent) and verifies the token with secret at now_s (unix
 * seconds). Fills *claims on AUTH_BEARER_OK. */
auth_bearer_result_t auth_bearer_check(const char *header, const char *secret, int64_t now_s,
                                       token_claims_t *claims);

/* What the route's policy makes of a result: 0 to go on (claims_used tells whether
 * the request carries auth), or 401 with *code / *message (static strings) set. */
int auth_bearer_decide(routes_auth_t policy, auth_bearer_result_t result, int *claims_used,
                       const char **code, const char **message);

#endif
