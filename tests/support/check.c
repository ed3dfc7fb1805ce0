#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static cluster_t *s_cluster;
static bool s_passed;

void check_fail_at(const http_response_t *r, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, msg);
    if (r)
        http_response_print(r, "the reply");
    print_error("%s:%d: %s\n", file, line, msg);
    _fail(file, line);
}

void check_that_at(const http_response_t *r, bool cond, const char *expr, const char *file,
                   int line, const char *fmt, ...)
{
    if (cond)
        return;
    va_list ap;
    va_start(ap, fmt);
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    check_fail_at(r, file, line, "%s [%s]", msg, expr);
}

bool check_is_hex(const char *text, size_t n)
{
    if (!text || strlen(text) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdef", text[i]))
            return false;
    return true;
}

void check_request_id_at(const http_response_t *r, const char *file, int line)
{
    const char *id = http_header(r, "X-Request-Id");
    if (!id)
        check_fail_at(r, file, line, "no X-Request-Id header");
    if (!check_is_hex(id, 32))
        check_fail_at(r, file, line, "X-Request-Id \"%s\" is not 32 lower-case hex characters", id);
}

void check_status_at(const http_response_t *r, long status, const char *file, int line)
{
    if (r->status == 0)
        check_fail_at(r, file, line, "expected HTTP %ld, got no answer: %s", status, r->error);
    if (r->status != status)
        check_fail_at(r, file, line, "expected HTTP %ld, got %ld", status, r->status);
    check_request_id_at(r, file, line);
}

static bool s_is_json_content_type(const http_response_t *r)
{
    const char *ct = http_header(r, "Content-Type");
    return ct && strncasecmp(ct, "application/json", strlen("application/json")) == 0;
}

json_t *check_json_object_at(const http_response_t *r, const char *file, int line)
{
    if (!s_is_json_content_type(r))
        check_fail_at(r, file, line, "Content-Type is not application/json");
    if (!json_is_object(r->json))
        check_fail_at(r, file, line, "the body is not a JSON object");
    return r->json;
}

static void s_check_error_object(const http_response_t *r, json_t *err, const char *code,
                                 const char *file, int line)
{
    const char *key;
    json_t *value;
    if (!json_is_object(err))
        check_fail_at(r, file, line, "\"error\" is not an object");
    json_object_foreach(err, key, value)
    {
        if (strcmp(key, "code") && strcmp(key, "message") && strcmp(key, "details"))
            check_fail_at(r, file, line, "unexpected key error.%s", key);
    }
    json_t *jcode = json_object_get(err, "code"), *msg = json_object_get(err, "message");
    json_t *details = json_object_get(err, "details");
    if (!json_is_string(jcode) || strcmp(json_string_value(jcode), code) != 0)
        check_fail_at(r, file, line, "expected error.code \"%s\"", code);
    if (!json_is_string(msg) || json_string_length(msg) == 0)
        check_fail_at(r, file, line, "error.message must be a non-empty string");
    if (details && !json_is_object(details) && !json_is_null(details))
        check_fail_at(r, file, line, "error.details must be an object");
}

void check_error_at(const http_response_t *r, long status, const char *code, const char *file,
                    int line)
{
    check_status_at(r, status, file, line);
    json_t *body = check_json_object_at(r, file, line);
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value)
    {
        if (strcmp(key, "error") && strcmp(key, "request_id"))
            check_fail_at(r, file, line, "unexpected top-level key \"%s\" in an error", key);
    }
    s_check_error_object(r, json_object_get(body, "error"), code, file, line);
    json_t *rid = json_object_get(body, "request_id");
    const char *hdr = http_header(r, "X-Request-Id");
    if (!json_is_string(rid) || !hdr || strcmp(json_string_value(rid), hdr) != 0)
        check_fail_at(r, file, line, "request_id must equal the X-Request-Id header");
    if (status == 503) {
        const char *ra = http_header(r, "Retry-After");
        if (!ra || strcmp(ra, "1") != 0)
            check_fail_at(r, file, line, "a 503 must carry Retry-After: 1 (got %s)",
                          ra ? ra : "none");
    }
}

void check_invalid_argument_at(const http_response_t *r, const char *field, const char *file,
                               int line)
{
    check_error_at(r, 400, "invalid_argument", file, line);
    json_t *details = json_object_get(json_object_get(r->json, "error"), "details");
    json_t *jfield = json_object_get(details, "field");
    if (!json_is_string(jfield) || strcmp(json_string_value(jfield), field) != 0)
        check_fail_at(r, file, line, "expected error.details.field \"%s\"", field);
}

void check_test_begin(cluster_t *cluster)
{
    s_cluster = cluster;
    s_passed = false;
    if (cluster)
        cluster_mark_logs(cluster);
}

void check_test_passed(void)
{
    s_passed = true;
}

int check_test_end(void)
{
    if (!s_passed && s_cluster) {
        fprintf(stderr, "---- the test failed; cluster log lines written during it: ----\n");
        cluster_dump_logs(s_cluster, true);
    }
    s_cluster = NULL;
    return 0;
}

void check_require_services(void)
{
    const char *names[] = {"DATABASE_URL", "REDIS_URL"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = getenv(names[i]);
        if (!v || !*v) {
            fprintf(stderr,
                    "FATAL: %s is not set. The cluster tests need a real, migrated "
                    "PostgreSQL and a Redis: run them with `compose/bedrock test`, or "
                    "export DATABASE_URL and REDIS_URL.\n",
                    names[i]);
            exit(1);
        }
    }
}
