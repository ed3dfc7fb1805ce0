/* query — URL query strings as lists of decoded (name, value) pairs, and the
 * set comparison bedrock-replay uses to match a request to a recording.
 */
#ifndef BEDROCK_REPLAY_QUERY_H
#define BEDROCK_REPLAY_QUERY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *name;  /* owned, decoded */
    char *value; /* owned, decoded; NULL in a recording = any value matches */
} query_param_t;

typedef struct {
    query_param_t *params; /* owned array of count pairs */
    size_t count;
} query_t;

/* Decodes len bytes of a URL component: %XX -> byte, and '+' -> space when
 * plus_is_space (query strings; not paths); a '%' not followed by two hex
 * digits is kept as is. Returns a new string the caller frees; never NULL
 * (aborts on out of memory). */
char *query_decode(const char *in, size_t len, bool plus_is_space);

/* Parses a raw query string ("a=1&b=x+y", no '?'; NULL or "" = empty) into
 * decoded pairs. A pair without '=' has the value "". Empty pieces ("a=1&&b=2")
 * are skipped. out must be zeroed or freed; the caller frees it with
 * query_free. Cannot fail (aborts on out of memory). */
void query_parse(const char *raw, query_t *out);

/* Appends one pair; name and value are copied (value may be NULL). */
void query_add(query_t *q, const char *name, const char *value);

/* Frees the pairs and zeroes q; safe to call twice. */
void query_free(query_t *q);

/* True when request matches recorded as a set: the same number of pairs, and
 * each recorded pair is matched by a distinct request pair of exactly the same
 * name whose value is equal (any value when the recorded value is NULL). For
 * the parameter named token_set_param (may be NULL) values are compared as
 * sets of '+'/space separated tokens. */
bool query_matches(const query_t *recorded, const query_t *request, const char *token_set_param);

/* Number of recorded pairs whose value is NULL (a wildcard). */
size_t query_wildcards(const query_t *q);

/* Encodes q as "a=1&b=x%20y" (RFC 3986 unreserved characters kept, the rest
 * percent-encoded); a NULL value is written as null_value. Returns a new
 * string the caller frees; "" for an empty query. */
char *query_encode(const query_t *q, const char *null_value);

#endif
