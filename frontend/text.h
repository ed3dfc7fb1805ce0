/* text — making client-supplied header text safe to pass on (pure). */
#ifndef BEDROCK_TEXT_H
#define BEDROCK_TEXT_H

#include <stddef.h>

/* Copies src into dst (dst_size >= 1) as valid UTF-8 without control characters:
 * an invalid byte or a control character becomes '?', and the copy stops before a
 * character that would not fit, so a truncated result never ends mid-character.
 * src may be NULL (empty result). Returns the number of bytes written. */
size_t text_copy_clean(char *dst, size_t dst_size, const char *src);

#endif
