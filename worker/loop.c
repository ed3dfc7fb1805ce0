#include "loop.h"

#include "envelope.h"
#include "keepalive.h"
#include "log.h"
#include "mpjson.h"
#include "proto.h"

#include <errno.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

/* REQUEST is 5 frames; anything longer is malformed and only counted. */
#define S_MAX_FRAMES 8
/* Time given to DISCONNECT to leave before the socket closes at shutdown. */
#define S_DISCONNECT_LINGER_MS 200

struct loop {
    const settings_t *cfg;
    dispatch_t *dispatch;
    const handler_env_t *env;
    void *zctx;
    void *sock;
    int64_t broker_seen_ms;
    int64_t next_heartbeat_ms;
    int64_t next_tick_ms;
    loop_stats_t stats;
    char host[256];
};

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

loop_t *loop_new(const settings_t *cfg, dispatch_t *dispatch, const handler_env_t *env)
{
    loop_t *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->cfg = cfg;
    l->dispatch = dispatch;
    l->env = env;
    if (gethostname(l->host, sizeof l->host - 1) < 0)
        snprintf(l->host, sizeof l->host, "unknown");
    l->zctx = zmq_ctx_new();
    if (!l->zctx) {
        free(l);
        return NULL;
    }
    return l;
}

static void s_close_socket(loop_t *l, int linger_ms)
{
    if (!l->sock)
        return;
    (void)zmq_setsockopt(l->sock, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
    zmq_close(l->sock);
    l->sock = NULL;
}

void loop_destroy(loop_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    loop_t *l = *self_p;
    s_close_socket(l, 0);
    zmq_ctx_term(l->zctx);
    free(l);
    *self_p = NULL;
}

void loop_stats(const loop_t *l, loop_stats_t *out)
{
    *out = l->stats;
}

/* ---- frames out ------------------------------------------------------------ */

/* [BRW1][cmd][body?]. Never blocks: a full queue drops the message (heartbeats are
 * repeated anyway; READY is followed by a reconnect if the broker stays silent). */
static int s_send_cmd(loop_t *l, int cmd, const void *body, size_t len)
{
    unsigned char c = (unsigned char)cmd;
    int last = body ? ZMQ_SNDMORE : 0;
    if (zmq_send(l->sock, PROTO_WORKER, strlen(PROTO_WORKER), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(l->sock, &c, 1, last | ZMQ_DONTWAIT) < 0 ||
        (body && zmq_send(l->sock, body, len, ZMQ_DONTWAIT) < 0)) {
        log_warn("broker link: could not queue command 0x%02x: %s", cmd, zmq_strerror(errno));
        return -1;
    }
    return 0;
}

static int s_str(msgpack_packer *pk, const char *s)
{
    return msgpack_pack_str_with_body(pk, s, strlen(s));
}

static char *s_finish(msgpack_sbuffer *sb, int rc, size_t *len)
{
    if (rc != 0) {
        msgpack_sbuffer_destroy(sb);
        return NULL;
    }
    *len = sb->size;
    return msgpack_sbuffer_release(sb);
}

static char *s_ready_body(loop_t *l, size_t *len)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int rc = msgpack_pack_map(&pk, 4);
    rc |= s_str(&pk, "pid");
    rc |= msgpack_pack_int(&pk, (int)getpid());
    rc |= s_str(&pk, "host");
    rc |= s_str(&pk, l->host);
    rc |= s_str(&pk, "ops");
    rc |= mpjson_pack(&pk, dispatch_announced(l->dispatch));
    rc |= s_str(&pk, "credit");
    rc |= msgpack_pack_int(&pk, l->cfg->credit);
    return s_finish(&sb, rc, len);
}

static char *s_stats_body(loop_t *l, size_t *len)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    bool db_up = db_is_up(l->env->primary), redis_up = cache_is_up(l->env->cache);
    int rc = msgpack_pack_map(&pk, 5);
    rc |= s_str(&pk, "handled");
    rc |= msgpack_pack_uint64(&pk, l->stats.handled);
    rc |= s_str(&pk, "errors");
    rc |= msgpack_pack_uint64(&pk, l->stats.errors);
    rc |= s_str(&pk, "db");
    rc |= s_str(&pk, db_up ? "up" : "down");
    rc |= s_str(&pk, "redis");
    rc |= s_str(&pk, redis_up ? "up" : "down");
    rc |= s_str(&pk, "cache_bypass");
    rc |= msgpack_pack_uint64(&pk, cache_bypass_count(l->env->cache));
    return s_finish(&sb, rc, len);
}

static void s_heartbeat_if_due(loop_t *l)
{
    int64_t now = s_mono_ms();
    if (now < l->next_heartbeat_ms)
        return;
    size_t len = 0;
    char *body = s_stats_body(l, &len);
    (void)s_send_cmd(l, PROTO_HEARTBEAT, body, len);
    free(body);
    l->next_heartbeat_ms = now + l->cfg->heartbeat_ms;
}

/* keepalive.h: a handler that waits keeps heartbeats going. */
static void s_keepalive(void *arg)
{
    loop_t *l = arg;
    if (l->sock)
        s_heartbeat_if_due(l);
}

/* A fresh DEALER (a new identity for the broker's ROUTER) and READY. */
static int s_open(loop_t *l)
{
    s_close_socket(l, 0);
    l->sock = zmq_socket(l->zctx, ZMQ_DEALER);
    if (!l->sock) {
        log_error("broker link: cannot create a socket: %s", zmq_strerror(errno));
        return -1;
    }
    int linger = 0;
    (void)zmq_setsockopt(l->sock, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(l->sock, l->cfg->broker_endpoint) < 0) {
        log_error("broker link: cannot connect to %s: %s", l->cfg->broker_endpoint,
                  zmq_strerror(errno));
        return -1;
    }
    size_t len = 0;
    char *ready = s_ready_body(l, &len);
    int rc = ready ? s_send_cmd(l, PROTO_READY, ready, len) : -1;
    free(ready);
    int64_t now = s_mono_ms();
    l->broker_seen_ms = now;
    l->next_heartbeat_ms = now + l->cfg->heartbeat_ms;
    log_info("broker link: connecting to %s, READY %s (credit %d)", l->cfg->broker_endpoint,
             rc == 0 ? "queued" : "NOT queued", l->cfg->credit);
    return 0;
}

static void s_free_buffer(void *data, void *hint)
{
    (void)hint;
    free(data);
}

/* [BRW1][cmd][client address][empty][envelope]; buf (malloc'd) is handed to ZeroMQ
 * without a copy and freed by it (or here on failure). */
static void s_send_envelope(loop_t *l, int cmd, zmq_msg_t *addr, char *buf, size_t len)
{
    zmq_msg_t body, to;
    unsigned char c = (unsigned char)cmd;
    if (zmq_msg_init_data(&body, buf, len, s_free_buffer, NULL) < 0) {
        free(buf);
        return;
    }
    zmq_msg_init(&to);
    const int more = ZMQ_SNDMORE | ZMQ_DONTWAIT;
    if (zmq_msg_copy(&to, addr) < 0 ||
        zmq_send(l->sock, PROTO_WORKER, strlen(PROTO_WORKER), more) < 0 ||
        zmq_send(l->sock, &c, 1, more) < 0 || zmq_msg_send(&to, l->sock, more) < 0 ||
        zmq_send(l->sock, "", 0, more) < 0 || zmq_msg_send(&body, l->sock, ZMQ_DONTWAIT) < 0)
        log_warn("broker link: command 0x%02x could not be queued: %s", cmd, zmq_strerror(errno));
    zmq_msg_close(&to);
    zmq_msg_close(&body);
}

/* [BRW1][REPLY][client address][empty][reply envelope]. */
static void s_send_reply(loop_t *l, zmq_msg_t *addr, const envelope_reply_t *rep)
{
    size_t len = 0;
    char *buf = envelope_reply_encode(rep, &len);
    if (!buf) {
        log_error("reply for status %d cannot be encoded; answering 500", rep->status);
        buf = envelope_error_encode(rep->id, 500, "internal", "internal error", &len);
    }
    if (buf)
        s_send_envelope(l, PROTO_REPLY, addr, buf, len);
}

/* [BRW1][FORWARD][client address][empty][req with op = op]: same id, deadline, auth,
 * args and body (CONTRACTS.md Addendum). When it cannot be encoded the client gets a
 * 500 instead. */
static void s_send_forward(loop_t *l, zmq_msg_t *addr, envelope_request_t *req, const char *op)
{
    char original[ENVELOPE_OP_MAX];
    snprintf(original, sizeof original, "%s", req->op);
    snprintf(req->op, sizeof req->op, "%s", op);
    size_t len = 0;
    char *buf = envelope_request_encode(req, &len);
    snprintf(req->op, sizeof req->op, "%s", original);
    if (buf) {
        log_debug("op %s forwarded as %s", original, op);
        s_send_envelope(l, PROTO_FORWARD, addr, buf, len);
        return;
    }
    log_error("op %s: the forwarded envelope cannot be encoded; answering 500", original);
    l->stats.errors++;
    buf = envelope_error_encode(req->id, 500, "internal", "internal error", &len);
    if (buf)
        s_send_envelope(l, PROTO_REPLY, addr, buf, len);
}

/* ---- requests ------------------------------------------------------------- */

static void s_bad_request(loop_t *l, zmq_msg_t *addr, const void *buf, size_t len)
{
    envelope_peek_t peek;
    l->stats.errors++;
    if (envelope_peek(buf, len, &peek) < 0) {
        log_warn("dropping a request envelope that cannot be read (%zu bytes)", len);
        return;
    }
    char hex[ENVELOPE_ID_HEX_SIZE];
    envelope_id_to_hex(peek.id, hex);
    log_set_request_id(hex);
    log_warn("malformed request envelope (op %s): answering 400", peek.op);
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    memcpy(rep.id, peek.id, ENVELOPE_ID_SIZE);
    envelope_reply_set_error(&rep, 400, "bad_request", "malformed request envelope", NULL);
    s_send_reply(l, addr, &rep);
    envelope_reply_clear(&rep);
    log_set_request_id(NULL);
}

static void s_request(loop_t *l, zmq_msg_t *addr, const void *buf, size_t len)
{
    envelope_request_t req;
    if (envelope_request_decode(buf, len, &req) < 0) {
        s_bad_request(l, addr, buf, len);
        return;
    }
    char hex[ENVELOPE_ID_HEX_SIZE];
    envelope_id_to_hex(req.id, hex);
    log_set_request_id(hex);
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    int64_t now = envelope_now_ms();
    if (req.deadline_ms > 0 && now > req.deadline_ms) {
        l->stats.expired++;
        log_info("op %s: deadline passed %lld ms ago; not run", req.op,
                 (long long)(now - req.deadline_ms));
        memcpy(rep.id, req.id, ENVELOPE_ID_SIZE);
        envelope_reply_set_error(&rep, 504, "timeout", "the request deadline passed", NULL);
    } else {
        int64_t start = s_mono_ms();
        char forward_op[ENVELOPE_OP_MAX];
        int forwarded = dispatch_run_forward(l->dispatch, &req, &rep, forward_op);
        l->stats.handled++;
        if (forwarded) {
            s_send_forward(l, addr, &req, forward_op);
            envelope_reply_clear(&rep);
            envelope_request_clear(&req);
            log_set_request_id(NULL);
            return;
        }
        if (rep.status >= 500)
            l->stats.errors++;
        log_debug("op %s -> %d in %lld ms%s", req.op, rep.status, (long long)(s_mono_ms() - start),
                  req.noreply ? " (noreply)" : "");
    }
    s_send_reply(l, addr, &rep);
    envelope_reply_clear(&rep);
    envelope_request_clear(&req);
    log_set_request_id(NULL);
}

/* ---- frames in ------------------------------------------------------------- */

/* Reads one whole message without waiting; frames past S_MAX_FRAMES are discarded
 * but counted in *count. -1 when nothing is waiting. */
static int s_recv(loop_t *l, zmq_msg_t *frames, int *count)
{
    *count = 0;
    for (int more = 1; more;) {
        zmq_msg_t extra;
        zmq_msg_t *m = *count < S_MAX_FRAMES ? &frames[*count] : &extra;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, l->sock, *count == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close(m);
            for (int i = 0; i < *count && i < S_MAX_FRAMES; i++)
                zmq_msg_close(&frames[i]);
            return -1;
        }
        more = zmq_msg_more(m);
        if (m == &extra)
            zmq_msg_close(m);
        (*count)++;
    }
    return 0;
}

static bool s_is_frame(zmq_msg_t *m, const void *data, size_t size)
{
    return zmq_msg_size(m) == size && memcmp(zmq_msg_data(m), data, size) == 0;
}

static void s_handle(loop_t *l, zmq_msg_t *f, int n)
{
    if (n < 2 || n > S_MAX_FRAMES || !s_is_frame(&f[0], PROTO_WORKER, strlen(PROTO_WORKER)) ||
        zmq_msg_size(&f[1]) != 1) {
        l->stats.errors++;
        log_warn("broker link: dropping a malformed message (%d frames)", n);
        return;
    }
    int cmd = *(const unsigned char *)zmq_msg_data(&f[1]);
    if (cmd == PROTO_HEARTBEAT)
        return;
    if (cmd == PROTO_DISCONNECT) {
        log_info("broker link: DISCONNECT from the broker; reconnecting");
        l->stats.reconnects++;
        (void)s_open(l);
        return;
    }
    if (cmd == PROTO_REQUEST && n == 5 && zmq_msg_size(&f[3]) == 0) {
        s_request(l, &f[2], zmq_msg_data(&f[4]), zmq_msg_size(&f[4]));
        return;
    }
    l->stats.errors++;
    log_warn("broker link: dropping an unexpected message (command 0x%02x, %d frames)", cmd, n);
}

/* Reads everything waiting before polling again; heartbeats keep going out even
 * under a steady stream of requests. */
static void s_drain(loop_t *l, volatile sig_atomic_t *stop)
{
    zmq_msg_t frames[S_MAX_FRAMES];
    int n = 0;
    while (!*stop && l->sock && s_recv(l, frames, &n) == 0) {
        l->broker_seen_ms = s_mono_ms();
        s_handle(l, frames, n);
        for (int i = 0; i < n && i < S_MAX_FRAMES; i++)
            zmq_msg_close(&frames[i]);
        s_heartbeat_if_due(l);
    }
}

/* Database and Redis upkeep between requests; it may block up to a connect timeout,
 * so a heartbeat goes out right before and after. */
static void s_tick_if_due(loop_t *l)
{
    if (s_mono_ms() < l->next_tick_ms)
        return;
    s_heartbeat_if_due(l);
    db_tick(l->env->primary);
    if (l->env->replica)
        db_tick(l->env->replica);
    cache_tick(l->env->cache);
    l->next_tick_ms = s_mono_ms() + l->cfg->heartbeat_ms;
    s_heartbeat_if_due(l);
}

static long s_poll_timeout(const loop_t *l)
{
    int64_t now = s_mono_ms();
    int64_t silent_limit = l->broker_seen_ms + (int64_t)l->cfg->heartbeat_ms * l->cfg->liveness;
    int64_t wake = l->next_heartbeat_ms < silent_limit ? l->next_heartbeat_ms : silent_limit;
    if (l->next_tick_ms < wake)
        wake = l->next_tick_ms;
    return wake > now ? (long)(wake - now) : 0;
}

int loop_run(loop_t *l, volatile sig_atomic_t *stop)
{
    if (s_open(l) < 0)
        return -1;
    keepalive_set(s_keepalive, l);
    l->next_tick_ms = s_mono_ms() + l->cfg->heartbeat_ms;
    while (!*stop) {
        zmq_pollitem_t item = {l->sock, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&item, 1, s_poll_timeout(l));
        if (rc < 0 && errno != EINTR) {
            log_error("broker link: poll failed: %s", zmq_strerror(errno));
            return -1;
        }
        if (rc > 0)
            s_drain(l, stop);
        s_heartbeat_if_due(l);
        int64_t silent = s_mono_ms() - l->broker_seen_ms;
        if (!*stop && silent > (int64_t)l->cfg->heartbeat_ms * l->cfg->liveness) {
            log_warn("broker link: broker silent for %lld ms; reconnecting", (long long)silent);
            l->stats.reconnects++;
            if (s_open(l) < 0)
                return -1;
        }
        if (!*stop)
            s_tick_if_due(l);
    }
    keepalive_set(NULL, NULL);
    log_info("broker link: stopping; sending DISCONNECT");
    (void)s_send_cmd(l, PROTO_DISCONNECT, NULL, 0);
    s_close_socket(l, S_DISCONNECT_LINGER_MS);
    return 0;
}
