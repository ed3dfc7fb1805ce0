/* token — HS256 JWT access tokens and opaque refresh tokens (OpenSSL HMAC/SHA-256).
 *
 * Verification pins the algorithm: a header whose alg is anything but "HS256"
 * (including "none") is refused before the signature is even looked at, and
 * the signature is compared in constant time.
 */
#ifndef BEDROCK_TOKEN_H
#define BEDROCK_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_FIELD_MAX 64
#define TOKEN_SECRET_MIN 32

typedef struct {
    char sub[TOKEN_FIELD_MAX];  /* user id (UUID) */
    char role[TOKEN_FIELD_MAX]; /* "user" | "admin" */
    char sid[TOKEN_FIELD_MAX];  /* session id (UUID) */
    int64_t iat;                /* unix seconds */
    int64_t exp;                /* unix seconds */
} token_claims_t;

typedef enum {
    TOKEN_OK = 0,
    TOKEN_INVALID = -1, /* malformed, wrong algorithm or bad signature */
    TOKEN_EXPIRED = -2, /* well-signed but exp <= now */
} token_result_t;

/* Returns a new NUL-terminated JWT the caller frees, or NULL on allocation failure. */
char *token_sign(const char *secret, const token_claims_t *claims);

/* Checks jwt against secret at time now_s (unix seconds) and fills *out on TOKEN_OK. */
token_result_t token_verify(const char *secret, const char *jwt, int64_t now_s,
                            token_claims_t *out);

/* nbytes of kernel randomness as unpadded base64url, written to out (size >= 4*nbytes/3+2).
 * Returns 0, or -1 when the kernel gives no randomness or out is too small. */
int token_random(size_t nbytes, char *out, size_t out_size);

/* Lower-case hex SHA-256 of text into out[65]. Refresh tokens are stored only this way. */
void token_sha256_hex(const char *text, char out[65]);

/* base64url without padding; exposed for the tests. Returns bytes written, or -1 when
 * out_size is too small / the input is not base64url. out is NUL-terminated by encode. */
int token_b64url_encode(const unsigned char *in, size_t len, char *out, size_t out_size);
int token_b64url_decode(const char *in, size_t len, unsigned char *out, size_t out_size);

#endif
