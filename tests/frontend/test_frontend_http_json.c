/* Body decisions (size, media type, JSON) and the response bytes (error shape,
 * headers, Retry-After, 204). */
#include "bridge.h"
#include "http_json.h"
#include "local_ops.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

static void test_length(void **state)
{
    (void)state;
    assert_int_equal(http_json_check_length(-1, HTTP_JSON_MAX_BODY), 0);
    assert_int_equal(http_json_check_length(0, HTTP_JSON_MAX_BODY), 0);
    assert_int_equal(http_json_check_length(1048576, HTTP_JSON_MAX_BODY), 0);
    assert_int_equal(http_json_check_length(1048577, HTTP_JSON_MAX_BODY), -1);
    assert_int_equal(http_json_check_length(1LL << 40, HTTP_JSON_MAX_BODY), -1);
}

static void test_content_type(void **state)
{
    (void)state;
    assert_true(http_json_content_type_ok(NULL));
    assert_true(http_json_content_type_ok("application/json"));
    assert_true(http_json_content_type_ok("application/json; charset=utf-8"));
    assert_true(http_json_content_type_ok("Application/JSON;charset=UTF-8"));
    assert_true(http_json_content_type_ok("  application/json  ; x=y"));
    assert_false(http_json_content_type_ok(""));
    assert_false(http_json_content_type_ok("text/plain"));
    assert_false(http_json_content_type_ok("application/jsonx"));
    assert_false(http_json_content_type_ok("application/json-patch+json"));
    assert_false(http_json_content_type_ok("application/x-www-form-urlencoded"));
    assert_false(http_json_content_type_ok("multipart/form-data; boundary=x"));
}

static int s_parse(const char *text, routes_body_t policy, json_t **out, envelope_reply_t *err)
{
    envelope_reply_init(err);
    return http_json_parse_body(text, text ? strlen(text) : 0, policy, out, err);
}

static void test_parse_body(void **state)
{
    (void)state;
    json_t *v;
    envelope_reply_t err;
    assert_int_equal(s_parse("{\"a\":1}", ROUTES_BODY_NONE, &v, &err), 0);
    assert_null(v);
    assert_int_equal(s_parse("{\"a\":1}", ROUTES_BODY_OBJECT, &v, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
    json_decref(v);
    assert_int_equal(s_parse(NULL, ROUTES_BODY_OPTIONAL_OBJECT, &v, &err), 0);
    assert_null(v);
    assert_int_equal(s_parse(NULL, ROUTES_BODY_OBJECT, &v, &err), -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.error_code, "invalid_json");
    envelope_reply_clear(&err);
    const char *not_objects[] = {"[1,2]", "\"s\"", "42", "null", "true"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(s_parse(not_objects[i], ROUTES_BODY_OBJECT, &v, &err), -1);
        assert_int_equal(err.status, 400);
        assert_string_equal(err.error_code, "invalid_json");
        assert_null(err.error_details);
        envelope_reply_clear(&err);
    }
}

static void test_parse_body_syntax(void **state)
{
    (void)state;
    json_t *v;
    envelope_reply_t err;
    assert_int_equal(s_parse("{\n  \"a\": 1,\n  \"a\": 2\n}", ROUTES_BODY_OBJECT, &v, &err), -1);
    assert_string_equal(err.error_code, "invalid_json");
    assert_int_equal(json_integer_value(json_object_get(err.error_details, "line")), 3);
    assert_true(json_is_integer(json_object_get(err.error_details, "column")));
    envelope_reply_clear(&err);
    assert_int_equal(s_parse("{\"a\": }", ROUTES_BODY_OPTIONAL_OBJECT, &v, &err), -1);
    assert_int_equal(err.status, 400);
    assert_int_equal(json_integer_value(json_object_get(err.error_details, "line")), 1);
    assert_int_equal(json_integer_value(json_object_get(err.error_details, "column")), 7);
    envelope_reply_clear(&err);
    assert_int_equal(s_parse("{} trailing", ROUTES_BODY_OBJECT, &v, &err), -1);
    envelope_reply_clear(&err);
    assert_int_equal(http_json_parse_body("{\"a\":\"\0\"}", 9, ROUTES_BODY_OBJECT, &v, &err),
                     -1); /* NUL inside: refused */
    envelope_reply_clear(&err);
}

/* Splits a rendered response; returns the body (pointer into buf). */
static const char *s_body(const char *buf)
{
    const char *end = strstr(buf, "\r\n\r\n");
    assert_non_null(end);
    return end + 4;
}

static char *s_render(const envelope_reply_t *rep, const json_t *extra, const char *conn)
{
    size_t len;
    char *out = http_json_render(rep, "00112233445566778899aabbccddeeff", extra, conn, &len);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    return out;
}

static void test_error_shape(void **state)
{
    (void)state;
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    envelope_reply_set_error(&rep, 404, "not_found", "no such endpoint", NULL);
    char *out = s_render(&rep, NULL, NULL);
    assert_non_null(strstr(out, "HTTP/1.1 404 Not Found\r\n"));
    assert_non_null(strstr(out, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(out, "\r\nX-Request-Id: 00112233445566778899aabbccddeeff\r\n"));
    assert_null(strstr(out, "Connection:"));
    assert_string_equal(s_body(out), "{\"error\":{\"code\":\"not_found\",\"message\":\"no such "
                                     "endpoint\"},\"request_id\":"
                                     "\"00112233445566778899aabbccddeeff\"}");
    char cl[64];
    snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", strlen(s_body(out)));
    assert_non_null(strstr(out, cl));
    free(out);
    envelope_reply_set_error(&rep, 400, "invalid_json", "bad", json_pack("{s:i}", "line", 2));
    out = s_render(&rep, NULL, "close");
    assert_string_equal(s_body(out), "{\"error\":{\"code\":\"invalid_json\",\"message\":\"bad\","
                                     "\"details\":{\"line\":2}},\"request_id\":"
                                     "\"00112233445566778899aabbccddeeff\"}");
    assert_non_null(strstr(out, "\r\nConnection: close\r\n"));
    free(out);
    envelope_reply_clear(&rep);
    /* an error status without a code gets the default one */
    rep.status = 500;
    out = s_render(&rep, NULL, NULL);
    assert_non_null(strstr(s_body(out), "\"code\":\"internal\",\"message\":\"internal\""));
    free(out);
    envelope_reply_clear(&rep);
}

static void test_retry_after(void **state)
{
    (void)state;
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    envelope_reply_set_error(&rep, 503, "overloaded", "busy", NULL);
    char *out = s_render(&rep, NULL, NULL);
    assert_non_null(strstr(out, "\r\nRetry-After: 1\r\n"));
    free(out);
    rep.headers = json_pack("{s:s}", "retry-after", "7");
    out = s_render(&rep, NULL, NULL);
    assert_non_null(strstr(out, "\r\nRetry-After: 7\r\n"));
    assert_null(strstr(out, "Retry-After: 1\r\n"));
    free(out);
    envelope_reply_clear(&rep);
    envelope_reply_set_error(&rep, 504, "timeout", "late", NULL);
    out = s_render(&rep, NULL, NULL);
    assert_null(strstr(out, "Retry-After"));
    free(out);
    envelope_reply_clear(&rep);
}

static void test_headers_and_data(void **state)
{
    (void)state;
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    rep.status = 200;
    rep.data = json_pack("{s:s}", "id", "local:42");
    rep.headers = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "x-cache", "hit", "content-type",
                            "text/html", "x-evil", "a\r\nSet-Cookie: x=1", "bad name", "v",
                            "x-number", 5, "X-REQUEST-ID", "forged");
    json_t *extra = json_pack("{s:s, s:s}", "allow", "GET, POST", "www-authenticate", "Bearer");
    char *out = s_render(&rep, extra, "keep-alive");
    assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "\r\nX-Cache: hit\r\n"));
    assert_non_null(strstr(out, "\r\nAllow: GET, POST\r\n"));
    assert_non_null(strstr(out, "\r\nWWW-Authenticate: Bearer\r\n"));
    assert_non_null(strstr(out, "\r\nConnection: keep-alive\r\n"));
    assert_null(strstr(out, "text/html"));
    assert_null(strstr(out, "Set-Cookie"));
    assert_null(strstr(out, "bad name"));
    assert_null(strstr(out, "X-Number"));
    assert_null(strstr(out, "forged"));
    assert_string_equal(s_body(out), "{\"id\":\"local:42\"}");
    free(out);
    json_decref(extra);
    envelope_reply_clear(&rep);
    rep.status = 200; /* no data: JSON null */
    out = s_render(&rep, NULL, NULL);
    assert_string_equal(s_body(out), "null");
    assert_non_null(strstr(out, "Content-Length: 4\r\n"));
    free(out);
    rep.status = 204;
    rep.data = json_pack("{}");
    out = s_render(&rep, NULL, NULL);
    assert_non_null(strstr(out, "HTTP/1.1 204 No Content\r\n"));
    assert_null(strstr(out, "Content-Length"));
    assert_string_equal(s_body(out), "");
    assert_non_null(strstr(out, "Content-Type: application/json"));
    free(out);
    envelope_reply_clear(&rep);
}

static void test_raw_and_status_text(void **state)
{
    (void)state;
    size_t len;
    char *out =
        http_json_render_raw(200, "text/plain; version=0.0.4", "a 1\n", 4, "ab", NULL, NULL, &len);
    assert_non_null(strstr(out, "Content-Type: text/plain; version=0.0.4\r\n"));
    assert_non_null(strstr(out, "X-Request-Id: ab\r\n"));
    assert_string_equal(s_body(out), "a 1\n");
    free(out);
    assert_string_equal(http_json_status_text(413), "Payload Too Large");
    assert_string_equal(http_json_status_text(415), "Unsupported Media Type");
    assert_string_equal(http_json_status_text(504), "Gateway Timeout");
    assert_string_equal(http_json_default_code(405), "method_not_allowed");
    assert_string_equal(http_json_default_code(599), "internal");
}

static void test_failure_replies(void **state)
{
    (void)state;
    uint8_t id[ENVELOPE_ID_SIZE] = {1, 2, 3};
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    bridge_failure_reply(BRIDGE_TIMEOUT, id, &rep);
    assert_int_equal(rep.status, 504);
    assert_string_equal(rep.error_code, "timeout");
    assert_memory_equal(rep.id, id, ENVELOPE_ID_SIZE);
    bridge_failure_reply(BRIDGE_UNAVAILABLE, id, &rep);
    assert_int_equal(rep.status, 503);
    assert_string_equal(rep.error_code, "no_worker");
    assert_string_equal(json_string_value(json_object_get(rep.headers, "retry-after")), "1");
    bridge_failure_reply(BRIDGE_ERROR, id, &rep);
    assert_int_equal(rep.status, 500);
    assert_string_equal(rep.error_code, "internal");
    envelope_reply_clear(&rep);
}

static void test_readiness(void **state)
{
    (void)state;
    envelope_reply_t status, out;
    envelope_reply_init(&status);
    envelope_reply_init(&out);
    status.status = 200;
    status.data = json_pack("{s:i}", "workers_live", 3);
    local_ops_readiness(BRIDGE_OK, &status, &out);
    assert_int_equal(out.status, 200);
    assert_string_equal(json_string_value(json_object_get(out.data, "status")), "ready");
    assert_int_equal(json_integer_value(json_object_get(out.data, "workers")), 3);
    envelope_reply_clear(&out);
    json_object_set_new(status.data, "workers_live", json_integer(0));
    local_ops_readiness(BRIDGE_OK, &status, &out);
    assert_int_equal(out.status, 503);
    assert_string_equal(out.error_code, "not_ready");
    assert_string_equal(json_string_value(json_object_get(out.error_details, "broker")), "up");
    assert_int_equal(json_integer_value(json_object_get(out.error_details, "workers")), 0);
    envelope_reply_clear(&out);
    local_ops_readiness(BRIDGE_TIMEOUT, &status, &out);
    assert_int_equal(out.status, 503);
    assert_string_equal(json_string_value(json_object_get(out.error_details, "broker")), "down");
    envelope_reply_clear(&out);
    envelope_reply_clear(&status);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length),           cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_parse_body),       cmocka_unit_test(test_parse_body_syntax),
        cmocka_unit_test(test_error_shape),      cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_headers_and_data), cmocka_unit_test(test_raw_and_status_text),
        cmocka_unit_test(test_failure_replies),  cmocka_unit_test(test_readiness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
