/* e2e_login_me — POST /v1/auth/login and GET /v1/me against a real cluster:
 * the token pair and the access token's claims, invalid credentials, the full /v1/me
 * shape, and every way a bearer token is refused (missing, garbage, alg none,
 * tampered payload, wrong secret, expired, a session that is not the user's).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "cluster.h"
#include "fixture.h"
#include "http.h"
#include "ids.h"
#include "proc.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACCESS_TTL_S 900
#define CLOCK_SLACK_S 120

static cluster_t *s_cluster;
static const char *s_base;

static void test_login_returns_token_pair(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "login");
    http_response_t *r = fixture_login(s_base, u.email, u.password);
    expect_status(r, 200);
    json_t *body = expect_json_object(r);
    json_t *access = json_object_get(body, "access_token");
    json_t *refresh = json_object_get(body, "refresh_token");
    json_t *type = json_object_get(body, "token_type");
    json_t *expires = json_object_get(body, "expires_in");
    expect_that(r, json_is_string(access) && strchr(json_string_value(access), '.'),
                "access_token must be a JWT string");
    expect_that(r, json_is_string(refresh) && json_string_length(refresh) >= 16,
                "refresh_token must be an opaque string of some length");
    expect_that(r, json_is_string(type) && strcmp(json_string_value(type), "Bearer") == 0,
                "token_type must be \"Bearer\"");
    expect_that(r, json_is_integer(expires) && json_integer_value(expires) == ACCESS_TTL_S,
                "expires_in must be %d", ACCESS_TTL_S);
    /* Each login is a new session with its own tokens. */
    expect_that(r,
                strcmp(json_string_value(access), u.access) != 0 &&
                    strcmp(json_string_value(refresh), u.refresh) != 0,
                "a second login must issue different tokens");
    http_response_free(&r);
    check_test_passed();
}

static void test_access_token_claims(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "claims");
    json_t *header = fixture_jwt_part(u.access, 0), *claims = fixture_jwt_part(u.access, 1);
    assert_non_null(header);
    assert_non_null(claims);
    assert_string_equal(json_string_value(json_object_get(header, "alg")), "HS256");
    json_t *sub = json_object_get(claims, "sub"), *role = json_object_get(claims, "role");
    json_t *sid = json_object_get(claims, "sid"), *iat = json_object_get(claims, "iat");
    json_t *exp = json_object_get(claims, "exp");
    assert_true(json_is_string(sub));
    assert_string_equal(json_string_value(sub), u.id);
    assert_true(json_is_string(role));
    assert_string_equal(json_string_value(role), "user");
    assert_true(json_is_string(sid) && ids_is_uuid(json_string_value(sid)));
    assert_true(json_is_integer(iat) && json_is_integer(exp));
    long long now = (long long)time(NULL), t_iat = json_integer_value(iat);
    if (t_iat < now - CLOCK_SLACK_S || t_iat > now + CLOCK_SLACK_S)
        fail_msg("iat %lld is not close to now %lld", t_iat, now);
    assert_int_equal(json_integer_value(exp), t_iat + ACCESS_TTL_S);
    json_decref(header);
    json_decref(claims);
    check_test_passed();
}

static void test_login_invalid_credentials(void **state)
{
    (void)state;
    fixture_user_t u;
    char unknown[160];
    fixture_new_user(s_base, &u, "badlogin");
    fixture_unique_email(unknown, sizeof unknown, "nobody");

    http_response_t *wrong = fixture_login(s_base, u.email, "not the password");
    expect_error(wrong, 401, "invalid_credentials");
    http_response_t *missing = fixture_login(s_base, unknown, u.password);
    expect_error(missing, 401, "invalid_credentials");
    /* The two must not be told apart by their message either. */
    const char *m1 =
        json_string_value(json_object_get(json_object_get(wrong->json, "error"), "message"));
    const char *m2 =
        json_string_value(json_object_get(json_object_get(missing->json, "error"), "message"));
    expect_that(missing, m1 && m2 && strcmp(m1, m2) == 0,
                "wrong password and unknown email must carry the same message");
    http_response_free(&wrong);
    http_response_free(&missing);

    /* The password check is exact: a case change is a wrong password. */
    http_response_t *r = fixture_login(s_base, u.email, "CORRECT HORSE BATTERY");
    expect_error(r, 401, "invalid_credentials");
    http_response_free(&r);
    check_test_passed();
}

static bool s_matches(const char *text, const char *pattern)
{
    regex_t re;
    if (!text || regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static void s_expect_keys(const http_response_t *r, json_t *obj, const char *what,
                          const char *const *keys)
{
    expect_that(r, json_is_object(obj), "%s must be an object", what);
    for (const char *const *k = keys; *k; k++)
        expect_that(r, json_object_get(obj, *k) != NULL, "%s.%s is missing", what, *k);
}

static void test_me_full_shape(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "me");
    http_response_t *r = http_get(s_base, "/v1/me", u.access);
    expect_status(r, 200);
    json_t *me = expect_json_object(r);
    static const char *const top[] = {"id",          "email",      "role",
                                      "is_verified", "created_at", "profile",
                                      "preferences", "settings",   NULL};
    static const char *const profile[] = {"display_name", "avatar_url", "bio", NULL};
    static const char *const prefs[] = {"language", "region", NULL};
    static const char *const settings[] = {"privacy", "notifications", NULL};
    s_expect_keys(r, me, "me", top);
    s_expect_keys(r, json_object_get(me, "profile"), "profile", profile);
    s_expect_keys(r, json_object_get(me, "preferences"), "preferences", prefs);
    s_expect_keys(r, json_object_get(me, "settings"), "settings", settings);
    expect_that(r, strcmp(json_string_value(json_object_get(me, "id")), u.id) == 0, "id");
    expect_that(r, strcmp(json_string_value(json_object_get(me, "email")), u.email) == 0, "email");
    expect_that(r, strcmp(json_string_value(json_object_get(me, "role")), "user") == 0, "role");
    expect_that(r, json_is_false(json_object_get(me, "is_verified")), "is_verified must be false");
    const char *created = json_string_value(json_object_get(me, "created_at"));
    expect_that(r, s_matches(created, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"),
                "created_at must be ISO 8601 UTC like 2026-11-25T18:00:00Z");
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    expect_that(r, strptime(created, "%Y-%m-%dT%H:%M:%SZ", &tm) != NULL, "created_at parses");
    long long age = (long long)time(NULL) - (long long)timegm(&tm);
    expect_that(r, age > -CLOCK_SLACK_S && age < CLOCK_SLACK_S,
                "created_at must be about now (UTC), it is %lld s off", age);
    json_t *st = json_object_get(me, "settings");
    expect_that(r, json_is_string(json_object_get(st, "privacy")), "settings.privacy is a string");
    expect_that(r, json_is_boolean(json_object_get(st, "notifications")),
                "settings.notifications is a boolean");
    http_response_free(&r);
    check_test_passed();
}

static void s_expect_me_refused(const char *bearer, const char *code)
{
    http_response_t *r = http_get(s_base, "/v1/me", bearer);
    expect_error(r, 401, code);
    http_response_free(&r);
}

static void test_me_rejects_missing_or_malformed_bearer(void **state)
{
    (void)state;
    s_expect_me_refused(NULL, "unauthorized");
    s_expect_me_refused("garbage", "unauthorized");
    s_expect_me_refused("a.b.c", "unauthorized");
    s_expect_me_refused("", "unauthorized");
    const char *const headers[][2] = {
        {"Authorization: Basic dXNlcjpwYXNzd29yZA==", "Basic"},
        {"Authorization: Bearer", "Bearer without a token"},
        {"Authorization: bearer", "lower-case scheme without a token"},
    };
    char url[256];
    snprintf(url, sizeof url, "%s/v1/me", s_base);
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        const char *h[] = {headers[i][0], NULL};
        http_response_t *r = http_request("GET", url, h, NULL);
        expect_error(r, 401, "unauthorized");
        http_response_free(&r);
    }
    check_test_passed();
}

static char *s_claims_json(const fixture_user_t *u, const char *role, long long iat, long long exp)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I}", "sub", u->id, "role", role, "sid", u->sid,
                          "iat", (json_int_t)iat, "exp", (json_int_t)exp);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    assert_non_null(text);
    return text;
}

static void test_me_rejects_alg_none(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "algnone");
    long long now = (long long)time(NULL);
    char *claims = s_claims_json(&u, "user", now, now + ACCESS_TTL_S);
    char *none1 = fixture_jwt_build("{\"alg\":\"none\"}", claims, NULL, "");
    char *none2 = fixture_jwt_build("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, NULL, "");
    char *none3 = fixture_jwt_build("{\"alg\":\"None\",\"typ\":\"JWT\"}", claims, NULL, "");
    /* alg none even with a correct HS256 signature attached: the alg is pinned. */
    char *none4 = fixture_jwt_build("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims,
                                    cluster_secret(s_cluster), NULL);
    s_expect_me_refused(none1, "unauthorized");
    s_expect_me_refused(none2, "unauthorized");
    s_expect_me_refused(none3, "unauthorized");
    s_expect_me_refused(none4, "unauthorized");
    /* The same claims, properly signed, are accepted: the refusals were about alg. */
    char *good = fixture_jwt_build("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims,
                                   cluster_secret(s_cluster), NULL);
    http_response_t *r = http_get(s_base, "/v1/me", good);
    expect_status(r, 200);
    http_response_free(&r);
    free(claims), free(none1), free(none2), free(none3), free(none4), free(good);
    check_test_passed();
}

static void test_me_rejects_tampered_payload(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "tamper");
    json_t *claims = fixture_jwt_part(u.access, 1);
    assert_non_null(claims);
    json_object_set_new(claims, "role", json_string("admin"));
    char *payload = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);
    const char *sig = strrchr(u.access, '.') + 1;
    char *tampered = fixture_jwt_build("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, NULL, sig);
    s_expect_me_refused(tampered, "unauthorized");
    /* Flip one character of the signature of the real token. */
    char *flipped = strdup(u.access);
    char *last = flipped + strlen(flipped) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    s_expect_me_refused(flipped, "unauthorized");
    free(payload), free(tampered), free(flipped);
    check_test_passed();
}

static void test_me_rejects_wrong_secret(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "wrongsecret");
    long long now = (long long)time(NULL);
    char *jwt = fixture_token("this-is-not-the-cluster-secret-but-long-enough", u.id, "user", u.sid,
                              now, now + ACCESS_TTL_S);
    s_expect_me_refused(jwt, "unauthorized");
    free(jwt);
    check_test_passed();
}

static void test_me_expired_token(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "expired");
    long long now = (long long)time(NULL);
    char *jwt =
        fixture_token(cluster_secret(s_cluster), u.id, "user", u.sid, now - 2000, now - 1100);
    s_expect_me_refused(jwt, "token_expired");
    free(jwt);
    check_test_passed();
}

static void test_me_rejects_session_of_someone_else(void **state)
{
    (void)state;
    fixture_user_t a, b;
    char random_sid[37];
    fixture_new_user(s_base, &a, "sessA");
    fixture_new_user(s_base, &b, "sessB");
    fixture_uuid(random_sid);
    long long now = (long long)time(NULL);
    const char *secret = cluster_secret(s_cluster);
    /* Well-signed tokens whose session does not exist or belongs to another user. */
    char *no_session = fixture_token(secret, a.id, "user", random_sid, now, now + ACCESS_TTL_S);
    char *other_session = fixture_token(secret, a.id, "user", b.sid, now, now + ACCESS_TTL_S);
    s_expect_me_refused(no_session, "unauthorized");
    s_expect_me_refused(other_session, "unauthorized");
    /* A forged but correct token for a's own session works (the secret is right). */
    char *own = fixture_token(secret, a.id, "user", a.sid, now, now + ACCESS_TTL_S);
    http_response_t *r = http_get(s_base, "/v1/me", own);
    expect_status(r, 200);
    http_response_free(&r);
    free(no_session), free(other_session), free(own);
    check_test_passed();
}

static int s_setup(void **state)
{
    (void)state;
    check_test_begin(s_cluster);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    return check_test_end();
}

static int s_group_setup(void **state)
{
    (void)state;
    s_cluster = cluster_start(2);
    if (!s_cluster)
        return -1;
    s_base = cluster_base_url(s_cluster);
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    return cluster_stop(&s_cluster) == 0 ? 0 : -1;
}

int main(void)
{
    check_require_services();
    proc_watchdog(55);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_login_returns_token_pair, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_access_token_claims, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_login_invalid_credentials, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_me_full_shape, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_me_rejects_missing_or_malformed_bearer, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_me_rejects_alg_none, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_me_rejects_tampered_payload, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_me_rejects_wrong_secret, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_me_expired_token, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_me_rejects_session_of_someone_else, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests_name("e2e_login_me", tests, s_group_setup, s_group_teardown);
}
