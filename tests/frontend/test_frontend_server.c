/* The real server, in-process, over loopback HTTP, against fake_broker.c: the whole
 * pipeline (routing, body and bearer checks, envelope, broker round trip, response
 * bytes, keep-alive, timeouts and late replies, broker down and back, bedrockctl's
 * client). Needs no service: the HTTP port and the broker port are picked free. */
#include "bridge.h"
#include "ctl_client.h"
#include "fake_broker.h"
#include "fe_settings.h"
#include "server.h"
#include "token.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define SECRET "server-test-secret-0123456789abcdef0123"
#define TIMEOUT_MS 500

static fake_broker_t *s_broker;
static server_t *s_server;
static fe_settings_t s_settings;
static char s_addr[64], s_endpoint[256];
static int s_port;

typedef struct {
    int status;
    char head[8192];
    char body[2 * 1024 * 1024];
    size_t body_len;
} s_resp_t;

static s_resp_t s_r; /* large: one static response buffer */

static int64_t s_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
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
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void s_send(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n <= 0)
            return; /* the server may close early (413): the response still counts */
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

/* Reads one response on fd into s_r; -1 when the connection ends first. */
static int s_read(int fd, bool head_only)
{
    memset(&s_r, 0, offsetof(s_resp_t, body));
    size_t used = 0;
    char *end = NULL;
    while (!end) {
        ssize_t n = recv(fd, s_r.head + used, sizeof s_r.head - 1 - used, 0);
        if (n <= 0)
            return -1;
        used += (size_t)n;
        s_r.head[used] = '\0';
        end = strstr(s_r.head, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end + 4 - s_r.head);
    s_r.status = atoi(s_r.head + 9);
    char cl[32] = "0";
    if (!head_only)
        s_header("Content-Length", cl, sizeof cl);
    size_t want = (size_t)atol(cl);
    s_r.body_len = used - head_len;
    memcpy(s_r.body, s_r.head + head_len, s_r.body_len);
    s_r.head[head_len] = '\0';
    while (s_r.body_len < want) {
        ssize_t n = recv(fd, s_r.body + s_r.body_len, want - s_r.body_len, 0);
        if (n <= 0)
            return -1;
        s_r.body_len += (size_t)n;
    }
    s_r.body[s_r.body_len] = '\0';
    return 0;
}

/* One request on a fresh connection. */
static json_t *s_call(const char *raw)
{
    int fd = s_connect();
    s_send(fd, raw, strlen(raw));
    assert_int_equal(s_read(fd, false), 0);
    close(fd);
    return json_loads(s_r.body, JSON_DECODE_ANY, NULL);
}

static bool s_closed_by_server(int fd)
{
    char c;
    return recv(fd, &c, 1, 0) == 0;
}

static char *s_token(int64_t exp)
{
    token_claims_t c = {.iat = time(NULL) - 5, .exp = exp};
    snprintf(c.sub, sizeof c.sub, "11111111-2222-4333-8444-555555555555");
    snprintf(c.role, sizeof c.role, "user");
    snprintf(c.sid, sizeof c.sid, "66666666-7777-4888-9999-aaaaaaaaaaaa");
    return token_sign(SECRET, &c);
}

static const char *s_err_code(json_t *body)
{
    return json_string_value(json_object_get(json_object_get(body, "error"), "code"));
}

static int s_setup(void **state)
{
    (void)state;
    s_broker = fake_broker_start("tcp://127.0.0.1:*");
    assert_non_null(s_broker);
    snprintf(s_endpoint, sizeof s_endpoint, "%s", fake_broker_endpoint(s_broker));
    s_port = s_free_port();
    snprintf(s_addr, sizeof s_addr, "127.0.0.1:%d", s_port);
    s_settings = (fe_settings_t){s_addr, s_endpoint, SECRET, 8, TIMEOUT_MS};
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
    fake_broker_stop(&s_broker);
    return 0;
}

static void test_health_and_ids(void **state)
{
    (void)state;
    json_t *b = s_call("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 200);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "ok");
    char v[128];
    assert_true(s_header("Content-Type", v, sizeof v));
    assert_string_equal(v, "application/json");
    assert_true(s_header("X-Request-Id", v, sizeof v));
    assert_int_equal(strlen(v), 32);
    assert_int_equal(strspn(v, "0123456789abcdef"), 32);
    json_decref(b);
}

static void test_readyz(void **state)
{
    (void)state;
    json_t *b = s_call("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 200);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "ready");
    assert_int_equal(json_integer_value(json_object_get(b, "workers")), 1);
    json_decref(b);
    fake_broker_set_workers(s_broker, 0);
    b = s_call("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 503);
    assert_string_equal(s_err_code(b), "not_ready");
    json_t *d = json_object_get(json_object_get(b, "error"), "details");
    assert_string_equal(json_string_value(json_object_get(d, "broker")), "up");
    assert_int_equal(json_integer_value(json_object_get(d, "workers")), 0);
    char v[16];
    assert_true(s_header("Retry-After", v, sizeof v));
    assert_string_equal(v, "1");
    fake_broker_set_workers(s_broker, 1);
    json_decref(b);
}

static void test_login_echo(void **state)
{
    (void)state;
    json_t *b =
        s_call("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nUser-Agent: tester/1.0\r\n"
               "X-Request-Id: trace-abc\r\nContent-Type: application/json; charset=utf-8"
               "\r\nContent-Length: 39\r\n\r\n{\"email\":\"a@b.c\",\"password\":\"secret1!\"}");
    assert_int_equal(s_r.status, 200);
    assert_string_equal(json_string_value(json_object_get(b, "op")), "auth.login");
    json_t *body = json_object_get(b, "body");
    assert_string_equal(json_string_value(json_object_get(body, "email")), "a@b.c");
    json_t *meta = json_object_get(b, "meta");
    assert_string_equal(json_string_value(json_object_get(meta, "ua")), "tester/1.0");
    assert_string_equal(json_string_value(json_object_get(meta, "trace")), "trace-abc");
    assert_string_equal(json_string_value(json_object_get(meta, "ip")), "127.0.0.1");
    assert_true(json_is_null(json_object_get(b, "auth")));
    json_int_t deadline = json_integer_value(json_object_get(b, "deadline"));
    assert_true(deadline > envelope_now_ms() && deadline <= envelope_now_ms() + TIMEOUT_MS);
    json_decref(b);
}

static void test_bearer(void **state)
{
    (void)state;
    char req[8192];
    json_t *b = s_call("GET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 401);
    assert_string_equal(s_err_code(b), "unauthorized");
    char v[128];
    assert_true(s_header("WWW-Authenticate", v, sizeof v));
    json_decref(b);
    char *tok = s_token(time(NULL) + 900);
    snprintf(req, sizeof req, "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
             tok);
    b = s_call(req);
    assert_int_equal(s_r.status, 200);
    json_t *auth = json_object_get(b, "auth");
    assert_string_equal(json_string_value(json_object_get(auth, "sub")),
                        "11111111-2222-4333-8444-555555555555");
    assert_string_equal(json_string_value(json_object_get(auth, "role")), "user");
    assert_string_equal(json_string_value(json_object_get(auth, "sid")),
                        "66666666-7777-4888-9999-aaaaaaaaaaaa");
    json_decref(b);
    snprintf(req, sizeof req,
             "POST /v1/auth/logout HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", tok);
    b = s_call(req);
    assert_int_equal(s_r.status, 204);
    assert_int_equal(s_r.body_len, 0);
    free(tok);
    tok = s_token(time(NULL) - 1);
    snprintf(req, sizeof req, "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
             tok);
    b = s_call(req);
    assert_int_equal(s_r.status, 401);
    assert_string_equal(s_err_code(b), "token_expired");
    json_decref(b);
    free(tok);
    b = s_call("GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a.b.c\r\n\r\n");
    assert_int_equal(s_r.status, 401);
    assert_string_equal(s_err_code(b), "unauthorized");
    json_decref(b);
    /* a route without auth ignores a bad token */
    b = s_call("POST /v1/auth/refresh HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer junk\r\n"
               "Content-Length: 2\r\n\r\n{}");
    assert_int_equal(s_r.status, 200);
    json_decref(b);
}

static void test_routing_errors(void **state)
{
    (void)state;
    json_t *b = s_call("GET /v1/nope HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 404);
    assert_string_equal(s_err_code(b), "not_found");
    char v[128];
    assert_true(s_header("X-Request-Id", v, sizeof v));
    assert_string_equal(json_string_value(json_object_get(b, "request_id")), v);
    assert_non_null(json_string_value(json_object_get(json_object_get(b, "error"), "message")));
    json_decref(b);
    b = s_call("PUT /v1/me HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 405);
    assert_string_equal(s_err_code(b), "method_not_allowed");
    assert_true(s_header("Allow", v, sizeof v));
    assert_string_equal(v, "GET, PATCH, DELETE");
    json_decref(b);
    int fd = s_connect(); /* HEAD: headers only, the connection stays usable */
    s_send(fd, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 35);
    assert_int_equal(s_read(fd, true), 0);
    assert_int_equal(s_r.status, 405);
    s_send(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 34);
    assert_int_equal(s_read(fd, false), 0);
    assert_int_equal(s_r.status, 200);
    close(fd);
}

static void test_body_errors(void **state)
{
    (void)state;
    json_t *b = s_call("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                       "Content-Length: 2\r\n\r\n{}");
    assert_int_equal(s_r.status, 415);
    assert_string_equal(s_err_code(b), "unsupported_media_type");
    json_decref(b);
    b = s_call("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: 9\r\n\r\n{\"a\":1,,}");
    assert_int_equal(s_r.status, 400);
    assert_string_equal(s_err_code(b), "invalid_json");
    json_t *d = json_object_get(json_object_get(b, "error"), "details");
    assert_int_equal(json_integer_value(json_object_get(d, "line")), 1);
    assert_true(json_integer_value(json_object_get(d, "column")) > 0);
    json_decref(b);
    b = s_call("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n[1,2]");
    assert_int_equal(s_r.status, 400);
    assert_string_equal(s_err_code(b), "invalid_json");
    json_decref(b);
    b = s_call("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(s_r.status, 400);
    assert_string_equal(s_err_code(b), "invalid_json");
    json_decref(b);
}

static void test_expect_continue(void **state)
{
    (void)state;
    int fd = s_connect();
    const char *head = "POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                       "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n";
    s_send(fd, head, strlen(head));
    assert_int_equal(s_read(fd, true), 0); /* the interim answer comes before the body */
    assert_int_equal(s_r.status, 100);
    s_send(fd, "{}", 2);
    assert_int_equal(s_read(fd, false), 0);
    assert_int_equal(s_r.status, 200);
    close(fd);
    /* refused on the headers: no 100, the final answer at once */
    fd = s_connect();
    head = "POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
           "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n";
    s_send(fd, head, strlen(head));
    assert_int_equal(s_read(fd, false), 0);
    assert_int_equal(s_r.status, 415);
    close(fd);
}

static void test_payload_too_large(void **state)
{
    (void)state;
    int fd = s_connect();
    const char *req = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                      "\r\nContent-Length: 1048577\r\n\r\n{\"a\":";
    s_send(fd, req, strlen(req));
    assert_int_equal(s_read(fd, false), 0);
    assert_int_equal(s_r.status, 413);
    json_t *b = json_loads(s_r.body, 0, NULL);
    assert_string_equal(s_err_code(b), "payload_too_large");
    json_decref(b);
    char v[32];
    assert_true(s_header("Connection", v, sizeof v));
    assert_string_equal(v, "close");
    assert_true(s_closed_by_server(fd));
    close(fd);
    /* chunked, no declared length: refused once more than 1 MiB has arrived */
    fd = s_connect();
    req = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    s_send(fd, req, strlen(req));
    static char chunk[65536 + 16];
    int head = snprintf(chunk, sizeof chunk, "%x\r\n", 65536);
    memset(chunk + head, ' ', 65536);
    memcpy(chunk + head + 65536, "\r\n", 2);
    for (int i = 0; i < 17; i++)
        s_send(fd, chunk, (size_t)head + 65536 + 2);
    assert_int_equal(s_read(fd, false), 0);
    assert_int_equal(s_r.status, 413);
    close(fd);
}

static void test_keep_alive_and_args(void **state)
{
    (void)state;
    char *tok = s_token(time(NULL) + 900);
    char req[8192];
    int fd = s_connect();
    for (int i = 0; i < 3; i++) {
        /* a body on a route that takes none is read and ignored */
        int n = snprintf(req, sizeof req,
                         "GET /v1/me?x=1&y=a%%20b+c&x=%d&flag HTTP/1.1\r\nHost: x\r\n"
                         "Authorization: Bearer %s\r\nContent-Length: 3\r\n\r\nabc",
                         i, tok);
        s_send(fd, req, (size_t)n);
        assert_int_equal(s_read(fd, false), 0);
        assert_int_equal(s_r.status, 200);
        json_t *b = json_loads(s_r.body, 0, NULL);
        json_t *args = json_object_get(b, "args");
        char want[8];
        snprintf(want, sizeof want, "%d", i);
        assert_string_equal(json_string_value(json_object_get(args, "x")), want);
        assert_string_equal(json_string_value(json_object_get(args, "y")), "a b c");
        assert_string_equal(json_string_value(json_object_get(args, "flag")), "");
        assert_true(json_is_null(json_object_get(b, "body")));
        json_decref(b);
    }
    close(fd);
    free(tok);
    json_t *b = s_call("GET /v1/me?q=%FF HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 401); /* the bearer comes before the arguments */
    json_decref(b);
}

static void test_timeout_then_late_reply(void **state)
{
    (void)state;
    char *tok = s_token(time(NULL) + 900);
    char req[8192];
    int fd = s_connect(); /* keep-alive: both requests run on the same civetweb thread */
    int n = snprintf(req, sizeof req,
                     "GET /v1/me?fake_sleep_ms=%d HTTP/1.1\r\nHost: x\r\nAuthorization: "
                     "Bearer %s\r\n\r\n",
                     TIMEOUT_MS + 600, tok);
    int64_t t0 = s_ms();
    s_send(fd, req, (size_t)n);
    assert_int_equal(s_read(fd, false), 0);
    int64_t took = s_ms() - t0;
    assert_int_equal(s_r.status, 504);
    json_t *b = json_loads(s_r.body, 0, NULL);
    assert_string_equal(s_err_code(b), "timeout");
    json_decref(b);
    assert_true(took >= TIMEOUT_MS - 50 && took < TIMEOUT_MS + BRIDGE_REPLY_GRACE_MS + 300);
    usleep(700 * 1000); /* the late reply lands in this thread's socket */
    bridge_stats_t before, after;
    bridge_stats(&before);
    n = snprintf(req, sizeof req,
                 "GET /v1/me?marker=second HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
                 tok);
    s_send(fd, req, (size_t)n);
    assert_int_equal(s_read(fd, false), 0);
    assert_int_equal(s_r.status, 200);
    b = json_loads(s_r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "args"), "marker")),
                        "second");
    json_decref(b);
    bridge_stats(&after);
    assert_int_equal(after.late_replies, before.late_replies + 1);
    close(fd);
    free(tok);
}

static void test_civetweb_error(void **state)
{
    (void)state;
    json_t *b = s_call("FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_true(s_r.status >= 400);
    assert_non_null(s_err_code(b));
    assert_non_null(json_string_value(json_object_get(b, "request_id")));
    json_decref(b);
}

static void test_metrics(void **state)
{
    (void)state;
    s_call("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 200);
    char v[128];
    assert_true(s_header("Content-Type", v, sizeof v));
    assert_non_null(strstr(v, "text/plain"));
    assert_non_null(strstr(
        s_r.body, "bedrock_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"2xx\"}"));
    assert_non_null(
        strstr(s_r.body, "bedrock_http_requests_total{method=\"\",route=\"none\",status=\"4xx\"}"));
    assert_non_null(strstr(s_r.body, "bedrock_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    /* this request, plus perhaps the previous one still finishing after its write */
    const char *inflight = strstr(s_r.body, "\nbedrock_http_in_flight ");
    assert_non_null(inflight);
    long n = atol(inflight + strlen("\nbedrock_http_in_flight "));
    assert_true(n >= 1 && n <= 3);
    assert_non_null(strstr(s_r.body, "bedrock_frontend_broker_late_replies_total 1\n"));
}

static void test_ctl_client(void **state)
{
    (void)state;
    setenv("BEDROCK_BROKER_CLIENTS", s_endpoint, 1);
    ctl_t ctl;
    assert_int_equal(ctl_init(&ctl), 0);
    json_t *args = json_pack("{s:s}", "k", "v");
    json_t *body = json_pack("[i]", 1);
    ctl_call_t call = {.op = "test.echo",
                       .args = args,
                       .body = body,
                       .auth_sub = "s",
                       .auth_role = "admin",
                       .auth_sid = "t"};
    envelope_reply_t rep;
    assert_int_equal(ctl_call(&ctl, &call, &rep), 0);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_int_equal(ctl_print_reply(&rep, out), CTL_EXIT_OK);
    fclose(out);
    json_t *printed = json_loads(text, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(printed, "status")), 200);
    assert_true(json_is_null(json_object_get(printed, "error")));
    json_t *data = json_object_get(printed, "data");
    assert_string_equal(json_string_value(json_object_get(json_object_get(data, "auth"), "role")),
                        "admin");
    assert_string_equal(json_string_value(json_object_get(json_object_get(data, "args"), "k")),
                        "v");
    json_decref(printed);
    free(text);
    envelope_reply_clear(&rep);
    json_decref(args);
    json_decref(body);
    ctl_call_t failing = {.op = "test.status", .args = NULL};
    json_t *fargs = json_pack("{s:s, s:s}", "status", "409", "code", "email_taken");
    failing.args = fargs;
    assert_int_equal(ctl_call(&ctl, &failing, &rep), 0);
    out = fopen("/dev/null", "w");
    assert_int_equal(ctl_print_reply(&rep, out), CTL_EXIT_FAILED);
    fclose(out);
    assert_string_equal(rep.error_code, "email_taken");
    envelope_reply_clear(&rep);
    json_decref(fargs);
    ctl_shutdown(&ctl);
}

static void test_broker_down_and_back(void **state)
{
    (void)state;
    fake_broker_stop(&s_broker);
    usleep(200 * 1000); /* the DEALERs notice the disconnect */
    int64_t t0 = s_ms();
    json_t *b = s_call("POST /v1/auth/refresh HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    assert_int_equal(s_r.status, 503);
    assert_string_equal(s_err_code(b), "no_worker");
    assert_true(s_ms() - t0 < TIMEOUT_MS + 100);
    char v[16];
    assert_true(s_header("Retry-After", v, sizeof v));
    json_decref(b);
    b = s_call("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(s_r.status, 503);
    json_t *d = json_object_get(json_object_get(b, "error"), "details");
    assert_string_equal(json_string_value(json_object_get(d, "broker")), "down");
    json_decref(b);
    s_broker = fake_broker_start(s_endpoint); /* same port: the DEALERs reconnect */
    assert_non_null(s_broker);
    int ok = 0;
    for (int i = 0; i < 20 && !ok; i++) {
        b = s_call("POST /v1/auth/refresh HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        ok = s_r.status == 200;
        json_decref(b);
        if (!ok)
            usleep(100 * 1000);
    }
    assert_true(ok);
}

static void test_bridge_unavailable(void **state)
{
    (void)state;
    void *ctx = zmq_ctx_new();
    bridge_options_t opts;
    bridge_options_default(&opts);
    char dead[64];
    snprintf(dead, sizeof dead, "tcp://127.0.0.1:%d", s_free_port());
    bridge_t *bridge = bridge_new(ctx, dead, &opts);
    assert_non_null(bridge);
    envelope_request_t req;
    envelope_request_init(&req);
    assert_int_equal(envelope_id_generate(req.id), 0);
    snprintf(req.op, sizeof req.op, "test.echo");
    req.deadline_ms = envelope_now_ms() + 5000;
    envelope_reply_t rep;
    int64_t t0 = s_ms();
    assert_int_equal(bridge_call(bridge, &req, &rep), BRIDGE_UNAVAILABLE);
    assert_true(s_ms() - t0 < BRIDGE_CONNECT_WAIT_MS + 200);
    bridge_destroy(&bridge);
    bridge_destroy(&bridge); /* twice is fine */
    zmq_ctx_term(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_and_ids),      cmocka_unit_test(test_readyz),
        cmocka_unit_test(test_login_echo),          cmocka_unit_test(test_bearer),
        cmocka_unit_test(test_routing_errors),      cmocka_unit_test(test_body_errors),
        cmocka_unit_test(test_expect_continue),     cmocka_unit_test(test_payload_too_large),
        cmocka_unit_test(test_keep_alive_and_args), cmocka_unit_test(test_timeout_then_late_reply),
        cmocka_unit_test(test_civetweb_error),      cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_ctl_client),          cmocka_unit_test(test_broker_down_and_back),
        cmocka_unit_test(test_bridge_unavailable),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
