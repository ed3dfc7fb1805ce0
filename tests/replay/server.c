#include "server.h"

#include "admin.h"
#include "http.h"
#include "log.h"
#include "mem.h"
#include "providers.h"
#include "serve.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The only address bedrock-replay listens on: it stands in for the internet in tests. */
#define SERVER_HOST "127.0.0.1"
/* While stopping, how often the listening socket is poked (see s_poke). */
#define SERVER_POKE_INTERVAL_US 20000

struct server {
    struct mg_context *ctx;
    const replay_t *replay;
    int port;
};

/* Every request comes here; returning > 0 tells civetweb it was handled. */
static int s_begin_request(struct mg_connection *conn)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const server_t *self = ri->user_data;
    /* local_uri_raw is NULL for an absolute URI naming another host. */
    const char *path = ri->local_uri_raw ? ri->local_uri_raw : ri->local_uri;
    if (!path || !ri->request_method)
        return http_send_error(conn, 400, "request has no local path");
    size_t plen = strlen(ADMIN_PREFIX);
    if (strncmp(path, ADMIN_PREFIX, plen) == 0 && (path[plen] == '/' || path[plen] == '\0'))
        return admin_request(conn, self->replay, path);
    const char *rest = path;
    int provider = providers_from_path(path, &rest);
    return serve_request(conn, self->replay, provider, path, rest);
}

static int s_log_message(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    log_warn("civetweb: %s", message);
    return 1;
}

server_t *server_start(const server_settings_t *settings, const replay_t *replay)
{
    char listen[64], threads[16], keepalive[16];
    snprintf(listen, sizeof listen, SERVER_HOST ":%d", settings->port);
    snprintf(threads, sizeof threads, "%d", settings->threads);
    snprintf(keepalive, sizeof keepalive, "%d", settings->keepalive_ms);
    const char *options[] = {
        "listening_ports",   listen, "num_threads",           threads,   "tcp_nodelay", "1",
        "enable_keep_alive", "yes",  "keep_alive_timeout_ms", keepalive, NULL,
    };
    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.begin_request = s_begin_request;
    callbacks.log_message = s_log_message;

    server_t *self = mem_calloc(1, sizeof *self);
    self->replay = replay;
    self->ctx = mg_start(&callbacks, self, options);
    if (!self->ctx) {
        log_error("replay: cannot listen on %s", listen);
        free(self);
        return NULL;
    }
    struct mg_server_port ports[4];
    int n = mg_get_server_ports(self->ctx, 4, ports);
    if (n < 1 || ports[0].port <= 0) {
        log_error("replay: civetweb did not report the bound port");
        mg_stop(self->ctx);
        free(self);
        return NULL;
    }
    self->port = ports[0].port;
    return self;
}

int server_port(const server_t *self)
{
    return self->port;
}

typedef struct {
    int port;
    atomic_bool done;
} s_poke_t;

/* civetweb's accept loop only notices mg_stop after its 2 s poll times out or
 * a connection arrives; connecting to ourselves makes stopping take
 * milliseconds instead. Runs until mg_stop has returned. */
static void *s_poke(void *arg)
{
    s_poke_t *poke = arg;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)poke->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (!atomic_load(&poke->done)) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd >= 0) {
            /* Refused once the listener is closed: that is fine too. */
            (void)connect(fd, (struct sockaddr *)&addr, sizeof addr);
            close(fd);
        }
        usleep(SERVER_POKE_INTERVAL_US);
    }
    return NULL;
}

void server_stop(server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    server_t *self = *self_p;
    /* Wake delayed and held requests first: mg_stop joins every request thread. */
    control_stop(self->replay->control);
    s_poke_t poke = {.port = self->port};
    atomic_init(&poke.done, false);
    pthread_t poker;
    bool poking = pthread_create(&poker, NULL, s_poke, &poke) == 0;
    mg_stop(self->ctx);
    atomic_store(&poke.done, true);
    if (poking)
        pthread_join(poker, NULL);
    free(self);
    *self_p = NULL;
}
