#include "auth_bearer.h"

#include <string.h>
#include <strings.h>

/* A JWT longer than this is not one of ours (token.c refuses > 4096 as well). */
#define AUTH_BEARER_TOKEN_MAX 4096

int auth_bearer_parse(const char *header, const char **token, size_t *len)
{
    static const char scheme[] = "Bearer";
    const size_t slen = sizeof scheme - 1;
    if (!header || strncasecmp(header, scheme, slen) != 0 || header[slen] != ' ')
        return -1;
    const char *p = header + slen;
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, " \t");
    const char *rest = p + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (n == 0 || *rest != '\0')
        return -1;
    *token = p;
    *len = n;
    return 0;
}

auth_bearer_result_t auth_bearer_check(const char *header, const char *secret, int64_t now_s,
                                       token_claims_t *claims)
{
    memset(claims, 0, sizeof *claims);
    if (!header)
        return AUTH_BEARER_ABSENT;
    const char *token;
    size_t len;
    if (auth_bearer_parse(header, &token, &len) < 0 || len > AUTH_BEARER_TOKEN_MAX)
        return AUTH_BEARER_INVALID;
    char jwt[AUTH_BEARER_TOKEN_MAX + 1];
    memcpy(jwt, token, len);
    jwt[len] = '\0';
    switch (token_verify(secret, jwt, now_s, claims)) {
    case TOKEN_OK:
        return AUTH_BEARER_OK;
    case TOKEN_EXPIRED:
        memset(claims, 0, sizeof *claims);
        return AUTH_BEARER_EXPIRED;
    default:
        memset(claims, 0, sizeof *claims);
        return AUTH_BEARER_INVALID;
    }
}

int auth_bearer_decide(routes_auth_t policy, auth_bearer_result_t result, int *claims_used,
                       const char **code, const char **message)
{
    *claims_used = 0;
    *code = NULL;
    *message = NULL;
    if (policy == ROUTES_AUTH_NONE)
        return 0;
    if (result == AUTH_BEARER_OK) {
        *claims_used = 1;
        return 0;
    }
    if (result == AUTH_BEARER_ABSENT && policy == ROUTES_AUTH_OPTIONAL)
        return 0;
    if (result == AUTH_BEARER_EXPIRED) {
        *code = "token_expired";
        *message = "the access token has expired";
    } else if (result == AUTH_BEARER_ABSENT) {
        *code = "unauthorized";
        *message = "a bearer token is required";
    } else {
        *code = "unauthorized";
        *message = "the bearer token is invalid";
    }
    return 401;
}
