#include "password.h"

#include "log.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define S_PREFIX "$2b$"

struct password {
    int cost;
    struct crypt_data *work;
    char dummy[PASSWORD_HASH_MAX];
    uint64_t verifications;
};

/* crypt_rn returns NULL on failure, but some libxcrypt builds also return a "*0"/"*1"
 * failure token; both are refused. */
static const char *s_crypt(password_t *pw, const char *plain, const char *setting)
{
    memset(pw->work, 0, sizeof *pw->work);
    const char *out = crypt_rn(plain, setting, pw->work, (int)sizeof *pw->work);
    if (!out || out[0] == '*')
        return NULL;
    return out;
}

static int s_hash(password_t *pw, const char *plain, char *out, size_t out_size)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn(S_PREFIX, (unsigned long)pw->cost, NULL, 0, salt, (int)sizeof salt) ||
        salt[0] == '*')
        return -1;
    const char *h = s_crypt(pw, plain, salt);
    int rc = (h && strlen(h) < out_size) ? 0 : -1;
    if (rc == 0)
        memcpy(out, h, strlen(h) + 1);
    explicit_bzero(pw->work, sizeof *pw->work);
    return rc;
}

password_t *password_new(int cost)
{
    password_t *pw = calloc(1, sizeof *pw);
    if (!pw)
        return NULL;
    pw->cost = cost;
    pw->work = calloc(1, sizeof *pw->work);
    unsigned char random[24];
    char phrase[sizeof random * 2 + 1];
    if (!pw->work || getrandom(random, sizeof random, 0) != (ssize_t)sizeof random)
        goto fail;
    for (size_t i = 0; i < sizeof random; i++)
        snprintf(phrase + 2 * i, 3, "%02x", random[i]);
    if (s_hash(pw, phrase, pw->dummy, sizeof pw->dummy) < 0)
        goto fail;
    return pw;
fail:
    log_error("password: bcrypt (%s cost %d) is not usable", S_PREFIX, cost);
    password_destroy(&pw);
    return NULL;
}

void password_destroy(password_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->work);
    free(*self_p);
    *self_p = NULL;
}

int password_hash(password_t *pw, const char *plain, char *out, size_t out_size)
{
    return s_hash(pw, plain, out, out_size);
}

bool password_verify(password_t *pw, const char *plain, const char *hash)
{
    pw->verifications++;
    if (!hash || !hash[0])
        return false;
    const char *h = s_crypt(pw, plain, hash);
    size_t n = strlen(hash);
    bool ok = h && strlen(h) == n && CRYPTO_memcmp(h, hash, n) == 0;
    explicit_bzero(pw->work, sizeof *pw->work);
    return ok;
}

bool password_verify_dummy(password_t *pw, const char *plain)
{
    (void)password_verify(pw, plain, pw->dummy);
    return false;
}

uint64_t password_verify_count(const password_t *pw)
{
    return pw->verifications;
}

int password_cost(const password_t *pw)
{
    return pw->cost;
}
