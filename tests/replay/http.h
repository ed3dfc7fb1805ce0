/* http — the few civetweb calls bedrock-replay's handlers need: send a
 * complete reply, read a bounded request body.
 *
 * Every http_send_* returns the status it sent (civetweb's convention for
 * a handled request), also when the client has gone away in between.
 */
#ifndef BEDROCK_REPLAY_HTTP_H
#define BEDROCK_REPLAY_HTTP_H

#include <civetweb.h>
#include <jansson.h>
#include <stddef.h>

/* Sends status, Content-Type, Content-Length and len bytes of body. When
 * retry_after_s > 0 a Retry-After header is added. */
int http_send(struct mg_connection *conn, int status, const char *content_type, const char *body,
              size_t len, int retry_after_s);

/* Sends json (compact) as application/json and drops the caller's reference
 * (steals it, like jansson's *_new functions). A NULL json sends a 500. */
int http_send_json(struct mg_connection *conn, int status, json_t *json);

/* Sends {"error": message} with status. */
int http_send_error(struct mg_connection *conn, int status, const char *message);

/* Reads the request body, at most max bytes. Returns a NUL-terminated string
 * the caller frees, or NULL when it is larger than max or cannot be read. */
char *http_read_body(struct mg_connection *conn, size_t max);

#endif
