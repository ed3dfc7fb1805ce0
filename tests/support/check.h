/* check — cmocka assertions about HTTP replies, reporting at the caller's line and
 * printing the whole reply (status, headers, body) when they fail.
 *
 * Include <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h> before this header, as
 * cmocka requires.
 *
 * The per-test log harness: call check_test_begin(cluster) in a test's setup,
 * check_test_passed() as the last line of the test, and check_test_end() in its
 * teardown: when the test did not reach its end (an assertion failed), the cluster's
 * log lines written during the test are printed.
 */
#ifndef BEDROCK_TEST_CHECK_H
#define BEDROCK_TEST_CHECK_H

#include "cluster.h"
#include "http.h"

#include <stdbool.h>

/* Status equals; the reply has a 32-hex X-Request-Id. */
#define expect_status(r, status) check_status_at((r), (status), __FILE__, __LINE__)
/* The exact error shape: status, Content-Type application/json, body exactly
 * {"error":{"code","message"[,"details"]},"request_id"} with request_id == X-Request-Id,
 * code == code; a 503 carries Retry-After: 1. */
#define expect_error(r, status, code) check_error_at((r), (status), (code), __FILE__, __LINE__)
/* expect_error with code invalid_argument and details.field == field. */
#define expect_invalid_argument(r, field)                                                          \
    check_invalid_argument_at((r), (field), __FILE__, __LINE__)
/* X-Request-Id is 32 lower-case hex characters. */
#define expect_request_id(r) check_request_id_at((r), __FILE__, __LINE__)
/* Body is a JSON object and the reply is application/json; returns it (borrowed). */
#define expect_json_object(r) check_json_object_at((r), __FILE__, __LINE__)
/* A condition with a message and the reply printed on failure. */
#define expect_that(r, cond, ...) check_that_at((r), (cond), #cond, __FILE__, __LINE__, __VA_ARGS__)

void check_status_at(const http_response_t *r, long status, const char *file, int line);
void check_error_at(const http_response_t *r, long status, const char *code, const char *file,
                    int line);
void check_invalid_argument_at(const http_response_t *r, const char *field, const char *file,
                               int line);
void check_request_id_at(const http_response_t *r, const char *file, int line);
json_t *check_json_object_at(const http_response_t *r, const char *file, int line);
void check_that_at(const http_response_t *r, bool cond, const char *expr, const char *file,
                   int line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Fails at file:line with a printf message (and the reply when r is non-NULL). */
void check_fail_at(const http_response_t *r, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define check_fail(r, ...) check_fail_at((r), __FILE__, __LINE__, __VA_ARGS__)

/* True when text is exactly n lower-case hex characters. */
bool check_is_hex(const char *text, size_t n);

void check_test_begin(cluster_t *cluster);
void check_test_passed(void);
/* Returns 0; prints the logs of the cluster given to check_test_begin when the test
 * did not call check_test_passed. */
int check_test_end(void);

/* Exits non-zero with a clear line unless DATABASE_URL and REDIS_URL are set. */
void check_require_services(void);

#endif
