#include "token.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define TOKEN_MAX_LEN 4096
static const char s_header_b64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"; /* {"alg":"HS256","typ":"JWT"} */
static const char s_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int token_b64url_encode(const unsigned char *in, size_t len, char *out, size_t out_size)
{
    size_t need = (len * 4 + 2) / 3 + 1, o = 0;
    if (out_size < need)
        return -1;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = s_alphabet[(v >> 18) & 63];
        out[o++] = s_alphabet[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = s_alphabet[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = s_alphabet[v & 63];
    }
    out[o] = '\0';
    return (int)o;
}

static int s_b64_value(char c)
{
    const char *p = c ? strchr(s_alphabet, c) : NULL;
    return p ? (int)(p - s_alphabet) : -1;
}

int token_b64url_decode(const char *in, size_t len, unsigned char *out, size_t out_size)
{
    if (len % 4 == 1)
        return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = s_b64_value(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= out_size)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (int)o;
}

static int s_hmac(const char *secret, const char *data, size_t len, unsigned char mac[32])
{
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)data, len, mac,
              &mac_len) ||
        mac_len != 32)
        return -1;
    return 0;
}

char *token_sign(const char *secret, const token_claims_t *c)
{
    /* jti makes every token unique, even two issued in the same second for one session. */
    char jti[24];
    if (token_random(12, jti, sizeof jti) < 0)
        return NULL;
    json_t *payload = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "sub", c->sub, "role", c->role,
                                "sid", c->sid, "iat", (json_int_t)c->iat, "exp", (json_int_t)c->exp,
                                "jti", jti);
    char *json = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    if (!json)
        return NULL;
    size_t jlen = strlen(json), cap = sizeof s_header_b64 + jlen * 2 + 64;
    char *out = malloc(cap);
    if (!out) {
        free(json);
        return NULL;
    }
    size_t n = strlen(s_header_b64);
    memcpy(out, s_header_b64, n);
    out[n++] = '.';
    int w = token_b64url_encode((const unsigned char *)json, jlen, out + n, cap - n);
    free(json);
    unsigned char mac[32];
    if (w < 0 || s_hmac(secret, out, n + (size_t)w, mac) < 0) {
        free(out);
        return NULL;
    }
    n += (size_t)w;
    out[n++] = '.';
    if (token_b64url_encode(mac, sizeof mac, out + n, cap - n) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Decodes one base64url segment as a JSON object; the caller owns the result. */
static json_t *s_segment_json(const char *seg, size_t len)
{
    unsigned char buf[TOKEN_MAX_LEN];
    int n = token_b64url_decode(seg, len, buf, sizeof buf);
    if (n <= 0)
        return NULL;
    json_t *v = json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    if (v && !json_is_object(v)) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static int s_header_ok(const char *seg, size_t len)
{
    json_t *h = s_segment_json(seg, len);
    const char *alg = h ? json_string_value(json_object_get(h, "alg")) : NULL;
    int ok = alg && strcmp(alg, "HS256") == 0;
    json_decref(h);
    return ok;
}

static int s_copy_claim(json_t *payload, const char *name, char *out)
{
    const char *v = json_string_value(json_object_get(payload, name));
    if (!v || !*v || strlen(v) >= TOKEN_FIELD_MAX)
        return -1;
    strcpy(out, v);
    return 0;
}

static token_result_t s_claims(const char *seg, size_t len, int64_t now_s, token_claims_t *out)
{
    json_t *p = s_segment_json(seg, len);
    token_result_t rc = TOKEN_INVALID;
    if (!p)
        return rc;
    json_t *exp = json_object_get(p, "exp"), *iat = json_object_get(p, "iat");
    if (json_is_integer(exp) && json_is_integer(iat) && s_copy_claim(p, "sub", out->sub) == 0 &&
        s_copy_claim(p, "role", out->role) == 0 && s_copy_claim(p, "sid", out->sid) == 0) {
        out->exp = json_integer_value(exp);
        out->iat = json_integer_value(iat);
        rc = out->exp > now_s ? TOKEN_OK : TOKEN_EXPIRED;
    }
    json_decref(p);
    return rc;
}

token_result_t token_verify(const char *secret, const char *jwt, int64_t now_s,
                            token_claims_t *out)
{
    memset(out, 0, sizeof *out);
    size_t len = jwt ? strlen(jwt) : 0;
    if (len == 0 || len > TOKEN_MAX_LEN)
        return TOKEN_INVALID;
    const char *dot1 = strchr(jwt, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2 || strchr(dot2 + 1, '.'))
        return TOKEN_INVALID;
    if (!s_header_ok(jwt, (size_t)(dot1 - jwt)))
        return TOKEN_INVALID;
    unsigned char want[32], got[64];
    int n = token_b64url_decode(dot2 + 1, strlen(dot2 + 1), got, sizeof got);
    if (n != 32 || s_hmac(secret, jwt, (size_t)(dot2 - jwt), want) < 0 ||
        CRYPTO_memcmp(want, got, 32) != 0)
        return TOKEN_INVALID;
    token_result_t rc = s_claims(dot1 + 1, (size_t)(dot2 - dot1 - 1), now_s, out);
    if (rc != TOKEN_OK && rc != TOKEN_EXPIRED)
        memset(out, 0, sizeof *out);
    return rc;
}

int token_random(size_t nbytes, char *out, size_t out_size)
{
    unsigned char buf[256];
    if (nbytes > sizeof buf || getrandom(buf, nbytes, 0) != (ssize_t)nbytes)
        return -1;
    return token_b64url_encode(buf, nbytes, out, out_size) < 0 ? -1 : 0;
}

void token_sha256_hex(const char *text, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)text, strlen(text), md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}
