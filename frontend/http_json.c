#include "http_json.h"

#include <civetweb.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* First chunk allocated for a body of unknown length (chunked transfer). */
#define HTTP_JSON_READ_CHUNK 16384

int http_json_check_length(long long content_length, size_t max)
{
    return (content_length >= 0 && (unsigned long long)content_length > max) ? -1 : 0;
}

bool http_json_content_type_ok(const char *value)
{
    static const char want[] = HTTP_JSON_CONTENT_TYPE;
    if (!value)
        return true;
    while (*value == ' ' || *value == '\t')
        value++;
    if (strncasecmp(value, want, sizeof want - 1) != 0)
        return false;
    const char *rest = value + sizeof want - 1;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    return *rest == '\0' || *rest == ';';
}

int http_json_parse_body(const char *buf, size_t len, routes_body_t policy, json_t **out,
                         envelope_reply_t *err)
{
    *out = NULL;
    if (policy == ROUTES_BODY_NONE)
        return 0;
    if (len == 0) {
        if (policy == ROUTES_BODY_OPTIONAL_OBJECT)
            return 0;
        envelope_reply_set_error(err, 400, "invalid_json", "a JSON object body is required", NULL);
        return -1;
    }
    json_error_t jerr;
    json_t *value = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!value) {
        char message[ENVELOPE_MESSAGE_MAX];
        snprintf(message, sizeof message, "the body is not valid JSON: %s", jerr.text);
        envelope_reply_set_error(err, 400, "invalid_json", message,
                                 json_pack("{s:i, s:i}", "line", jerr.line, "column", jerr.column));
        return -1;
    }
    if (!json_is_object(value)) {
        json_decref(value);
        envelope_reply_set_error(err, 400, "invalid_json", "the body must be a JSON object", NULL);
        return -1;
    }
    *out = value;
    return 0;
}

const char *http_json_status_text(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
    }
}

const char *http_json_default_code(int status)
{
    switch (status) {
    case 400:
        return "bad_request";
    case 401:
        return "unauthorized";
    case 403:
        return "forbidden";
    case 404:
        return "not_found";
    case 405:
        return "method_not_allowed";
    case 408:
        return "request_timeout";
    case 409:
        return "conflict";
    case 413:
        return "payload_too_large";
    case 415:
        return "unsupported_media_type";
    case 429:
        return "rate_limited";
    case 431:
        return "headers_too_large";
    case 502:
        return "bad_gateway";
    case 503:
        return "unavailable";
    case 504:
        return "timeout";
    default:
        return status < 500 ? "bad_request" : "internal";
    }
}

/* ---- response bytes --------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;
    int failed;
} s_buf_t;

static void s_put(s_buf_t *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 512;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void s_puts(s_buf_t *b, const char *s)
{
    s_put(b, s, strlen(s));
}

/* Header names we set ourselves and never take from a reply. */
static bool s_reserved(const char *name)
{
    static const char *const names[] = {"content-type",
                                        "content-length",
                                        "x-request-id",
                                        "connection",
                                        "transfer-encoding",
                                        "keep-alive",
                                        NULL};
    for (int i = 0; names[i]; i++)
        if (strcasecmp(name, names[i]) == 0)
            return true;
    return false;
}

/* A header is forwarded only when it cannot break the response: token name, value
 * without control characters (no CR/LF injection), both within bounds. */
static bool s_header_ok(const char *name, const char *value)
{
    size_t n = strlen(name), v = value ? strlen(value) : 0;
    if (n == 0 || n > HTTP_JSON_HEADER_NAME_MAX || !value || v > HTTP_JSON_HEADER_VALUE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '-')
            return false;
    for (size_t i = 0; i < v; i++)
        if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] == 0x7f)
            return false;
    return !s_reserved(name);
}

/* "x-cache" -> "X-Cache"; the few names whose usual spelling is not that rule. */
static void s_put_header_name(s_buf_t *b, const char *name)
{
    static const char *const special[] = {"WWW-Authenticate", "ETag", NULL};
    for (int i = 0; special[i]; i++)
        if (strcasecmp(name, special[i]) == 0) {
            s_puts(b, special[i]);
            return;
        }
    char canon[HTTP_JSON_HEADER_NAME_MAX + 1];
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++) {
        bool start = i == 0 || name[i - 1] == '-';
        canon[i] =
            (char)(start ? toupper((unsigned char)name[i]) : tolower((unsigned char)name[i]));
    }
    s_put(b, canon, n);
}

/* Adds every acceptable header of obj; returns whether one was Retry-After. */
static bool s_put_headers(s_buf_t *b, const json_t *obj)
{
    bool retry_after = false;
    const char *name;
    json_t *value;
    if (!json_is_object(obj))
        return false;
    json_object_foreach((json_t *)obj, name, value)
    {
        const char *text = json_string_value(value);
        if (!s_header_ok(name, text))
            continue;
        retry_after = retry_after || strcasecmp(name, "retry-after") == 0;
        s_put_header_name(b, name);
        s_puts(b, ": ");
        s_puts(b, text);
        s_puts(b, "\r\n");
    }
    return retry_after;
}

static char *s_render(int status, const char *content_type, const char *body, size_t body_len,
                      const char *id_hex, const json_t *headers, const json_t *extra,
                      const char *connection, size_t *len)
{
    s_buf_t b = {0};
    char line[160];
    snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n", status,
             http_json_status_text(status), content_type);
    s_puts(&b, line);
    if (status != 204 && status >= 200) {
        snprintf(line, sizeof line, "Content-Length: %zu\r\n", body_len);
        s_puts(&b, line);
    }
    s_puts(&b, "X-Request-Id: ");
    s_puts(&b, id_hex);
    s_puts(&b, "\r\n");
    bool retry_after = s_put_headers(&b, headers);
    retry_after = s_put_headers(&b, extra) || retry_after;
    if (status == 503 && !retry_after)
        s_puts(&b, "Retry-After: " HTTP_JSON_RETRY_AFTER_DEFAULT "\r\n");
    if (connection) {
        s_puts(&b, "Connection: ");
        s_puts(&b, connection);
        s_puts(&b, "\r\n");
    }
    s_puts(&b, "\r\n");
    if (status != 204 && body_len)
        s_put(&b, body, body_len);
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    *len = b.len;
    return b.data;
}

char *http_json_render_raw(int status, const char *content_type, const char *body, size_t body_len,
                           const char *id_hex, const json_t *headers, const char *connection,
                           size_t *len)
{
    return s_render(status, content_type, body, body_len, id_hex, headers, NULL, connection, len);
}

/* The JSON text of rep's body; NULL when out of memory. The caller frees. */
static char *s_body(const envelope_reply_t *rep, const char *id_hex)
{
    if (rep->status < 400)
        return rep->data ? json_dumps(rep->data, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("null");
    const char *code = rep->error_code[0] ? rep->error_code : http_json_default_code(rep->status);
    const char *message = rep->error_message[0] ? rep->error_message : code;
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (err && rep->error_details)
        json_object_set(err, "details", rep->error_details);
    json_t *root = err ? json_pack("{s:o, s:s}", "error", err, "request_id", id_hex) : NULL;
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    return text;
}

char *http_json_render(const envelope_reply_t *rep, const char *id_hex, const json_t *extra,
                       const char *connection, size_t *len)
{
    char *body = rep->status == 204 ? NULL : s_body(rep, id_hex);
    if (rep->status != 204 && !body)
        return NULL;
    char *out = s_render(rep->status, HTTP_JSON_CONTENT_TYPE, body, body ? strlen(body) : 0, id_hex,
                         rep->headers, extra, connection, len);
    free(body);
    return out;
}

/* ---- civetweb ---------------------------------------------------------------- */

static int s_discard(struct mg_connection *conn, size_t max)
{
    char chunk[8192];
    size_t total = 0;
    for (;;) {
        int n = mg_read(conn, chunk, sizeof chunk);
        if (n < 0)
            return HTTP_JSON_IO_ERROR;
        if (n == 0)
            return 0;
        total += (size_t)n;
        if (total > max)
            return HTTP_JSON_TOO_LARGE;
    }
}

int http_json_read_body(struct mg_connection *conn, long long content_length, size_t max,
                        char **out, size_t *len)
{
    if (http_json_check_length(content_length, max) < 0)
        return HTTP_JSON_TOO_LARGE;
    if (!out)
        return s_discard(conn, max);
    *out = NULL;
    *len = 0;
    size_t cap = content_length >= 0 ? (size_t)content_length + 1 : HTTP_JSON_READ_CHUNK;
    char *buf = malloc(cap);
    size_t used = 0;
    int rc = buf ? 0 : HTTP_JSON_NO_MEMORY;
    while (rc == 0) {
        if (content_length >= 0 && used == (size_t)content_length)
            break; /* civetweb never hands out more than the declared length */
        if (used + 1 >= cap) {
            size_t grown_cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
            char *grown = grown_cap > cap ? realloc(buf, grown_cap) : NULL;
            if (!grown) {
                rc = grown_cap > cap ? HTTP_JSON_NO_MEMORY : HTTP_JSON_TOO_LARGE;
                break;
            }
            buf = grown;
            cap = grown_cap;
        }
        int n = mg_read(conn, buf + used, cap - used - 1);
        if (n < 0)
            rc = HTTP_JSON_IO_ERROR;
        else if (n == 0)
            break;
        else if ((used += (size_t)n) > max)
            rc = HTTP_JSON_TOO_LARGE;
    }
    if (rc < 0 || used == 0) {
        free(buf);
        return rc;
    }
    buf[used] = '\0';
    *out = buf;
    *len = used;
    return 0;
}

int http_json_send(struct mg_connection *conn, const char *buf, size_t len)
{
    return mg_write(conn, buf, len) == (int)len ? 0 : -1;
}
