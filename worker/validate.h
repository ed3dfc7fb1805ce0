/* validate — the account input rules, pure functions (no I/O), shared by handlers and tests.
 *
 * Inputs are (pointer, length) because JSON strings may hold NUL bytes; a value with
 * an embedded NUL is always refused.
 */
#ifndef BEDROCK_WORKER_VALIDATE_H
#define BEDROCK_WORKER_VALIDATE_H

#include <stddef.h>

#define VALIDATE_EMAIL_MAX 255        /* users.email is VARCHAR(255) */
#define VALIDATE_DISPLAY_NAME_MAX 100 /* characters; user_profiles.display_name VARCHAR(100) */

/* Trims surrounding whitespace and lower-cases ASCII into out (size > VALIDATE_EMAIL_MAX),
 * then checks: at most 255 bytes, exactly one '@', a non-empty local part, a domain
 * holding a dot that neither starts nor ends it and no empty label, no whitespace or
 * control character. 0 when valid, -1 otherwise (out is then unspecified). */
int validate_email(const char *in, size_t len, char *out, size_t out_size);

/* 8..72 bytes (bcrypt's limit), no NUL. 0 or -1. */
int validate_password(const char *in, size_t len);

/* At most 100 characters of valid UTF-8, no NUL. 0 or -1. */
int validate_display_name(const char *in, size_t len);

/* Number of code points in valid UTF-8, or -1 when the bytes are not valid UTF-8. */
long validate_utf8_length(const char *in, size_t len);

#endif
