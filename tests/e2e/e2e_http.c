/* e2e_http — the frontend's HTTP-level behaviour against a real cluster: request ids
 * on every response, the exact error shape, 413 / 400 invalid_json / 415 / 405 (Allow)
 * / 404, and the operations endpoints /healthz, /readyz and /metrics.
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
#include <strings.h>

#define MIB 1048576
#define N_WORKERS 2

static cluster_t *s_cluster;
static const char *s_base;

static http_response_t *s_send(const char *method, const char *path, const char *body,
                               size_t body_len, const char *content_type)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", s_base, path);
    http_request_t req = {.method = method,
                          .url = url,
                          .body = body,
                          .body_len = body_len,
                          .content_type = content_type};
    return http_do(&req);
}

static void test_healthz(void **state)
{
    (void)state;
    http_response_t *r = http_get(s_base, "/healthz", NULL);
    expect_status(r, 200);
    json_t *body = expect_json_object(r);
    const char *status = json_string_value(json_object_get(body, "status"));
    expect_that(r, status && strcmp(status, "ok") == 0, "/healthz is {\"status\":\"ok\"}");
    http_response_free(&r);
    check_test_passed();
}

static void test_readyz(void **state)
{
    (void)state;
    http_response_t *r = http_get(s_base, "/readyz", NULL);
    expect_status(r, 200);
    json_t *body = expect_json_object(r);
    const char *status = json_string_value(json_object_get(body, "status"));
    json_t *workers = json_object_get(body, "workers");
    expect_that(r, status && strcmp(status, "ready") == 0, "status must be \"ready\"");
    expect_that(r, json_is_integer(workers) && json_integer_value(workers) == N_WORKERS,
                "workers must be %d", N_WORKERS);
    http_response_free(&r);
    check_test_passed();
}

/* A Prometheus sample line: name{labels} value. */
static bool s_has_sample(const char *text)
{
    for (const char *line = text; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (*line == '#' || *line == '\n')
            continue;
        const char *sp = strchr(line, ' ');
        const char *nl = strchr(line, '\n');
        if (sp && (!nl || sp < nl) && sp > line)
            return true;
    }
    return false;
}

static void test_metrics(void **state)
{
    (void)state;
    /* Some traffic first, so that counters have something to count. */
    http_response_t *r = http_get(s_base, "/healthz", NULL);
    http_response_free(&r);
    r = http_get(s_base, "/metrics", NULL);
    expect_status(r, 200);
    const char *ct = http_header(r, "Content-Type");
    expect_that(r, ct && strncasecmp(ct, "text/plain", 10) == 0,
                "Prometheus text is served as text/plain");
    expect_that(r, strstr(r->body, "# TYPE ") != NULL && strstr(r->body, " counter\n") != NULL,
                "at least one counter with a # TYPE line");
    expect_that(r, s_has_sample(r->body), "at least one sample line");
    http_response_free(&r);
    check_test_passed();
}

static void test_request_ids_unique(void **state)
{
    (void)state;
    http_response_t *a = http_get(s_base, "/healthz", NULL);
    http_response_t *b = http_get(s_base, "/healthz", NULL);
    expect_status(a, 200);
    expect_status(b, 200);
    expect_that(b, strcmp(http_header(a, "X-Request-Id"), http_header(b, "X-Request-Id")) != 0,
                "two requests must get two different request ids");
    http_response_free(&a);
    http_response_free(&b);
    check_test_passed();
}

static void test_not_found(void **state)
{
    (void)state;
    const char *paths[] = {"/v1/nope", "/v1/auth/nope", "/", "/v2/me", NULL};
    for (const char **p = paths; *p; p++) {
        http_response_t *r = http_get(s_base, *p, NULL);
        expect_error(r, 404, "not_found");
        http_response_free(&r);
    }
    http_response_t *r = http_post(s_base, "/v1/nope", NULL, "{}");
    expect_error(r, 404, "not_found");
    http_response_free(&r);
    check_test_passed();
}

static void s_expect_405(const char *method, const char *path, const char *allowed)
{
    http_response_t *r = s_send(method, path, NULL, 0, NULL);
    expect_error(r, 405, "method_not_allowed");
    const char *allow = http_header(r, "Allow");
    expect_that(r, allow && strstr(allow, allowed), "Allow must contain %s", allowed);
    http_response_free(&r);
}

static void test_method_not_allowed(void **state)
{
    (void)state;
    s_expect_405("GET", "/v1/auth/login", "POST");
    s_expect_405("GET", "/v1/auth/register", "POST");
    s_expect_405("GET", "/v1/auth/refresh", "POST");
    s_expect_405("GET", "/v1/auth/logout", "POST");
    s_expect_405("PUT", "/v1/auth/login", "POST");
    s_expect_405("POST", "/v1/me", "GET");
    check_test_passed();
}

/* A register body of exactly len bytes: valid JSON, padded with an extra field. */
static char *s_register_body_of(size_t len)
{
    char email[160];
    fixture_unique_email(email, sizeof email, "bigbody");
    char *big = malloc(len + 1);
    assert_non_null(big);
    int head = snprintf(big, len, "{\"email\":\"%s\",\"password\":\"%s\",\"pad\":\"", email,
                        FIXTURE_PASSWORD);
    memset(big + head, 'b', len - (size_t)head - 2);
    memcpy(big + len - 2, "\"}", 3);
    return big;
}

static void s_expect_handled(size_t len, bool chunked)
{
    char *body = s_register_body_of(len);
    char url[256];
    snprintf(url, sizeof url, "%s/v1/auth/register", s_base);
    http_request_t req = {
        .method = "POST", .url = url, .body = body, .body_len = len, .chunked = chunked};
    http_response_t *r = http_do(&req);
    expect_that(r, r->status == 201 || r->status == 400,
                "a %zu-byte JSON object%s is within the limit and must be handled (201, or 400 "
                "for the unknown field), not %ld",
                len, chunked ? " (chunked)" : "", r->status);
    expect_request_id(r);
    http_response_free(&r);
    free(body);
}

static void test_payload_too_large(void **state)
{
    (void)state;
    char *big = malloc(MIB + 2);
    assert_non_null(big);
    /* A JSON string of 1 MiB + 1 bytes in all. */
    memset(big, 'a', MIB + 1);
    big[0] = '"';
    big[MIB] = '"';
    big[MIB + 1] = '\0';
    http_response_t *r = s_send("POST", "/v1/auth/register", big, MIB + 1, NULL);
    expect_error(r, 413, "payload_too_large");
    http_response_free(&r);
    free(big);
    /* The server is fine afterwards. */
    r = http_get(s_base, "/healthz", NULL);
    expect_status(r, 200);
    http_response_free(&r);
    check_test_passed();
}

static void test_payload_too_large_chunked(void **state)
{
    (void)state;
    /* Without a Content-Length the limit applies to the bytes actually read. */
    size_t len = MIB + 4096;
    char *big = s_register_body_of(len);
    char url[256];
    snprintf(url, sizeof url, "%s/v1/auth/register", s_base);
    http_request_t req = {
        .method = "POST", .url = url, .body = big, .body_len = len, .chunked = true};
    http_response_t *r = http_do(&req);
    expect_error(r, 413, "payload_too_large");
    http_response_free(&r);
    free(big);
    check_test_passed();
}

static void test_payload_at_limit_is_handled(void **state)
{
    (void)state;
    s_expect_handled(MIB - 64, false);
    s_expect_handled(MIB, false); /* "over 1 MiB" is refused; exactly 1 MiB is not */
    s_expect_handled(MIB - 64, true);
    check_test_passed();
}

static void test_invalid_json(void **state)
{
    (void)state;
    const char *bodies[] = {"{bad", "[1,2]", "{\"email\":\"a@b.c\",", "\"just a string\"", "42",
                            "null", NULL};
    for (const char **b = bodies; *b; b++) {
        http_response_t *r = s_send("POST", "/v1/auth/login", *b, 0, NULL);
        expect_error(r, 400, "invalid_json");
        http_response_free(&r);
    }
    http_response_t *r = s_send("POST", "/v1/auth/register", "[]", 0, NULL);
    expect_error(r, 400, "invalid_json");
    http_response_free(&r);
    check_test_passed();
}

static void test_unsupported_media_type(void **state)
{
    (void)state;
    char *creds = fixture_credentials("someone@example.com", FIXTURE_PASSWORD);
    const char *types[] = {"text/plain", "application/x-www-form-urlencoded", "application/xml",
                           NULL};
    for (const char **t = types; *t; t++) {
        http_response_t *r = s_send("POST", "/v1/auth/login", creds, 0, *t);
        expect_error(r, 415, "unsupported_media_type");
        http_response_free(&r);
    }
    /* application/json with a charset parameter is JSON. */
    http_response_t *r =
        s_send("POST", "/v1/auth/login", creds, 0, "application/json; charset=utf-8");
    expect_error(r, 401, "invalid_credentials");
    http_response_free(&r);
    free(creds);
    check_test_passed();
}

static void test_error_shape_passes_worker_errors_through(void **state)
{
    (void)state;
    /* A worker error (409) keeps its status and code, in the frontend's error shape. */
    fixture_user_t u;
    fixture_new_user(s_base, &u, "shape");
    http_response_t *r = fixture_register(s_base, u.email, FIXTURE_PASSWORD);
    expect_error(r, 409, "email_taken");
    http_response_free(&r);
    /* A success carries the request id too. */
    r = http_get(s_base, "/v1/me", u.access);
    expect_status(r, 200);
    expect_json_object(r);
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
    s_cluster = cluster_start(N_WORKERS);
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
        cmocka_unit_test_setup_teardown(test_healthz, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_readyz, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_metrics, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_request_ids_unique, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_not_found, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_method_not_allowed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_payload_too_large, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_payload_too_large_chunked, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_payload_at_limit_is_handled, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_json, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_media_type, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_error_shape_passes_worker_errors_through, s_setup,
                                        s_teardown),
    };
    return cmocka_run_group_tests_name("e2e_http", tests, s_group_setup, s_group_teardown);
}
