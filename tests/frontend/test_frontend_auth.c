/* Bearer parsing and verification outcomes, and what each route policy makes of them. */
#include "auth_bearer.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "0123456789abcdef0123456789abcdef-test"
#define NOW 1800000000

static char *s_token(const char *secret, int64_t exp)
{
    token_claims_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.sub, sizeof c.sub, "8d0c2f3e-1111-4a5b-9c9d-000000000001");
    snprintf(c.role, sizeof c.role, "user");
    snprintf(c.sid, sizeof c.sid, "8d0c2f3e-2222-4a5b-9c9d-000000000002");
    c.iat = NOW - 10;
    c.exp = exp;
    return token_sign(secret, &c);
}

static void s_header(char *out, size_t size, const char *token)
{
    snprintf(out, size, "Bearer %s", token);
}

static void test_parse(void **state)
{
    (void)state;
    const char *tok;
    size_t len;
    assert_int_equal(auth_bearer_parse("Bearer abc.def.ghi", &tok, &len), 0);
    assert_int_equal(len, 11);
    assert_memory_equal(tok, "abc.def.ghi", 11);
    assert_int_equal(auth_bearer_parse("bearer abc", &tok, &len), 0);
    assert_int_equal(auth_bearer_parse("BEARER   abc  ", &tok, &len), 0);
    assert_int_equal(len, 3);
    assert_int_equal(auth_bearer_parse("Basic abc", &tok, &len), -1);
    assert_int_equal(auth_bearer_parse("Bearer", &tok, &len), -1);
    assert_int_equal(auth_bearer_parse("Bearer ", &tok, &len), -1);
    assert_int_equal(auth_bearer_parse("Bearer    ", &tok, &len), -1);
    assert_int_equal(auth_bearer_parse("Bearerabc", &tok, &len), -1);
    assert_int_equal(auth_bearer_parse("Bearer a b", &tok, &len), -1);
    assert_int_equal(auth_bearer_parse("", &tok, &len), -1);
    assert_int_equal(auth_bearer_parse(NULL, &tok, &len), -1);
}

static void test_valid(void **state)
{
    (void)state;
    char *tok = s_token(SECRET, NOW + 900);
    char header[4200];
    s_header(header, sizeof header, tok);
    token_claims_t claims;
    assert_int_equal(auth_bearer_check(header, SECRET, NOW, &claims), AUTH_BEARER_OK);
    assert_string_equal(claims.sub, "8d0c2f3e-1111-4a5b-9c9d-000000000001");
    assert_string_equal(claims.role, "user");
    assert_string_equal(claims.sid, "8d0c2f3e-2222-4a5b-9c9d-000000000002");
    free(tok);
}

static void test_expired(void **state)
{
    (void)state;
    char *tok = s_token(SECRET, NOW - 1);
    char header[4200];
    s_header(header, sizeof header, tok);
    token_claims_t claims;
    assert_int_equal(auth_bearer_check(header, SECRET, NOW, &claims), AUTH_BEARER_EXPIRED);
    assert_string_equal(claims.sub, ""); /* nothing of an expired token is used */
    /* exp == now is expired too */
    free(tok);
    tok = s_token(SECRET, NOW);
    s_header(header, sizeof header, tok);
    assert_int_equal(auth_bearer_check(header, SECRET, NOW, &claims), AUTH_BEARER_EXPIRED);
    free(tok);
}

static void test_alg_none(void **state)
{
    (void)state;
    const char *hdr = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
    const char *payload = "{\"sub\":\"x\",\"role\":\"admin\",\"sid\":\"y\",\"iat\":1,\"exp\":"
                          "9999999999}";
    char h64[128], p64[256], header[512];
    assert_true(token_b64url_encode((const unsigned char *)hdr, strlen(hdr), h64, sizeof h64) > 0);
    assert_true(
        token_b64url_encode((const unsigned char *)payload, strlen(payload), p64, sizeof p64) > 0);
    token_claims_t claims;
    snprintf(header, sizeof header, "Bearer %s.%s.", h64, p64);
    assert_int_equal(auth_bearer_check(header, SECRET, NOW, &claims), AUTH_BEARER_INVALID);
    snprintf(header, sizeof header, "Bearer %s.%s", h64, p64);
    assert_int_equal(auth_bearer_check(header, SECRET, NOW, &claims), AUTH_BEARER_INVALID);
}

static void test_tampered(void **state)
{
    (void)state;
    char *tok = s_token(SECRET, NOW + 900);
    char *dot1 = strchr(tok, '.'), *dot2 = strchr(dot1 + 1, '.');
    const char *evil = "{\"sub\":\"8d0c2f3e-1111-4a5b-9c9d-000000000001\",\"role\":\"admin\","
                       "\"sid\":\"8d0c2f3e-2222-4a5b-9c9d-000000000002\",\"iat\":1,\"exp\":"
                       "9999999999}";
    char p64[512], header[4200];
    assert_true(token_b64url_encode((const unsigned char *)evil, strlen(evil), p64, sizeof p64) >
                0);
    snprintf(header, sizeof header, "Bearer %.*s.%s%s", (int)(dot1 - tok), tok, p64, dot2);
    token_claims_t claims;
    assert_int_equal(auth_bearer_check(header, SECRET, NOW, &claims), AUTH_BEARER_INVALID);
    assert_string_equal(claims.role, "");
    /* one flipped signature character */
    s_header(header, sizeof header, tok);
    size_t last = strlen(header) - 2;
    header[last] = header[last] == 'A' ? 'B' : 'A';
    assert_int_equal(auth_bearer_check(header, SECRET, NOW, &claims), AUTH_BEARER_INVALID);
    free(tok);
}

static void test_wrong_secret_missing_garbage(void **state)
{
    (void)state;
    char *tok = s_token("another-secret-that-is-32-bytes-long!!", NOW + 900);
    char header[4200];
    s_header(header, sizeof header, tok);
    token_claims_t claims;
    assert_int_equal(auth_bearer_check(header, SECRET, NOW, &claims), AUTH_BEARER_INVALID);
    assert_int_equal(auth_bearer_check(NULL, SECRET, NOW, &claims), AUTH_BEARER_ABSENT);
    assert_int_equal(auth_bearer_check("Bearer not-a-jwt", SECRET, NOW, &claims),
                     AUTH_BEARER_INVALID);
    assert_int_equal(auth_bearer_check("Bearer a.b.c", SECRET, NOW, &claims), AUTH_BEARER_INVALID);
    assert_int_equal(auth_bearer_check("Basic dXNlcjpwYXNz", SECRET, NOW, &claims),
                     AUTH_BEARER_INVALID);
    assert_int_equal(auth_bearer_check("", SECRET, NOW, &claims), AUTH_BEARER_INVALID);
    char huge[6000] = "Bearer ";
    memset(huge + 7, 'a', 5000);
    huge[5007] = '\0';
    assert_int_equal(auth_bearer_check(huge, SECRET, NOW, &claims), AUTH_BEARER_INVALID);
    free(tok);
}

static void test_decide(void **state)
{
    (void)state;
    int used;
    const char *code, *message;
    assert_int_equal(
        auth_bearer_decide(ROUTES_AUTH_NONE, AUTH_BEARER_INVALID, &used, &code, &message), 0);
    assert_int_equal(used, 0);
    assert_int_equal(
        auth_bearer_decide(ROUTES_AUTH_REQUIRED, AUTH_BEARER_OK, &used, &code, &message), 0);
    assert_int_equal(used, 1);
    assert_int_equal(
        auth_bearer_decide(ROUTES_AUTH_REQUIRED, AUTH_BEARER_ABSENT, &used, &code, &message), 401);
    assert_string_equal(code, "unauthorized");
    assert_int_equal(
        auth_bearer_decide(ROUTES_AUTH_REQUIRED, AUTH_BEARER_INVALID, &used, &code, &message), 401);
    assert_string_equal(code, "unauthorized");
    assert_int_equal(
        auth_bearer_decide(ROUTES_AUTH_REQUIRED, AUTH_BEARER_EXPIRED, &used, &code, &message), 401);
    assert_string_equal(code, "token_expired");
    assert_int_equal(
        auth_bearer_decide(ROUTES_AUTH_OPTIONAL, AUTH_BEARER_ABSENT, &used, &code, &message), 0);
    assert_int_equal(used, 0);
    assert_int_equal(
        auth_bearer_decide(ROUTES_AUTH_OPTIONAL, AUTH_BEARER_OK, &used, &code, &message), 0);
    assert_int_equal(used, 1);
    assert_int_equal(
        auth_bearer_decide(ROUTES_AUTH_OPTIONAL, AUTH_BEARER_INVALID, &used, &code, &message), 401);
    assert_string_equal(code, "unauthorized");
    assert_int_equal(
        auth_bearer_decide(ROUTES_AUTH_OPTIONAL, AUTH_BEARER_EXPIRED, &used, &code, &message), 401);
    assert_string_equal(code, "token_expired");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),    cmocka_unit_test(test_valid),
        cmocka_unit_test(test_expired),  cmocka_unit_test(test_alg_none),
        cmocka_unit_test(test_tampered), cmocka_unit_test(test_wrong_secret_missing_garbage),
        cmocka_unit_test(test_decide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
