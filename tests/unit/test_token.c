/* JWT checks: valid, expired, alg none, tampered, wrong secret, malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *SECRET = "0123456789abcdef0123456789abcdef";

static token_claims_t s_claims(int64_t iat, int64_t exp)
{
    token_claims_t c;
    memset(&c, 0, sizeof c);
    strcpy(c.sub, "6f1c1f5e-8d55-4b1a-9f0e-2f0c3c1d2e3f");
    strcpy(c.role, "user");
    strcpy(c.sid, "0b8f7a32-5a44-4f3b-a5c6-0c8b6e2a8f10");
    c.iat = iat;
    c.exp = exp;
    return c;
}

static void test_valid_and_expired(void **state)
{
    (void)state;
    token_claims_t c = s_claims(1000, 1900), out;
    char *jwt = token_sign(SECRET, &c);
    assert_non_null(jwt);
    assert_int_equal(token_verify(SECRET, jwt, 1500, &out), TOKEN_OK);
    assert_string_equal(out.sub, c.sub);
    assert_string_equal(out.role, "user");
    assert_string_equal(out.sid, c.sid);
    assert_int_equal(out.exp, 1900);
    assert_int_equal(token_verify(SECRET, jwt, 1900, &out), TOKEN_EXPIRED);
    assert_int_equal(token_verify("another-secret-another-secret-xx", jwt, 1500, &out), TOKEN_INVALID);
    char *again = token_sign(SECRET, &c); /* same claims, same second: still a new token */
    assert_string_not_equal(jwt, again);
    free(again);
    free(jwt);
}

/* Replaces the payload segment with base64url(payload) keeping header and signature. */
static char *s_with_payload(const char *jwt, const char *payload)
{
    const char *dot1 = strchr(jwt, '.'), *dot2 = strrchr(jwt, '.');
    char seg[512];
    assert_true(token_b64url_encode((const unsigned char *)payload, strlen(payload), seg, sizeof seg) > 0);
    char *out = malloc(strlen(jwt) + 600);
    snprintf(out, strlen(jwt) + 600, "%.*s.%s%s", (int)(dot1 - jwt), jwt, seg, dot2);
    return out;
}

static void test_tampered(void **state)
{
    (void)state;
    token_claims_t c = s_claims(1000, 1900), out;
    char *jwt = token_sign(SECRET, &c);
    char *forged = s_with_payload(jwt, "{\"sub\":\"6f1c1f5e-8d55-4b1a-9f0e-2f0c3c1d2e3f\","
                                       "\"role\":\"admin\",\"sid\":\"x\",\"iat\":1000,\"exp\":1900}");
    assert_int_equal(token_verify(SECRET, forged, 1500, &out), TOKEN_INVALID);
    assert_string_equal(out.sub, "");
    /* flip one character of the signature */
    char *flipped = strdup(jwt);
    char *last = flipped + strlen(flipped) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    assert_int_equal(token_verify(SECRET, flipped, 1500, &out), TOKEN_INVALID);
    free(flipped);
    free(forged);
    free(jwt);
}

static void test_alg_none_and_other_algs(void **state)
{
    (void)state;
    token_claims_t out;
    char header[128], payload[256], jwt[512];
    const char *p = "{\"sub\":\"u\",\"role\":\"admin\",\"sid\":\"s\",\"iat\":1,\"exp\":99999999999}";
    token_b64url_encode((const unsigned char *)p, strlen(p), payload, sizeof payload);
    const char *algs[] = {"{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"alg\":\"HS512\"}",
                          "{\"alg\":\"RS256\"}", "{\"typ\":\"JWT\"}"};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        token_b64url_encode((const unsigned char *)algs[i], strlen(algs[i]), header, sizeof header);
        snprintf(jwt, sizeof jwt, "%s.%s.", header, payload);
        assert_int_equal(token_verify(SECRET, jwt, 100, &out), TOKEN_INVALID);
    }
}

static void test_malformed(void **state)
{
    (void)state;
    token_claims_t out;
    const char *bad[] = {"", "abc", "a.b", "a.b.c.d", "!!.??.**", "eyJhbGciOiJIUzI1NiJ9..", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(token_verify(SECRET, bad[i], 100, &out), TOKEN_INVALID);
    assert_int_equal(token_verify(SECRET, NULL, 100, &out), TOKEN_INVALID);
}

static void test_b64_and_hash(void **state)
{
    (void)state;
    char enc[16];
    unsigned char dec[16];
    assert_int_equal(token_b64url_encode((const unsigned char *)"\xfb\xff", 2, enc, sizeof enc), 3);
    assert_string_equal(enc, "-_8");
    assert_int_equal(token_b64url_decode("-_8", 3, dec, sizeof dec), 2);
    assert_memory_equal(dec, "\xfb\xff", 2);
    assert_int_equal(token_b64url_decode("a+b/", 4, dec, sizeof dec), -1);
    char hex[65];
    token_sha256_hex("abc", hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    char r1[64], r2[64];
    assert_int_equal(token_random(32, r1, sizeof r1), 0);
    assert_int_equal(token_random(32, r2, sizeof r2), 0);
    assert_int_equal(strlen(r1), 43);
    assert_string_not_equal(r1, r2);
    assert_int_equal(token_random(32, r1, 10), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_and_expired),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_alg_none_and_other_algs),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_b64_and_hash),
    };
    return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
