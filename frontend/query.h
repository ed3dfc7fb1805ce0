/* query — URL decoding and query-string parsing (pure).
 *
 * Decoding is lenient the way browsers are: a '%' not followed by two hex digits
 * is kept as it is. What cannot be passed on is refused: a decoded NUL byte, and
 * (when building JSON strings) invalid UTF-8.
 */
#ifndef BEDROCK_QUERY_H
#define BEDROCK_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* At most this many key=value pairs in one query string; more is 400. */
#define QUERY_MAX_PARAMS 64
#define QUERY_KEY_MAX 64

typedef enum {
    QUERY_OK = 0,
    QUERY_TOO_MANY = -1, /* more than QUERY_MAX_PARAMS pairs */
    QUERY_BAD_VALUE = -2 /* a key or value decodes to NUL or invalid UTF-8 (bad_key says which) */
} query_result_t;

/* Percent-decodes src[0..len) into dst, which must hold len + 1 bytes; '+' becomes a
 * space when plus_as_space (query strings, not paths). dst is NUL-terminated.
 * Returns the decoded length, or -1 when the result would contain a NUL byte. */
int query_url_decode(const char *src, size_t len, char *dst, bool plus_as_space);

/* Parses "a=1&b=x%20y&flag" into out (a JSON object the caller owns): every value a
 * string, a key without '=' gets "", empty keys are skipped, repeated keys: the last
 * wins. qs may be NULL or empty. On QUERY_BAD_VALUE the offending key (or "query"
 * when the key itself is bad) is copied to bad_key (size QUERY_KEY_MAX). */
query_result_t query_parse(const char *qs, json_t *out, char bad_key[QUERY_KEY_MAX]);

#endif
