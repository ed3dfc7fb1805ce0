#include "http.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int http_send(struct mg_connection *conn, int status, const char *content_type, const char *body,
              size_t len, int retry_after_s)
{
    char length[32], retry[32];
    snprintf(length, sizeof length, "%zu", len);
    snprintf(retry, sizeof retry, "%d", retry_after_s);
    /* A failed header call means the connection is unusable; there is nobody to tell. */
    if (mg_response_header_start(conn, status) != 0)
        return status;
    if (mg_response_header_add(conn, "Content-Type", content_type, -1) != 0 ||
        mg_response_header_add(conn, "Content-Length", length, -1) != 0 ||
        (retry_after_s > 0 && mg_response_header_add(conn, "Retry-After", retry, -1) != 0))
        return status;
    if (mg_response_header_send(conn) != 0)
        return status;
    if (len > 0 && mg_write(conn, body, len) < 0)
        return status;
    return status;
}

int http_send_json(struct mg_connection *conn, int status, json_t *json)
{
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    if (!text) {
        static const char fallback[] = "{\"error\":\"reply could not be encoded\"}";
        return http_send(conn, 500, "application/json", fallback, sizeof fallback - 1, 0);
    }
    http_send(conn, status, "application/json", text, strlen(text), 0);
    free(text);
    return status;
}

int http_send_error(struct mg_connection *conn, int status, const char *message)
{
    return http_send_json(conn, status, json_pack("{s:s}", "error", message));
}

char *http_read_body(struct mg_connection *conn, size_t max)
{
    char *buf = mem_alloc(max + 1);
    size_t len = 0;
    for (;;) {
        /* Read one byte past max, so that "exactly max" and "more" differ. */
        size_t room = max + 1 - len;
        if (room == 0)
            break;
        int n = mg_read(conn, buf + len, room);
        if (n < 0) {
            free(buf);
            return NULL;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > max) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}
