/* server — the civetweb instance of bedrock-replay: listens on 127.0.0.1,
 * sends /_replay/... to admin and everything else to serve.
 */
#ifndef BEDROCK_REPLAY_SERVER_H
#define BEDROCK_REPLAY_SERVER_H

#include "replay.h"

typedef struct {
    int port;         /* 0 = any free port */
    int threads;      /* civetweb num_threads: concurrent requests served */
    int keepalive_ms; /* idle time before a kept-alive connection is closed */
} server_settings_t;

typedef struct server server_t;

/* Starts listening on 127.0.0.1. replay is borrowed and must outlive the
 * server. Returns NULL (logged) when civetweb cannot start, e.g. port in use. */
server_t *server_start(const server_settings_t *settings, const replay_t *replay)
    __attribute__((warn_unused_result));

/* The port actually bound (useful when settings.port was 0). */
int server_port(const server_t *self);

/* Stops accepting, releases delayed and held requests (control_stop), waits
 * for every request thread, frees, sets *self_p to NULL. Safe on NULL. */
void server_stop(server_t **self_p);

#endif
