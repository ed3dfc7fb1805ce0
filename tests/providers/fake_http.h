/* fake_http — a tiny HTTP/1.1 server on 127.0.0.1 in a thread, for provider tests.
 *
 * Keeps connections alive (several at once, through poll), hands each request to
 * a handler that fills the reply, and records every request. The handler runs on
 * the server thread while the server's lock is held; tests read shared state only
 * through fake_http_request/fake_http_count (which take the same lock).
 */
#ifndef BEDROCK_TEST_FAKE_HTTP_H
#define BEDROCK_TEST_FAKE_HTTP_H

#include <stddef.h>

typedef struct {
    char method[16];
    char target[2048];  /* path and query, as sent */
    char headers[8192]; /* the header lines, "\r\n" separated */
    char body[4096];
} fake_request_t;

typedef struct {
    long status; /* 0 = close the connection without answering */
    char *body;  /* freed by the server when owned */
    size_t body_len;
    int owned;
    int delay_ms; /* wait this long before answering */
} fake_reply_t;

typedef void (*fake_handler_t)(void *ud, const fake_request_t *req, fake_reply_t *reply);

typedef struct fake_http fake_http_t;

/* Starts the server; never NULL (aborts when it cannot listen). */
fake_http_t *fake_http_start(fake_handler_t handler, void *ud);
void fake_http_stop(fake_http_t **self_p);
int fake_http_port(const fake_http_t *self);

/* Requests received so far and connections accepted so far. */
int fake_http_count(fake_http_t *self, int *connections);

/* Copy of request i (0-based). Returns 0, or -1 when there is no such request. */
int fake_http_request(fake_http_t *self, int i, fake_request_t *out);

/* Value of header name (case-insensitive) in req, copied into out; 0 or -1. */
int fake_http_header(const fake_request_t *req, const char *name, char *out, size_t size);

#endif
