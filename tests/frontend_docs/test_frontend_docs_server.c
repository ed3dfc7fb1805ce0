/* GET /openapi.yaml and GET /docs through the real server, in-process, over loopback
 * HTTP (the approach of tests/frontend/test_frontend_server.c). These are local ops:
 * no broker is needed, and none runs. */
#include "docs.h"
#include "fe_settings.h"
#include "server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define SECRET "docs-test-secret-0123456789abcdef0123456"
#define TIMEOUT_MS 500

static server_t *s_server;
static fe_settings_t s_settings;
static char s_addr[64], s_endpoint[64];
static int s_port;

typedef struct {
    int status;
    char head[8192];
    char body[1024 * 1024];
    size_t body_len;
} s_resp_t;

static s_resp_t s_r;

static int s_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static int s_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)s_port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {10, 0};
    assert_true(fd >= 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void s_send(int fd, const char *buf)
{
    size_t len = strlen(buf);
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        assert_true(n > 0);
        buf += n;
        len -= (size_t)n;
    }
}

static bool s_header(const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    for (const char *p = strstr(s_r.head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 3 + n;
            while (*v == ' ')
                v++;
            snprintf(out, size, "%.*s", (int)strcspn(v, "\r"), v);
            return true;
        }
    }
    return false;
}

/* Reads one response on fd into s_r (the body by its Content-Length). */
static void s_read(int fd)
{
    memset(&s_r, 0, offsetof(s_resp_t, body));
    size_t used = 0;
    char *end = NULL;
    while (!end) {
        ssize_t n = recv(fd, s_r.head + used, sizeof s_r.head - 1 - used, 0);
        assert_true(n > 0);
        used += (size_t)n;
        s_r.head[used] = '\0';
        end = strstr(s_r.head, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end + 4 - s_r.head);
    s_r.status = atoi(s_r.head + 9);
    char cl[32] = "0";
    s_header("Content-Length", cl, sizeof cl);
    size_t want = (size_t)atol(cl);
    assert_true(want < sizeof s_r.body);
    s_r.body_len = used - head_len;
    memcpy(s_r.body, s_r.head + head_len, s_r.body_len);
    s_r.head[head_len] = '\0';
    while (s_r.body_len < want) {
        ssize_t n = recv(fd, s_r.body + s_r.body_len, want - s_r.body_len, 0);
        assert_true(n > 0);
        s_r.body_len += (size_t)n;
    }
    s_r.body[s_r.body_len] = '\0';
}

static void s_call(const char *raw)
{
    int fd = s_connect();
    s_send(fd, raw);
    s_read(fd);
    close(fd);
}

static void s_assert_request_id(void)
{
    char v[64];
    assert_true(s_header("X-Request-Id", v, sizeof v));
    assert_int_equal(strlen(v), 32);
    assert_int_equal(strspn(v, "0123456789abcdef"), 32);
}

static int s_setup(void **state)
{
    (void)state;
    s_port = s_free_port();
    snprintf(s_addr, sizeof s_addr, "127.0.0.1:%d", s_port);
    /* never connected to: the docs ops do not reach the broker */
    snprintf(s_endpoint, sizeof s_endpoint, "tcp://127.0.0.1:%d", s_free_port());
    s_settings = (fe_settings_t){s_addr, s_endpoint, SECRET, 4, TIMEOUT_MS};
    char err[256];
    s_server = server_start(&s_settings, err, sizeof err);
    if (!s_server)
        fprintf(stderr, "server_start: %s\n", err);
    assert_non_null(s_server);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    server_stop(&s_server);
    return 0;
}

static void test_openapi_yaml(void **state)
{
    (void)state;
    const docs_asset_t *spec = docs_find("openapi");
    assert_non_null(spec);
    s_call("GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 200);
    char v[128];
    assert_true(s_header("Content-Type", v, sizeof v));
    assert_string_equal(v, "application/yaml; charset=utf-8");
    s_assert_request_id();
    assert_int_equal(s_r.body_len, spec->len);
    assert_memory_equal(s_r.body, spec->bytes, spec->len);
    assert_non_null(strstr(s_r.body, "\nopenapi: 3.1."));
}

static void test_docs_page(void **state)
{
    (void)state;
    s_call("GET /docs HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 200);
    char v[128];
    assert_true(s_header("Content-Type", v, sizeof v));
    assert_string_equal(v, "text/html; charset=utf-8");
    s_assert_request_id();
    assert_int_equal(s_r.body_len, docs_find("docs")->len);
    assert_int_equal(strncmp(s_r.body, "<!DOCTYPE html>", 15), 0);
    assert_non_null(strstr(s_r.body, "fetch('/openapi.yaml'"));
    assert_non_null(strstr(s_r.body, "function parseYamlSubset("));
    /* self-contained: nothing is loaded from another host */
    assert_null(strstr(s_r.body, "://"));
    assert_null(strstr(s_r.body, "src="));
    assert_null(strstr(s_r.body, "<link"));
    assert_null(strstr(s_r.body, "@import"));
}

static void test_keep_alive_both(void **state)
{
    (void)state;
    int fd = s_connect(); /* exact lengths: the second response parses on the same socket */
    s_send(fd, "GET /docs HTTP/1.1\r\nHost: x\r\n\r\n");
    s_read(fd);
    assert_int_equal(s_r.status, 200);
    s_send(fd, "GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n");
    s_read(fd);
    assert_int_equal(s_r.status, 200);
    assert_int_equal(s_r.body_len, docs_find("openapi")->len);
    close(fd);
}

static void test_other_methods(void **state)
{
    (void)state;
    s_call("POST /docs HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    assert_int_equal(s_r.status, 405);
    char v[128];
    assert_true(s_header("Allow", v, sizeof v));
    assert_string_equal(v, "GET");
    assert_true(s_header("Content-Type", v, sizeof v));
    assert_string_equal(v, "application/json");
    assert_non_null(strstr(s_r.body, "\"method_not_allowed\""));
    s_assert_request_id();
    s_call("GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 404);
    s_call("GET /docs/ HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 404);
}

static void test_counted_in_metrics(void **state)
{
    (void)state;
    s_call("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 200);
    char v[128];
    assert_true(s_header("Content-Type", v, sizeof v));
    assert_non_null(strstr(v, "text/plain"));
    assert_non_null(strstr(
        s_r.body, "bedrock_http_requests_total{method=\"GET\",route=\"/docs\",status=\"2xx\"} 2"));
    assert_non_null(strstr(
        s_r.body,
        "bedrock_http_requests_total{method=\"GET\",route=\"/openapi.yaml\",status=\"2xx\"} 2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openapi_yaml),       cmocka_unit_test(test_docs_page),
        cmocka_unit_test(test_keep_alive_both),    cmocka_unit_test(test_other_methods),
        cmocka_unit_test(test_counted_in_metrics),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
