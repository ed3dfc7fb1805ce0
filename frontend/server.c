#include "server.h"

#include "bridge.h"
#include "fe_metrics.h"
#include "log.h"
#include "request.h"

#include <civetweb.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* civetweb thread types passed to init_thread / exit_thread. */
#define SERVER_WORKER_THREAD 1

struct server_t {
    struct mg_context *mg;
    bool library; /* mg_init_library was called */
    void *zmq_ctx;
    request_env_t env;
};

/* Until the server runs, civetweb's messages are not logged but kept (the first one),
 * so that a bind failure is reported once, by main, with civetweb's reason. */
static atomic_bool s_running;
static char s_start_message[256];

static void *s_init_thread(const struct mg_context *ctx, int thread_type)
{
    (void)ctx;
    if (thread_type != SERVER_WORKER_THREAD)
        return NULL;
    return calloc(1, sizeof(request_thread_t)); /* NULL: requests on it answer 500 */
}

/* Runs on the exiting thread itself, which is where its ZeroMQ socket must close. */
static void s_exit_thread(const struct mg_context *ctx, int thread_type, void *pointer)
{
    (void)ctx;
    (void)thread_type;
    request_thread_t *thread = pointer;
    if (!thread)
        return;
    bridge_destroy(&thread->bridge);
    free(thread);
}

static int s_handler(struct mg_connection *conn, void *cbdata)
{
    return request_handle(conn, cbdata, mg_get_thread_pointer(conn));
}

static int s_http_error(struct mg_connection *conn, int status, const char *message)
{
    return request_civetweb_error(conn, status, message);
}

static int s_log_message(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    if (atomic_load(&s_running))
        log_warn("civetweb: %s", message);
    else if (!s_start_message[0])
        snprintf(s_start_message, sizeof s_start_message, "%s", message);
    return 1;
}

/* The civetweb options; numbers are formatted into bufs (5 x 24 bytes). */
static void s_options(const fe_settings_t *s, char bufs[5][24], const char *opts[32])
{
    snprintf(bufs[0], 24, "%ld", s->http_threads);
    snprintf(bufs[1], 24, "%d", FE_SETTINGS_KEEP_ALIVE_TIMEOUT_MS);
    snprintf(bufs[2], 24, "%d", FE_SETTINGS_HTTP_READ_TIMEOUT_MS);
    snprintf(bufs[3], 24, "%d", FE_SETTINGS_LISTEN_BACKLOG);
    snprintf(bufs[4], 24, "%d", FE_SETTINGS_CONNECTION_QUEUE);
    /* clang-format off */
    const char *list[] = {
        "listening_ports", s->http_addr,
        "num_threads", bufs[0],
        "tcp_nodelay", "1",           /* DESIGN §6: or every response stalls 40 ms */
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", bufs[1],
        "request_timeout_ms", bufs[2],
        "listen_backlog", bufs[3],
        "connection_queue", bufs[4],
        "decode_url", "no",           /* routes.c splits the raw path, then decodes params */
        "enable_directory_listing", "no",
        NULL,
    };
    /* clang-format on */
    memcpy(opts, list, sizeof list);
}

server_t *server_start(const fe_settings_t *settings, char *err, size_t err_size)
{
    server_t *self = calloc(1, sizeof *self);
    if (!self || fe_metrics_init() < 0) {
        snprintf(err, err_size, "out of memory");
        free(self);
        return NULL;
    }
    self->zmq_ctx = zmq_ctx_new();
    if (!self->zmq_ctx) {
        snprintf(err, err_size, "zmq_ctx_new failed: %s", zmq_strerror(zmq_errno()));
        server_stop(&self);
        return NULL;
    }
    /* One DEALER per civetweb thread: ZeroMQ's default cap (1023 sockets) must not be
     * what limits BEDROCK_HTTP_THREADS. */
    if (zmq_ctx_set(self->zmq_ctx, ZMQ_MAX_SOCKETS, (int)settings->http_threads + 64) < 0)
        log_warn("zmq: cannot raise ZMQ_MAX_SOCKETS: %s", zmq_strerror(zmq_errno()));
    self->env.settings = settings;
    self->env.zmq_ctx = self->zmq_ctx;
    bridge_options_default(&self->env.bridge_opts);

    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.init_thread = s_init_thread;
    callbacks.exit_thread = s_exit_thread;
    callbacks.http_error = s_http_error;
    callbacks.log_message = s_log_message;
    char bufs[5][24];
    const char *opts[32];
    s_options(settings, bufs, opts);
    struct mg_init_data init = {&callbacks, &self->env, opts};
    char text[256] = "";
    struct mg_error_data error = {NULL, text, sizeof text};
    mg_init_library(0);
    self->library = true;
    self->mg = mg_start2(&init, &error);
    if (!self->mg) {
        s_start_message[strcspn(s_start_message, "\r\n")] = '\0';
        bool same = strcmp(text, s_start_message) == 0;
        snprintf(err, err_size, "cannot listen on %s: %s%s%s", settings->http_addr,
                 text[0] ? text : "civetweb failed to start",
                 s_start_message[0] && !same ? " (" : "", same ? "" : s_start_message);
        if (s_start_message[0] && !same)
            strncat(err, ")", err_size - strlen(err) - 1);
        server_stop(&self);
        return NULL;
    }
    mg_set_request_handler(self->mg, "/", s_handler, &self->env);
    atomic_store(&s_running, true);
    return self;
}

void server_stop(server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    server_t *self = *self_p;
    atomic_store(&s_running, false);
    if (self->mg)
        mg_stop(self->mg); /* joins the workers; exit_thread closes their sockets */
    if (self->library)
        mg_exit_library();
    if (self->zmq_ctx)
        zmq_ctx_term(self->zmq_ctx);
    fe_metrics_shutdown();
    free(self);
    *self_p = NULL;
}
