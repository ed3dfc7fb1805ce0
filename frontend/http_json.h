/* http_json — request bodies in, JSON responses out.
 *
 * The decisions (size, media type, JSON syntax, response bytes) are pure functions
 * so the unit tests exercise them without a server; http_json_read_body and
 * http_json_send are the only ones that touch a civetweb connection.
 *
 * Every response carries Content-Type (application/json unless said otherwise) and
 * X-Request-Id; a status >= 400 gets the one error shape
 *   {"error":{"code","message"[,"details"]},"request_id":"<hex>"}
 * and a 503 always carries Retry-After (HTTP_JSON_RETRY_AFTER_DEFAULT unless the
 * reply names one). Status 204 has no body.
 */
#ifndef BEDROCK_HTTP_JSON_H
#define BEDROCK_HTTP_JSON_H

#include "envelope.h"
#include "routes.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* API.md: bodies over 1 MiB are refused with 413. */
#define HTTP_JSON_MAX_BODY 1048576
#define HTTP_JSON_RETRY_AFTER_DEFAULT "1"
#define HTTP_JSON_CONTENT_TYPE "application/json"
/* Reply headers longer than this (name or value) are dropped, not forwarded. */
#define HTTP_JSON_HEADER_NAME_MAX 64
#define HTTP_JSON_HEADER_VALUE_MAX 1024

enum {
    HTTP_JSON_TOO_LARGE = -1, /* more than max bytes */
    HTTP_JSON_IO_ERROR = -2,  /* the client went away or timed out mid-body */
    HTTP_JSON_NO_MEMORY = -3,
};

/* 0 when a declared Content-Length (-1 = none declared) is within max, else -1. */
int http_json_check_length(long long content_length, size_t max);

/* True for an absent value or application/json (any case), with or without
 * parameters such as "; charset=utf-8". */
bool http_json_content_type_ok(const char *value);

/* Turns the raw body into what the route wants. Returns 0 with *out set (a new
 * reference the caller owns, or NULL when there is no body to pass on), or -1 with
 * err filled as 400 invalid_json (details {line, column} for a syntax error). */
int http_json_parse_body(const char *buf, size_t len, routes_body_t policy, json_t **out,
                         envelope_reply_t *err);

/* "OK", "Not Found", ...; never NULL. */
const char *http_json_status_text(int status);

/* The snake_case code used when an error reply names none ("internal" for 500, ...). */
const char *http_json_default_code(int status);

/* Complete response bytes (status line, headers, body) for rep: its data as JSON, or
 * the error shape for status >= 400. extra is an optional object of header name ->
 * string value added after rep->headers (e.g. {"allow": "GET, POST"}). connection
 * is "close", "keep-alive" or NULL (no Connection header). Returns a malloc'd
 * buffer the caller frees and its length in *len, or NULL when out of memory. */
char *http_json_render(const envelope_reply_t *rep, const char *id_hex, const json_t *extra,
                       const char *connection, size_t *len);

/* Same, for a body that is already bytes (e.g. the Prometheus text). */
char *http_json_render_raw(int status, const char *content_type, const char *body, size_t body_len,
                           const char *id_hex, const json_t *headers, const char *connection,
                           size_t *len);

struct mg_connection;

/* Reads the request body, at most max bytes, into *out (malloc'd, NUL-terminated,
 * the caller frees; NULL with *len 0 when there is none). With out == NULL the body
 * is read and discarded. Returns 0 or one of the HTTP_JSON_* errors; never reads
 * more than max + 1 bytes. */
int http_json_read_body(struct mg_connection *conn, long long content_length, size_t max,
                        char **out, size_t *len);

/* Writes buf in one mg_write. Returns 0, or -1 when the client is gone. */
int http_json_send(struct mg_connection *conn, const char *buf, size_t len);

#endif
