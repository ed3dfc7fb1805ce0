/* request — one HTTP request through the frontend pipeline:
 *
 *   route (404 / 405 + Allow) -> declared size (413) -> media type (415)
 *   -> bearer (401) -> body (413 / 400 invalid_json) -> query + path args
 *   -> broker call over this thread's bridge, or a frontend.* local op
 *   -> one response write (headers and body in one mg_write).
 *
 * Cheap header checks come first; the bearer is checked before the body is read so
 * that an unauthenticated client never makes us read or parse anything. A body that
 * is left unread (413, 415, 401) closes the connection after the response.
 */
#ifndef BEDROCK_REQUEST_H
#define BEDROCK_REQUEST_H

#include "bridge.h"
#include "envelope.h"
#include "fe_settings.h"

#include <jansson.h>

struct mg_connection;

/* Read-only, shared by every civetweb thread. */
typedef struct {
    const fe_settings_t *settings;
    void *zmq_ctx;
    bridge_options_t bridge_opts;
} request_env_t;

/* One per civetweb worker thread (init_thread), never shared. */
typedef struct {
    bridge_t *bridge; /* owned; created on the thread's first broker call */
} request_thread_t;

/* Serves the request on conn; returns the HTTP status sent (civetweb's convention). */
int request_handle(struct mg_connection *conn, const request_env_t *env, request_thread_t *thread);

/* civetweb's http_error callback body: answers a civetweb-level failure (malformed
 * request line, headers too large, ...) with the JSON error shape and closes the
 * connection. Returns 0 (handled). */
int request_civetweb_error(struct mg_connection *conn, int status, const char *message);

/* The thread's bridge, created on first use; NULL when it cannot be (logged). */
bridge_t *request_thread_bridge(const request_env_t *env, request_thread_t *thread);

/* Fills req->meta_* from the connection (remote address, User-Agent, X-Request-Id),
 * cleaned and truncated to fit. */
void request_fill_meta(struct mg_connection *conn, envelope_request_t *req);

#endif
