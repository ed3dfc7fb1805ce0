/* discovery_text — text normalisation for the discovery ops (search, lyrics).
 * Owner: discovery engineer (C2). Pure functions, no allocation outside the caller's
 * buffers.
 *
 * Two different needs:
 *   - cache keys (CATALOG.md: "query normalised: trimmed, lower-cased, inner whitespace
 *     collapsed"): discovery_text_key_part. ASCII letters are lower-cased (bytes >= 0x80
 *     are kept: a differently cased accented query is a cache miss, never a wrong hit).
 *     ':' and '%' are percent-escaped so that the ':'-separated parts of a key
 *     (search:{q}:{platforms}:..., lyrics:{artist}:{title}) can never run into each other.
 *   - comparing titles the way PostgreSQL's bedrock_fold() does (lower(unaccent())):
 *     discovery_text_fold, used to rank an exact title match of a provider result first.
 *     It strips the accents of Latin-1 Supplement and Latin Extended-A letters (the
 *     common Western ones: "Antônio" -> "antonio"), lower-cases ASCII and collapses
 *     whitespace; other characters are kept as they are.
 */
#ifndef BEDROCK_WORKER_DISCOVERY_TEXT_H
#define BEDROCK_WORKER_DISCOVERY_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Trims, collapses runs of whitespace into one space, lower-cases ASCII, escapes ':'
 * as "%3A" and '%' as "%25". Returns the length written (NUL-terminated), or -1 when
 * out (size bytes) is too small. */
int discovery_text_key_part(const char *in, char *out, size_t size);

/* Trims and collapses whitespace only (what is sent to PostgreSQL and providers).
 * Returns the length written, or -1 when out is too small. */
int discovery_text_squash(const char *in, char *out, size_t size);

/* The folded form (see above). Returns the length written, or -1 when out is too small. */
int discovery_text_fold(const char *in, char *out, size_t size);

/* True when a and b fold to the same text (either may be NULL: false). */
bool discovery_text_same(const char *a, const char *b);

/* Number of Unicode code points of a UTF-8 string (continuation bytes not counted). */
size_t discovery_text_chars(const char *in);

#endif
