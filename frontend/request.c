#include "request.h"

#include "auth_bearer.h"
#include "fe_metrics.h"
#include "http_json.h"
#include "local_ops.h"
#include "log.h"
#include "query.h"
#include "routes.h"
#include "text.h"

#include <civetweb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Everything one request holds; lives on the handler's stack. */
typedef struct {
    struct mg_connection *conn;
    const struct mg_request_info *ri;
    const request_env_t *env;
    request_thread_t *thread;
    envelope_request_t req;
    envelope_reply_t reply;
    routes_result_t route;
    json_t *args;  /* path then query parameters; moved into req.args */
    json_t *extra; /* response headers of our own: allow, www-authenticate */
    bool has_body;
    bool body_consumed; /* false: a body is left unread, so the connection must close */
    bool close;
    char *raw; /* text answer of a local op (metrics) */
    size_t raw_len;
    char id_hex[ENVELOPE_ID_HEX_SIZE];
    int64_t started_us;
} s_request_t;

static int64_t s_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int s_fail(s_request_t *r, int status, const char *code, const char *message,
                  json_t *details)
{
    envelope_reply_set_error(&r->reply, status, code, message, details);
    return -1;
}

static void s_extra_header(s_request_t *r, const char *name, const char *value)
{
    if (!r->extra)
        r->extra = json_object();
    if (r->extra)
        json_object_set_new(r->extra, name, json_string(value));
}

/* A request id even if the kernel gives no randomness: clock and a counter. */
static void s_new_id(uint8_t id[ENVELOPE_ID_SIZE])
{
    static _Atomic uint64_t counter;
    if (envelope_id_generate(id) == 0)
        return;
    uint64_t t = (uint64_t)s_now_us(), c = ++counter;
    memcpy(id, &t, sizeof t);
    memcpy(id + sizeof t, &c, sizeof c);
}

static void s_begin(s_request_t *r, struct mg_connection *conn, const request_env_t *env,
                    request_thread_t *thread)
{
    memset(r, 0, sizeof *r);
    r->started_us = s_now_us();
    r->conn = conn;
    r->ri = mg_get_request_info(conn);
    r->env = env;
    r->thread = thread;
    envelope_request_init(&r->req);
    envelope_reply_init(&r->reply);
    s_new_id(r->req.id);
    memcpy(r->reply.id, r->req.id, ENVELOPE_ID_SIZE);
    envelope_id_to_hex(r->req.id, r->id_hex);
    log_set_request_id(r->id_hex);
    const char *te = mg_get_header(conn, "Transfer-Encoding");
    r->has_body = r->ri->content_length > 0 || (r->ri->content_length < 0 && te != NULL);
    r->body_consumed = !r->has_body;
    r->route.index = -1;
}

static int s_route(s_request_t *r)
{
    const char *path = r->ri->local_uri_raw;
    r->args = json_object();
    if (!r->args)
        return s_fail(r, 500, "internal", "out of memory", NULL);
    routes_status_t rc = path && r->ri->request_method
                             ? routes_match(r->ri->request_method, path, r->args, &r->route)
                             : ROUTES_NOT_FOUND;
    switch (rc) {
    case ROUTES_MATCHED:
        return 0;
    case ROUTES_METHOD_NOT_ALLOWED:
        s_extra_header(r, "allow", r->route.allow);
        return s_fail(r, 405, "method_not_allowed", "this method is not allowed on this path",
                      NULL);
    case ROUTES_BAD_PARAM:
        return s_fail(r, 400, "invalid_argument", "a path parameter is not valid UTF-8 text",
                      json_pack("{s:s}", "field", r->route.bad_param));
    default:
        return s_fail(r, 404, "not_found", "no such endpoint", NULL);
    }
}

/* Size and media type, decided from the headers alone. */
static int s_check_headers(s_request_t *r)
{
    if (http_json_check_length(r->ri->content_length, HTTP_JSON_MAX_BODY) < 0)
        return s_fail(r, 413, "payload_too_large", "the body is larger than 1 MiB", NULL);
    if (r->has_body && r->route.route->body != ROUTES_BODY_NONE &&
        !http_json_content_type_ok(mg_get_header(r->conn, "Content-Type")))
        return s_fail(r, 415, "unsupported_media_type", "the body must be application/json", NULL);
    return 0;
}

static int s_authenticate(s_request_t *r)
{
    routes_auth_t policy = r->route.route->auth;
    if (policy == ROUTES_AUTH_NONE)
        return 0;
    token_claims_t claims;
    auth_bearer_result_t result =
        auth_bearer_check(mg_get_header(r->conn, "Authorization"), r->env->settings->jwt_secret,
                          (int64_t)time(NULL), &claims);
    int used;
    const char *code, *message;
    if (auth_bearer_decide(policy, result, &used, &code, &message) != 0) {
        s_extra_header(r, "www-authenticate",
                       result == AUTH_BEARER_ABSENT ? "Bearer" : "Bearer error=\"invalid_token\"");
        return s_fail(r, 401, code, message, NULL);
    }
    if (used) {
        r->req.has_auth = true;
        snprintf(r->req.auth_sub, sizeof r->req.auth_sub, "%s", claims.sub);
        snprintf(r->req.auth_role, sizeof r->req.auth_role, "%s", claims.role);
        snprintf(r->req.auth_sid, sizeof r->req.auth_sid, "%s", claims.sid);
    }
    return 0;
}

static int s_body_error(s_request_t *r, int rc)
{
    if (rc == HTTP_JSON_TOO_LARGE)
        return s_fail(r, 413, "payload_too_large", "the body is larger than 1 MiB", NULL);
    if (rc == HTTP_JSON_IO_ERROR) {
        r->close = true;
        return s_fail(r, 400, "bad_request", "the body could not be read", NULL);
    }
    return s_fail(r, 500, "internal", "out of memory", NULL);
}

/* civetweb 1.15 does not answer "Expect: 100-continue" for request handlers, and a
 * client that waits for it (curl waits 1 s) would stall: once every check that needs
 * no body has passed, we say go on ourselves. */
static void s_continue(s_request_t *r)
{
    const char *expect = mg_get_header(r->conn, "Expect");
    const char *version = r->ri->http_version;
    static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
    if (r->has_body && expect && strcasecmp(expect, "100-continue") == 0 && version &&
        strcmp(version, "1.1") == 0)
        (void)http_json_send(r->conn, interim, sizeof interim - 1);
}

static int s_read_body(s_request_t *r)
{
    routes_body_t policy = r->route.route->body;
    long long length = r->ri->content_length;
    s_continue(r);
    if (policy == ROUTES_BODY_NONE) {
        /* Read and ignored, so that the keep-alive connection stays usable. */
        int rc =
            r->has_body ? http_json_read_body(r->conn, length, HTTP_JSON_MAX_BODY, NULL, NULL) : 0;
        r->body_consumed = rc == 0;
        return rc == 0 ? 0 : s_body_error(r, rc);
    }
    char *buf = NULL;
    size_t len = 0;
    int rc = r->has_body ? http_json_read_body(r->conn, length, HTTP_JSON_MAX_BODY, &buf, &len) : 0;
    if (rc < 0)
        return s_body_error(r, rc);
    r->body_consumed = true;
    rc = http_json_parse_body(buf, len, policy, &r->req.body, &r->reply);
    free(buf);
    return rc;
}

void request_fill_meta(struct mg_connection *conn, envelope_request_t *req)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    text_copy_clean(req->meta_ip, sizeof req->meta_ip, ri->remote_addr);
    text_copy_clean(req->meta_ua, sizeof req->meta_ua, mg_get_header(conn, "User-Agent"));
    text_copy_clean(req->meta_trace, sizeof req->meta_trace, mg_get_header(conn, "X-Request-Id"));
}

/* The envelope: query parameters join the path ones (a path parameter wins). */
static int s_build(s_request_t *r)
{
    json_t *query = json_object();
    char bad[QUERY_KEY_MAX];
    query_result_t q = query ? query_parse(r->ri->query_string, query, bad) : QUERY_BAD_VALUE;
    if (q != QUERY_OK || json_object_update_missing(r->args, query) < 0) {
        json_decref(query);
        if (q == QUERY_TOO_MANY)
            return s_fail(r, 400, "invalid_argument", "too many query parameters",
                          json_pack("{s:s}", "field", "query"));
        return s_fail(r, 400, "invalid_argument", "a query parameter is not valid UTF-8 text",
                      json_pack("{s:s}", "field", bad[0] ? bad : "query"));
    }
    json_decref(query);
    r->req.args = r->args;
    r->args = NULL;
    snprintf(r->req.op, sizeof r->req.op, "%s", r->route.route->op);
    r->req.deadline_ms = envelope_now_ms() + r->env->settings->request_timeout_ms;
    request_fill_meta(r->conn, &r->req);
    return 0;
}

bridge_t *request_thread_bridge(const request_env_t *env, request_thread_t *thread)
{
    if (!thread)
        return NULL;
    if (!thread->bridge)
        thread->bridge =
            bridge_new(env->zmq_ctx, env->settings->broker_endpoint, &env->bridge_opts);
    return thread->bridge;
}

static void s_dispatch(s_request_t *r)
{
    if (local_ops_is_local(r->req.op)) {
        (void)local_ops_run(r->req.op, r->env, r->thread, r->req.id, &r->reply, &r->raw,
                            &r->raw_len);
        return;
    }
    bridge_t *bridge = request_thread_bridge(r->env, r->thread);
    bridge_result_t rc = bridge ? bridge_call(bridge, &r->req, &r->reply) : BRIDGE_ERROR;
    if (rc != BRIDGE_OK)
        bridge_failure_reply(rc, r->req.id, &r->reply);
    else if (r->reply.status < 200)
        s_fail(r, 500, "internal", "the worker replied with an invalid status", NULL);
}

/* What the Connection header says, and whether civetweb must close after us. */
static const char *s_connection(s_request_t *r)
{
    if (!r->body_consumed)
        r->close = true;
    if (r->close) {
#ifdef BEDROCK_HAVE_MG_DISABLE_KEEP_ALIVE
        mg_disable_keep_alive(r->conn);
#endif
        return "close";
    }
    const char *hdr = mg_get_header(r->conn, "Connection");
    const char *version = r->ri->http_version;
    if (hdr && strcasecmp(hdr, "close") == 0)
        return "close";
    if (hdr && version && strcmp(version, "1.0") == 0 && strcasestr(hdr, "keep-alive"))
        return "keep-alive"; /* HTTP/1.0 clients (ab -k) need it said */
    return NULL;
}

/* Last resort when the response cannot even be rendered (out of memory). */
static int s_send_bare_500(s_request_t *r)
{
    char body[160], buf[512];
    int blen = snprintf(body, sizeof body,
                        "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"},"
                        "\"request_id\":\"%s\"}",
                        r->id_hex);
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                     "Content-Length: %d\r\nX-Request-Id: %s\r\nConnection: close\r\n\r\n%s",
                     blen, r->id_hex, body);
    (void)http_json_send(r->conn, buf, (size_t)n);
    return 500;
}

static int s_respond(s_request_t *r)
{
    const char *connection = s_connection(r);
    size_t len = 0;
    int status = r->raw ? 200 : r->reply.status;
    char *out = r->raw ? http_json_render_raw(200, local_ops_raw_content_type(r->req.op), r->raw,
                                              r->raw_len, r->id_hex, NULL, connection, &len)
                       : http_json_render(&r->reply, r->id_hex, r->extra, connection, &len);
    if (!out)
        return s_send_bare_500(r);
    if (r->ri->request_method && strcmp(r->ri->request_method, "HEAD") == 0) {
        char *end = strstr(out, "\r\n\r\n"); /* HEAD: the headers only */
        if (end)
            len = (size_t)(end + 4 - out);
    }
    if (http_json_send(r->conn, out, len) < 0)
        log_debug("the client went away before the response was written");
    free(out);
    return status;
}

static void s_finish(s_request_t *r, int status)
{
    int64_t elapsed = s_now_us() - r->started_us;
    fe_metrics_request_end(r->route.index, status, elapsed);
    const char *method = r->ri->request_method ? r->ri->request_method : "?";
    const char *path = r->ri->local_uri_raw ? r->ri->local_uri_raw : "?";
    if (status >= 500)
        log_warn("%s %s -> %d %s (%lld us)", method, path, status,
                 r->reply.error_code[0] ? r->reply.error_code : "-", (long long)elapsed);
    else
        log_debug("%s %s -> %d (%lld us)", method, path, status, (long long)elapsed);
    json_decref(r->args);
    json_decref(r->extra);
    free(r->raw);
    envelope_request_clear(&r->req);
    envelope_reply_clear(&r->reply);
    log_set_request_id(NULL);
}

int request_handle(struct mg_connection *conn, const request_env_t *env, request_thread_t *thread)
{
    s_request_t r;
    fe_metrics_request_begin();
    s_begin(&r, conn, env, thread);
    if (s_route(&r) == 0 && s_check_headers(&r) == 0 && s_authenticate(&r) == 0 &&
        s_read_body(&r) == 0 && s_build(&r) == 0)
        s_dispatch(&r);
    int status = s_respond(&r);
    s_finish(&r, status);
    return status;
}

int request_civetweb_error(struct mg_connection *conn, int status, const char *message)
{
    s_request_t r;
    fe_metrics_request_begin();
    s_begin(&r, conn, NULL, NULL);
    char raw[ENVELOPE_MESSAGE_MAX], clean[ENVELOPE_MESSAGE_MAX];
    snprintf(raw, sizeof raw, "%s", message && *message ? message : http_json_status_text(status));
    raw[strcspn(raw, "\r\n")] = '\0'; /* civetweb's texts may end with a newline */
    text_copy_clean(clean, sizeof clean, raw);
    if (status < 400 || status > 599)
        status = 500;
    envelope_reply_set_error(&r.reply, status, http_json_default_code(status), clean, NULL);
    r.close = true;
    s_finish(&r, s_respond(&r));
    return 0;
}
