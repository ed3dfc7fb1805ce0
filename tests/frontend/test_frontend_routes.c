/* Route matching: the real table (issue 2 routes) and a table shaped like the later
 * issues' (nested params, literal vs {param} at the same place, 404 vs 405 + Allow). */
#include "routes.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

static const routes_route_t s_table[] = {
    {"GET", "/v1/me/playlists/{id}/items/{position}", "items.get", ROUTES_AUTH_REQUIRED,
     ROUTES_BODY_NONE},
    {"DELETE", "/v1/me/playlists/{id}/items/{position}", "items.delete", ROUTES_AUTH_REQUIRED,
     ROUTES_BODY_NONE},
    {"PUT", "/v1/me/playlists/{id}/items", "items.replace", ROUTES_AUTH_REQUIRED,
     ROUTES_BODY_OBJECT},
    {"GET", "/v1/tracks/{id}", "tracks.get", ROUTES_AUTH_OPTIONAL, ROUTES_BODY_NONE},
    {"GET", "/v1/tracks/{id}/links", "tracks.links", ROUTES_AUTH_OPTIONAL, ROUTES_BODY_NONE},
    {"POST", "/v1/tracks/search", "tracks.search", ROUTES_AUTH_NONE, ROUTES_BODY_OBJECT},
    {"GET", "/v1/me/{section}", "me.section", ROUTES_AUTH_REQUIRED, ROUTES_BODY_NONE},
    {"GET", "/v1/me/sessions", "me.sessions", ROUTES_AUTH_REQUIRED, ROUTES_BODY_NONE},
    {"PUT", "/v1/me/favorites/{type}/{id}", "fav.put", ROUTES_AUTH_REQUIRED, ROUTES_BODY_NONE},
    {"DELETE", "/v1/me/favorites/{type}/{id}", "fav.delete", ROUTES_AUTH_REQUIRED,
     ROUTES_BODY_NONE},
};
#define TABLE_LEN (sizeof s_table / sizeof s_table[0])

static routes_status_t s_match(const char *method, const char *path, json_t *params,
                               routes_result_t *out)
{
    return routes_match_in(s_table, TABLE_LEN, method, path, params, out);
}

static const char *s_param(json_t *params, const char *name)
{
    return json_string_value(json_object_get(params, name));
}

static void test_issue2_routes(void **state)
{
    (void)state;
    routes_result_t r;
    json_t *params = json_object();
    assert_int_equal(routes_match("POST", "/v1/auth/login", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "auth.login");
    assert_int_equal(r.route->auth, ROUTES_AUTH_NONE);
    assert_int_equal(r.route->body, ROUTES_BODY_OBJECT);
    assert_int_equal(routes_match("POST", "/v1/auth/register", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "auth.register");
    assert_int_equal(routes_match("POST", "/v1/auth/refresh", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "auth.refresh");
    assert_int_equal(routes_match("POST", "/v1/auth/logout", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "auth.logout");
    assert_int_equal(r.route->auth, ROUTES_AUTH_REQUIRED);
    assert_int_equal(routes_match("GET", "/v1/me", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "me.get");
    assert_int_equal(r.route->auth, ROUTES_AUTH_REQUIRED);
    assert_int_equal(routes_match("GET", "/healthz", params, &r), ROUTES_MATCHED);
    assert_int_equal(routes_match("GET", "/readyz", params, &r), ROUTES_MATCHED);
    assert_int_equal(routes_match("GET", "/metrics", params, &r), ROUTES_MATCHED);
    assert_int_equal(json_object_size(params), 0);
    json_decref(params);
}

static void test_issue2_404_405(void **state)
{
    (void)state;
    routes_result_t r;
    assert_int_equal(routes_match("GET", "/v1/auth/login", NULL, &r), ROUTES_METHOD_NOT_ALLOWED);
    assert_string_equal(r.allow, "POST");
    assert_null(r.route);
    assert_int_equal(r.index, -1);
    assert_int_equal(routes_match("PUT", "/v1/me", NULL, &r), ROUTES_METHOD_NOT_ALLOWED);
    assert_string_equal(r.allow, "GET, PATCH, DELETE");
    assert_int_equal(routes_match("GET", "/v1/nope", NULL, &r), ROUTES_NOT_FOUND);
    assert_int_equal(routes_match("GET", "/", NULL, &r), ROUTES_NOT_FOUND);
    assert_int_equal(routes_match("GET", "", NULL, &r), ROUTES_NOT_FOUND);
    assert_int_equal(routes_match("GET", "v1/me", NULL, &r), ROUTES_NOT_FOUND);
    assert_int_equal(routes_match("GET", "/v1/me/", NULL, &r), ROUTES_NOT_FOUND);
    assert_int_equal(routes_match("GET", "//v1/me", NULL, &r), ROUTES_NOT_FOUND);
    assert_int_equal(routes_match("GET", "/V1/ME", NULL, &r), ROUTES_NOT_FOUND);
    assert_int_equal(routes_match("get", "/v1/me", NULL, &r), ROUTES_METHOD_NOT_ALLOWED);
    assert_int_equal(routes_match(NULL, "/v1/me", NULL, &r), ROUTES_NOT_FOUND);
}

static void test_nested_params(void **state)
{
    (void)state;
    routes_result_t r;
    json_t *params = json_object();
    assert_int_equal(s_match("GET", "/v1/me/playlists/abc/items/3", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "items.get");
    assert_int_equal(r.index, 0);
    assert_string_equal(s_param(params, "id"), "abc");
    assert_string_equal(s_param(params, "position"), "3");
    assert_int_equal(json_object_size(params), 2);
    json_object_clear(params);
    assert_int_equal(s_match("DELETE", "/v1/me/playlists/p1/items/0", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "items.delete");
    assert_int_equal(s_match("PATCH", "/v1/me/playlists/p1/items/0", NULL, &r),
                     ROUTES_METHOD_NOT_ALLOWED);
    assert_string_equal(r.allow, "GET, DELETE");
    assert_int_equal(s_match("GET", "/v1/me/playlists/p1/items", NULL, &r),
                     ROUTES_METHOD_NOT_ALLOWED);
    assert_string_equal(r.allow, "PUT");
    assert_int_equal(s_match("GET", "/v1/me/playlists/p1/items/0/x", NULL, &r), ROUTES_NOT_FOUND);
    json_object_clear(params);
    assert_int_equal(
        s_match("PUT", "/v1/me/favorites/track/spotify:4uLU6hMCjMI75M1A2tKUQC", params, &r),
        ROUTES_MATCHED);
    assert_string_equal(s_param(params, "type"), "track");
    assert_string_equal(s_param(params, "id"), "spotify:4uLU6hMCjMI75M1A2tKUQC");
    json_decref(params);
}

static void test_param_decoding(void **state)
{
    (void)state;
    routes_result_t r;
    json_t *params = json_object();
    assert_int_equal(s_match("GET", "/v1/tracks/spotify%3A4uLU", params, &r), ROUTES_MATCHED);
    assert_string_equal(s_param(params, "id"), "spotify:4uLU");
    /* an encoded slash stays inside its segment */
    assert_int_equal(s_match("GET", "/v1/tracks/a%2Fb", params, &r), ROUTES_MATCHED);
    assert_string_equal(s_param(params, "id"), "a/b");
    assert_int_equal(s_match("GET", "/v1/tracks/a%2Fb/links", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "tracks.links");
    /* '+' is literal in a path */
    assert_int_equal(s_match("GET", "/v1/tracks/a+b%20c", params, &r), ROUTES_MATCHED);
    assert_string_equal(s_param(params, "id"), "a+b c");
    assert_int_equal(s_match("GET", "/v1/tracks/caf%C3%A9", params, &r), ROUTES_MATCHED);
    assert_string_equal(s_param(params, "id"), "caf\xc3\xa9");
    assert_int_equal(s_match("GET", "/v1/tracks/%zz", params, &r), ROUTES_MATCHED);
    assert_string_equal(s_param(params, "id"), "%zz");
    assert_int_equal(s_match("GET", "/v1/tracks/a%00b", params, &r), ROUTES_BAD_PARAM);
    assert_string_equal(r.bad_param, "id");
    assert_null(r.route);
    assert_int_equal(s_match("GET", "/v1/tracks/%FF", params, &r), ROUTES_BAD_PARAM);
    assert_string_equal(r.bad_param, "id");
    json_decref(params);
}

static void test_empty_segments(void **state)
{
    (void)state;
    routes_result_t r;
    assert_int_equal(s_match("GET", "/v1/tracks/", NULL, &r), ROUTES_NOT_FOUND);
    assert_int_equal(s_match("GET", "/v1/tracks//links", NULL, &r), ROUTES_NOT_FOUND);
    assert_int_equal(s_match("GET", "/v1/tracks/x/", NULL, &r), ROUTES_NOT_FOUND);
    char deep[512] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "/a");
    assert_int_equal(s_match("GET", deep, NULL, &r), ROUTES_NOT_FOUND);
}

static void test_specificity(void **state)
{
    (void)state;
    routes_result_t r;
    json_t *params = json_object();
    /* literal beats {param}, whatever the table order */
    assert_int_equal(s_match("GET", "/v1/me/sessions", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "me.sessions");
    assert_int_equal(json_object_size(params), 0);
    assert_int_equal(s_match("GET", "/v1/me/history", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "me.section");
    assert_string_equal(s_param(params, "section"), "history");
    /* the literal has no GET: the {param} route with GET serves it */
    json_object_clear(params);
    assert_int_equal(s_match("GET", "/v1/tracks/search", params, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "tracks.get");
    assert_string_equal(s_param(params, "id"), "search");
    assert_int_equal(s_match("POST", "/v1/tracks/search", NULL, &r), ROUTES_MATCHED);
    assert_string_equal(r.route->op, "tracks.search");
    assert_int_equal(s_match("DELETE", "/v1/tracks/search", NULL, &r), ROUTES_METHOD_NOT_ALLOWED);
    assert_string_equal(r.allow, "GET, POST");
    json_decref(params);
}

static void test_table_is_sane(void **state)
{
    (void)state;
    size_t count;
    const routes_route_t *t = routes_table(&count);
    assert_true(count >= 8);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(t[i].pattern[0], '/');
        assert_true(strlen(t[i].op) > 0 && strlen(t[i].op) < 64);
        for (size_t j = i + 1; j < count; j++)
            assert_false(strcmp(t[i].method, t[j].method) == 0 &&
                         strcmp(t[i].pattern, t[j].pattern) == 0);
        /* every route is reachable: matching its own pattern finds it */
        routes_result_t r;
        if (!strchr(t[i].pattern, '{')) {
            assert_int_equal(routes_match(t[i].method, t[i].pattern, NULL, &r), ROUTES_MATCHED);
            assert_ptr_equal(r.route, &t[i]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue2_routes),  cmocka_unit_test(test_issue2_404_405),
        cmocka_unit_test(test_nested_params),  cmocka_unit_test(test_param_decoding),
        cmocka_unit_test(test_empty_segments), cmocka_unit_test(test_specificity),
        cmocka_unit_test(test_table_is_sane),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
