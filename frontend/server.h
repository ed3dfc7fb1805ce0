/* server — the civetweb server: start, stop, and the callbacks that connect it to
 * request.c (handler), per-thread bridges (init_thread / exit_thread), JSON pages for
 * civetweb's own errors (http_error) and civetweb's log lines (log_message).
 */
#ifndef BEDROCK_SERVER_H
#define BEDROCK_SERVER_H

#include "fe_settings.h"

#include <stddef.h>

typedef struct server_t server_t;

/* Starts listening on settings->http_addr with settings->http_threads threads. The
 * settings must outlive the server. Returns the server (stop it with server_stop), or
 * NULL with a one-line reason in err (e.g. the port cannot be bound). */
server_t *server_start(const fe_settings_t *settings, char *err, size_t err_size);

/* Stops accepting, lets the running requests finish, closes every thread's socket
 * and frees *self_p (set to NULL). Safe on NULL. */
void server_stop(server_t **self_p);

#endif
