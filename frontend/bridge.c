#include "bridge.h"

#include "log.h"
#include "proto.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

/* Why ZMQ_IMMEDIATE = 1
 * Without it a DEALER queues messages on a pipe that is still (re)connecting, so a
 * request sent while the broker is down sits there until its deadline and the client
 * waits the full BEDROCK_REQUEST_TIMEOUT_MS for a 504. With it, a send only succeeds
 * when a connection to the broker is up, so "the broker is down" is something we can
 * tell: the send waits up to connect_wait_ms for a connection (this also covers the
 * first request on a fresh socket and a broker restart, which reconnects within
 * BRIDGE_RECONNECT_IVL_MS), and if there is still none the request is answered at
 * once with 503 no_worker + Retry-After, as the broker itself answers when no worker
 * serves an op. A broker that dies after taking a request yields 504 timeout at the
 * deadline (the request is lost with it; we never resend, the op may not be
 * idempotent). */

struct bridge_t {
    void *socket;
    void *ctx;
    char *endpoint;
    bridge_options_t opts;
};

static atomic_uint_fast64_t s_calls, s_late, s_malformed, s_unavailable, s_timeouts;

void bridge_options_default(bridge_options_t *o)
{
    o->linger_ms = 0;
    o->connect_wait_ms = BRIDGE_CONNECT_WAIT_MS;
    o->reply_grace_ms = BRIDGE_REPLY_GRACE_MS;
}

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_setopt_int(void *socket, int option, int value)
{
    return zmq_setsockopt(socket, option, &value, sizeof value);
}

static void *s_open(void *ctx, const char *endpoint, const bridge_options_t *o)
{
    void *socket = zmq_socket(ctx, ZMQ_DEALER);
    if (!socket) {
        log_error("bridge: zmq_socket failed: %s", zmq_strerror(errno));
        return NULL;
    }
    if (s_setopt_int(socket, ZMQ_LINGER, o->linger_ms) < 0 ||
        s_setopt_int(socket, ZMQ_IMMEDIATE, 1) < 0 ||
        s_setopt_int(socket, ZMQ_RECONNECT_IVL, BRIDGE_RECONNECT_IVL_MS) < 0 ||
        s_setopt_int(socket, ZMQ_RECONNECT_IVL_MAX, BRIDGE_RECONNECT_IVL_MAX_MS) < 0 ||
        s_setopt_int(socket, ZMQ_HEARTBEAT_IVL, BRIDGE_HEARTBEAT_IVL_MS) < 0 ||
        s_setopt_int(socket, ZMQ_HEARTBEAT_TIMEOUT, BRIDGE_HEARTBEAT_TIMEOUT_MS) < 0 ||
        zmq_connect(socket, endpoint) < 0) {
        log_error("bridge: cannot set up the socket to %s: %s", endpoint, zmq_strerror(errno));
        zmq_close(socket);
        return NULL;
    }
    return socket;
}

bridge_t *bridge_new(void *zmq_ctx, const char *endpoint, const bridge_options_t *opts)
{
    bridge_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->ctx = zmq_ctx;
    self->opts = *opts;
    self->endpoint = strdup(endpoint);
    self->socket = self->endpoint ? s_open(zmq_ctx, endpoint, opts) : NULL;
    if (!self->socket) {
        free(self->endpoint);
        free(self);
        return NULL;
    }
    return self;
}

void bridge_destroy(bridge_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    bridge_t *self = *self_p;
    if (self->socket)
        zmq_close(self->socket);
    free(self->endpoint);
    free(self);
    *self_p = NULL;
}

/* A half-sent multipart message would poison every later request on this socket,
 * so after an unexpected send failure the socket is replaced. */
static void s_reset(bridge_t *self)
{
    zmq_close(self->socket);
    self->socket = s_open(self->ctx, self->endpoint, &self->opts);
}

static void s_free_buffer(void *data, void *hint)
{
    (void)hint;
    free(data);
}

/* Sends the three frames once a connection is up, waiting until connect_by (monotonic
 * ms). The encoded envelope travels zero-copy: ZeroMQ frees it when sent. */
static bridge_result_t s_send(bridge_t *self, const envelope_request_t *req, int64_t connect_by)
{
    if (!self->socket)
        s_reset(self);
    if (!self->socket)
        return BRIDGE_ERROR;
    size_t len;
    char *buf = envelope_request_encode(req, &len);
    zmq_msg_t msg;
    if (!buf || zmq_msg_init_data(&msg, buf, len, s_free_buffer, NULL) < 0) {
        free(buf);
        return BRIDGE_ERROR;
    }
    for (;;) {
        if (zmq_send(self->socket, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) == 0)
            break;
        int64_t left = connect_by - s_mono_ms();
        if ((errno != EAGAIN && errno != EINTR) || left <= 0) {
            zmq_msg_close(&msg);
            return errno == EAGAIN || errno == EINTR ? BRIDGE_UNAVAILABLE : BRIDGE_ERROR;
        }
        zmq_pollitem_t item = {self->socket, 0, ZMQ_POLLOUT, 0};
        if (zmq_poll(&item, 1, (long)left) < 0 && errno != EINTR) {
            zmq_msg_close(&msg);
            return BRIDGE_ERROR;
        }
    }
    if (zmq_send(self->socket, PROTO_CLIENT, strlen(PROTO_CLIENT), ZMQ_SNDMORE) < 0 ||
        zmq_msg_send(&msg, self->socket, 0) < 0) {
        log_error("bridge: send failed mid-message: %s", zmq_strerror(errno));
        zmq_msg_close(&msg);
        s_reset(self);
        return BRIDGE_ERROR;
    }
    return BRIDGE_OK;
}

/* Receives the remaining parts of a message whose first part is in parts[0]. The
 * first three parts are kept in parts (*kept says how many are initialised, for the
 * caller to close), any further ones are dropped. Returns the number of parts, or -1. */
static int s_recv_rest(void *socket, zmq_msg_t parts[3], int *kept)
{
    int n = 1;
    *kept = 1;
    bool more = zmq_msg_more(&parts[0]);
    while (more) {
        zmq_msg_t scratch;
        zmq_msg_t *dst = n < 3 ? &parts[n] : &scratch;
        zmq_msg_init(dst);
        if (dst != &scratch)
            (*kept)++;
        int rc = zmq_msg_recv(dst, socket, 0);
        more = rc >= 0 && zmq_msg_more(dst);
        if (dst == &scratch)
            zmq_msg_close(&scratch);
        if (rc < 0)
            return -1;
        n++;
    }
    return n;
}

static bool s_framing_ok(int n, zmq_msg_t parts[3])
{
    return n == 3 && zmq_msg_size(&parts[0]) == 0 &&
           zmq_msg_size(&parts[1]) == strlen(PROTO_CLIENT) &&
           memcmp(zmq_msg_data(&parts[1]), PROTO_CLIENT, strlen(PROTO_CLIENT)) == 0;
}

/* Takes every message already waiting. Returns 1 when the reply to id was found and
 * decoded into *reply, 0 when none is waiting (yet), -1 on a socket error. */
static int s_drain(bridge_t *self, const uint8_t id[ENVELOPE_ID_SIZE], envelope_reply_t *reply)
{
    for (;;) {
        zmq_msg_t parts[3];
        zmq_msg_init(&parts[0]);
        if (zmq_msg_recv(&parts[0], self->socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&parts[0]);
            return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        }
        int kept;
        int n = s_recv_rest(self->socket, parts, &kept);
        int found = 0;
        if (n < 0 || !s_framing_ok(n, parts) ||
            envelope_reply_decode(zmq_msg_data(&parts[2]), zmq_msg_size(&parts[2]), reply) < 0) {
            atomic_fetch_add_explicit(&s_malformed, 1, memory_order_relaxed);
        } else if (memcmp(reply->id, id, ENVELOPE_ID_SIZE) == 0) {
            found = 1;
        } else {
            atomic_fetch_add_explicit(&s_late, 1, memory_order_relaxed);
            envelope_reply_clear(reply);
        }
        for (int i = 0; i < kept; i++)
            zmq_msg_close(&parts[i]);
        if (n < 0)
            return -1;
        if (found)
            return 1;
    }
}

static bridge_result_t s_count(bridge_result_t rc)
{
    if (rc == BRIDGE_TIMEOUT)
        atomic_fetch_add_explicit(&s_timeouts, 1, memory_order_relaxed);
    else if (rc == BRIDGE_UNAVAILABLE)
        atomic_fetch_add_explicit(&s_unavailable, 1, memory_order_relaxed);
    return rc;
}

bridge_result_t bridge_call(bridge_t *self, const envelope_request_t *req, envelope_reply_t *reply)
{
    envelope_reply_init(reply);
    atomic_fetch_add_explicit(&s_calls, 1, memory_order_relaxed);
    int64_t now = s_mono_ms();
    int64_t wait =
        req->deadline_ms ? req->deadline_ms - envelope_now_ms() : BRIDGE_NO_DEADLINE_WAIT_MS;
    int64_t reply_by = now + (wait > 0 ? wait : 0) + self->opts.reply_grace_ms;
    /* Waiting for a connection never runs past the request's own deadline. */
    int64_t connect_by = now + self->opts.connect_wait_ms;
    int64_t deadline_by = now + (wait > 0 ? wait : 0);
    bridge_result_t rc = s_send(self, req, connect_by < deadline_by ? connect_by : deadline_by);
    if (rc != BRIDGE_OK || req->noreply)
        return s_count(rc);
    for (;;) {
        int found = s_drain(self, req->id, reply);
        if (found != 0)
            return found > 0 ? BRIDGE_OK : BRIDGE_ERROR;
        int64_t left = reply_by - s_mono_ms();
        if (left <= 0)
            return s_count(BRIDGE_TIMEOUT);
        zmq_pollitem_t item = {self->socket, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, (long)left) < 0 && errno != EINTR)
            return BRIDGE_ERROR;
    }
}

void bridge_failure_reply(bridge_result_t rc, const uint8_t id[ENVELOPE_ID_SIZE],
                          envelope_reply_t *reply)
{
    envelope_reply_clear(reply);
    memcpy(reply->id, id, ENVELOPE_ID_SIZE);
    if (rc == BRIDGE_TIMEOUT) {
        envelope_reply_set_error(reply, 504, "timeout",
                                 "the request did not complete before its deadline", NULL);
    } else if (rc == BRIDGE_UNAVAILABLE) {
        envelope_reply_set_error(reply, 503, "no_worker", "the broker is unavailable", NULL);
        reply->headers = json_pack("{s:s}", "retry-after", "1");
    } else {
        envelope_reply_set_error(reply, 500, "internal", "internal error", NULL);
    }
}

void bridge_stats(bridge_stats_t *out)
{
    out->calls = atomic_load_explicit(&s_calls, memory_order_relaxed);
    out->late_replies = atomic_load_explicit(&s_late, memory_order_relaxed);
    out->malformed_replies = atomic_load_explicit(&s_malformed, memory_order_relaxed);
    out->unavailable = atomic_load_explicit(&s_unavailable, memory_order_relaxed);
    out->timeouts = atomic_load_explicit(&s_timeouts, memory_order_relaxed);
}
