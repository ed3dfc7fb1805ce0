/* routes — the HTTP route table and the matcher (pure: no civetweb, no ZeroMQ).
 *
 * One line of the table in routes.c per endpoint: method, path pattern with
 * {params}, the op the request becomes, the bearer policy and the body policy.
 * Ops named "frontend.*" are answered by the frontend itself (local_ops.c).
 *
 * Matching: a path is split on '/'; a literal segment must be equal, a {param}
 * segment matches any non-empty segment. Among the routes whose pattern matches
 * the path AND whose method is the request's, the most specific wins (a literal
 * segment beats a {param} at the leftmost place they differ). When patterns match
 * but no method does, the answer is 405 with the allowed methods; when no pattern
 * matches, 404. The path is the raw (not URL-decoded) one, so an encoded "%2F"
 * stays inside its segment; parameter values are URL-decoded after matching.
 */
#ifndef BEDROCK_ROUTES_H
#define BEDROCK_ROUTES_H

#include <jansson.h>
#include <stddef.h>

typedef enum {
    ROUTES_AUTH_NONE = 0, /* the Authorization header is ignored */
    ROUTES_AUTH_REQUIRED, /* a valid bearer token or 401 */
    ROUTES_AUTH_OPTIONAL, /* no header is fine; a bad token is still 401 */
} routes_auth_t;

typedef enum {
    ROUTES_BODY_NONE = 0,       /* a body, if sent, is read and ignored */
    ROUTES_BODY_OBJECT,         /* a JSON object is required */
    ROUTES_BODY_OPTIONAL_OBJECT /* a JSON object if a body is sent, else none */
} routes_body_t;

typedef struct {
    const char *method;  /* "GET", "POST", ... exact, case-sensitive */
    const char *pattern; /* "/v1/me/playlists/{id}/items/{position}" */
    const char *op;      /* envelope op, e.g. "me.get" */
    routes_auth_t auth;
    routes_body_t body;
} routes_route_t;

typedef enum {
    ROUTES_MATCHED = 0,
    ROUTES_NOT_FOUND = -1,          /* 404 not_found */
    ROUTES_METHOD_NOT_ALLOWED = -2, /* 405, allow holds e.g. "GET, POST" */
    ROUTES_BAD_PARAM = -3,          /* a {param} decodes to NUL or invalid UTF-8: 400 */
} routes_status_t;

#define ROUTES_MAX_SEGMENTS 24
#define ROUTES_ALLOW_MAX 96
#define ROUTES_NAME_MAX 64

typedef struct {
    const routes_route_t *route;     /* borrowed from the static table; NULL unless matched */
    int index;                       /* index of route in the table, -1 when none */
    char allow[ROUTES_ALLOW_MAX];    /* for ROUTES_METHOD_NOT_ALLOWED */
    char bad_param[ROUTES_NAME_MAX]; /* for ROUTES_BAD_PARAM */
} routes_result_t;

/* The static table; *count receives its length. Never fails. */
const routes_route_t *routes_table(size_t *count);

/* Matches method + raw path (without the query string). On ROUTES_MATCHED the
 * decoded path parameters are set as strings in params (a JSON object the caller
 * owns; may be NULL when the caller does not want them). */
routes_status_t routes_match(const char *method, const char *path, json_t *params,
                             routes_result_t *out);

/* Same matcher over any table (used by the unit tests). */
routes_status_t routes_match_in(const routes_route_t *table, size_t count, const char *method,
                                const char *path, json_t *params, routes_result_t *out);

#endif
