/* password — bcrypt ($2b$) through libxcrypt's reentrant crypt_gensalt_rn/crypt_rn.
 *
 * A password_t holds the cost, the crypt work area (about 32 KB, reused) and a dummy
 * hash of the same cost made once at creation, so that a login for an unknown email
 * spends the same bcrypt time as one for a known email (no account enumeration by
 * timing). One password_t per thread.
 */
#ifndef BEDROCK_WORKER_PASSWORD_H
#define BEDROCK_WORKER_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* bcrypt hashes are 60 characters; room to spare for other crypt formats in the column. */
#define PASSWORD_HASH_MAX 128
/* bcrypt reads at most 72 bytes; longer passwords are refused, never truncated. */
#define PASSWORD_MIN_BYTES 8
#define PASSWORD_MAX_BYTES 72

typedef struct password password_t;

/* cost in 4..31. Returns NULL when out of memory or when bcrypt is unusable. */
password_t *password_new(int cost);
void password_destroy(password_t **self_p);

/* Hashes plain with a fresh salt into out (size >= PASSWORD_HASH_MAX). 0 or -1. */
int password_hash(password_t *pw, const char *plain, char *out, size_t out_size)
    __attribute__((warn_unused_result));

/* True when plain matches hash; compared in constant time. A malformed hash is false. */
bool password_verify(password_t *pw, const char *plain, const char *hash);

/* Runs the same bcrypt work as password_verify against the dummy hash; always false. */
bool password_verify_dummy(password_t *pw, const char *plain);

/* How many bcrypt verifications (real and dummy) this password_t has run. */
uint64_t password_verify_count(const password_t *pw);

int password_cost(const password_t *pw);

#endif
