/* e2e_session — refresh-token rotation, reuse detection and logout against a real
 * cluster: a refresh gives a new pair in the same session; presenting a used refresh
 * token again is refused AND revokes the session (its newest access and refresh
 * tokens stop working); logout revokes at once and only that session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "cluster.h"
#include "fixture.h"
#include "http.h"
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cluster_t *s_cluster;
static const char *s_base;

static http_response_t *s_refresh(const char *refresh_token)
{
    json_t *o = json_pack("{s:s}", "refresh_token", refresh_token);
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    assert_non_null(body);
    http_response_t *r = http_post(s_base, "/v1/auth/refresh", NULL, body);
    free(body);
    return r;
}

static void s_expect_me(const char *access, long status)
{
    http_response_t *r = http_get(s_base, "/v1/me", access);
    if (status == 200)
        expect_status(r, 200);
    else
        expect_error(r, status, "unauthorized");
    http_response_free(&r);
}

/* Refreshes u's session: expects 200 and stores the new pair in *u. */
static void s_rotate(fixture_user_t *u)
{
    http_response_t *r = s_refresh(u->refresh);
    expect_status(r, 200);
    json_t *body = expect_json_object(r);
    json_t *access = json_object_get(body, "access_token");
    json_t *refresh = json_object_get(body, "refresh_token");
    json_t *type = json_object_get(body, "token_type");
    json_t *expires = json_object_get(body, "expires_in");
    expect_that(r, json_is_string(access) && json_is_string(refresh), "a new pair");
    expect_that(r, json_is_string(type) && strcmp(json_string_value(type), "Bearer") == 0,
                "token_type Bearer");
    expect_that(r, json_is_integer(expires) && json_integer_value(expires) == 900,
                "expires_in 900");
    expect_that(r, strcmp(json_string_value(refresh), u->refresh) != 0,
                "the refresh token must rotate");
    json_t *claims = fixture_jwt_part(json_string_value(access), 1);
    const char *sid = json_string_value(json_object_get(claims, "sid"));
    expect_that(r, sid && strcmp(sid, u->sid) == 0, "a refresh stays in the same session");
    json_decref(claims);
    snprintf(u->access, sizeof u->access, "%s", json_string_value(access));
    snprintf(u->refresh, sizeof u->refresh, "%s", json_string_value(refresh));
    http_response_free(&r);
}

static void test_refresh_rotates_pair(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "refresh");
    char first_refresh[FIXTURE_TOKEN_MAX];
    snprintf(first_refresh, sizeof first_refresh, "%s", u.refresh);
    s_rotate(&u);
    s_expect_me(u.access, 200);
    s_rotate(&u); /* the new refresh token works in its turn */
    s_expect_me(u.access, 200);
    assert_string_not_equal(first_refresh, u.refresh);
    check_test_passed();
}

static void test_refresh_reuse_revokes_session(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "reuse");
    char a1[FIXTURE_TOKEN_MAX], r1[FIXTURE_TOKEN_MAX];
    snprintf(a1, sizeof a1, "%s", u.access);
    snprintf(r1, sizeof r1, "%s", u.refresh);
    s_rotate(&u); /* u now holds A2, R2; R1 is used */
    s_expect_me(u.access, 200);

    http_response_t *r = s_refresh(r1);
    expect_error(r, 401, "invalid_token");
    http_response_free(&r);

    /* The whole session is revoked: the newest access token, the older one and the
     * newest refresh token all fail now. */
    s_expect_me(u.access, 401);
    s_expect_me(a1, 401);
    r = s_refresh(u.refresh);
    expect_error(r, 401, "invalid_token");
    http_response_free(&r);

    /* A new login still works: the user is not locked out. */
    fixture_relogin(s_base, &u);
    s_expect_me(u.access, 200);
    check_test_passed();
}

static void test_refresh_rejects_unknown_token(void **state)
{
    (void)state;
    const char *unknown[] = {"thisisnotarefreshtokenatallbutitislongenough", "x", NULL};
    for (const char **t = unknown; *t; t++) {
        http_response_t *r = s_refresh(*t);
        expect_error(r, 401, "invalid_token");
        http_response_free(&r);
    }
    /* An access token is not a refresh token. */
    fixture_user_t u;
    fixture_new_user(s_base, &u, "refresh-access");
    http_response_t *r = s_refresh(u.access);
    expect_error(r, 401, "invalid_token");
    http_response_free(&r);
    check_test_passed();
}

static void test_logout_revokes_at_once(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "logout");
    s_expect_me(u.access, 200);
    http_response_t *r = http_post(s_base, "/v1/auth/logout", u.access, NULL);
    expect_status(r, 204);
    expect_that(r, r->body_len == 0, "a 204 has no body");
    http_response_free(&r);

    s_expect_me(u.access, 401);
    r = s_refresh(u.refresh);
    expect_error(r, 401, "invalid_token");
    http_response_free(&r);
    r = http_post(s_base, "/v1/auth/logout", u.access, NULL);
    expect_error(r, 401, "unauthorized");
    http_response_free(&r);
    check_test_passed();
}

static void test_logout_keeps_other_sessions(void **state)
{
    (void)state;
    fixture_user_t phone, laptop;
    fixture_new_user(s_base, &phone, "twosessions");
    laptop = phone;
    fixture_relogin(s_base, &laptop);
    assert_string_not_equal(phone.sid, laptop.sid);

    http_response_t *r = http_post(s_base, "/v1/auth/logout", phone.access, NULL);
    expect_status(r, 204);
    http_response_free(&r);
    s_expect_me(phone.access, 401);
    s_expect_me(laptop.access, 200);
    s_rotate(&laptop);
    s_expect_me(laptop.access, 200);
    check_test_passed();
}

static void test_logout_requires_bearer(void **state)
{
    (void)state;
    http_response_t *r = http_post(s_base, "/v1/auth/logout", NULL, NULL);
    expect_error(r, 401, "unauthorized");
    http_response_free(&r);
    r = http_post(s_base, "/v1/auth/logout", "not.a.token", NULL);
    expect_error(r, 401, "unauthorized");
    http_response_free(&r);
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
        cmocka_unit_test_setup_teardown(test_refresh_rotates_pair, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_refresh_reuse_revokes_session, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_refresh_rejects_unknown_token, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_logout_revokes_at_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_logout_keeps_other_sessions, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_logout_requires_bearer, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("e2e_session", tests, s_group_setup, s_group_teardown);
}
