/* http — a small libcurl client for the cluster tests.
 *
 * Thread-safe: curl_global_init runs once (pthread_once) and every call uses its own
 * easy handle, or the caller's http_conn_t (one per thread, for keep-alive loops).
 * A request never hangs: each has a total timeout (default HTTP_DEFAULT_TIMEOUT_MS).
 *
 * Ownership: http_do/http_request return a response the caller releases with
 * http_response_free. Strings inside it belong to the response.
 */
#ifndef BEDROCK_TEST_HTTP_H
#define BEDROCK_TEST_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define HTTP_DEFAULT_TIMEOUT_MS 15000

typedef struct {
    char *name;
    char *value;
} http_header_t;

typedef struct {
    long status;            /* 0 when no HTTP answer came; see error */
    char error[256];        /* curl's message when status is 0 */
    http_header_t *headers; /* n_headers entries, of the final response only */
    size_t n_headers;
    char *body; /* NUL-terminated (body_len bytes before the NUL) */
    size_t body_len;
    json_t *json;      /* the body parsed as JSON, or NULL */
    double elapsed_ms; /* from sending to the last byte */
} http_response_t;

typedef struct {
    const char *method; /* "GET", "POST", ... */
    const char *url;
    const char *bearer;         /* adds "Authorization: Bearer <bearer>" when non-NULL */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated, or NULL */
    const char *body;           /* NULL = no body */
    size_t body_len;            /* 0 with a body = strlen(body) */
    const char *content_type;   /* with a body: NULL = application/json; "" = send none */
    long timeout_ms;            /* 0 = HTTP_DEFAULT_TIMEOUT_MS */
    bool chunked;               /* send the body with Transfer-Encoding: chunked */
} http_request_t;

/* A reusable connection (curl easy handle) for one thread at a time. */
typedef struct http_conn_t http_conn_t;

http_conn_t *http_conn_new(void);
void http_conn_destroy(http_conn_t **self_p);

/* Performs req on conn (NULL = a fresh connection). Never returns NULL (aborts on OOM). */
http_response_t *http_do_on(http_conn_t *conn, const http_request_t *req);
http_response_t *http_do(const http_request_t *req);

/* The brief's shape: headers NULL-terminated "Name: value", body JSON text or NULL. */
http_response_t *http_request(const char *method, const char *url, const char *const *headers,
                              const char *body);

/* Shorthands: base is "http://host:port", path starts with '/'. body is JSON text or NULL. */
http_response_t *http_get(const char *base, const char *path, const char *bearer);
http_response_t *http_post(const char *base, const char *path, const char *bearer,
                           const char *body);

/* Case-insensitive header lookup; borrowed value or NULL. */
const char *http_header(const http_response_t *r, const char *name);

/* Writes a readable dump (status, headers, first bytes of the body) to stderr. */
void http_response_print(const http_response_t *r, const char *label);

void http_response_free(http_response_t **r_p);

#endif
