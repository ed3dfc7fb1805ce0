/* checksum — SHA-256 of a migration file's bytes, as lower-case hex.
 *
 * The checksum is taken over the exact bytes of the .up.sql file (no newline or
 * encoding normalisation), so that any edit to an applied migration is noticed.
 */
#ifndef BEDROCK_CHECKSUM_H
#define BEDROCK_CHECKSUM_H

#include <stddef.h>

/* Length of the hex text, without the terminating NUL. */
#define CHECKSUM_HEX_LEN 64

/* Writes the hex SHA-256 of data[0..len) into out (CHECKSUM_HEX_LEN + 1 bytes, NUL-terminated).
 * data may be NULL when len is 0. Returns 0, or -1 when OpenSSL fails (out is then "").
 */
int checksum_sha256_hex(const void *data, size_t len, char out[CHECKSUM_HEX_LEN + 1])
    __attribute__((warn_unused_result));

#endif
