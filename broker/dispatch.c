/* dispatch.c — request intake, routing, queueing, deadlines and the broker's own
 * answers (owned by the broker area; contract in dispatch.h). */
#include "dispatch.h"

#include "log.h"
#include "mpscan.h"
#include "proto.h"
#include "queue.h"
#include "status.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void s_free_buffer(void *data, void *hint)
{
    (void)hint;
    free(data);
}

/* Sends an encoded reply (ownership of buf passes to ZeroMQ) to req's client. */
static void s_send_encoded(broker_t *b, broker_req_t *req, char *buf, size_t len)
{
    zmq_msg_t body;
    if (zmq_msg_init_data(&body, buf, len, s_free_buffer, NULL) < 0) {
        free(buf);
        log_error("zmq_msg_init_data failed: %s", zmq_strerror(errno));
        return;
    }
    if (frames_send_client(b->clients, &req->client, &body) < 0)
        log_warn("reply to a client could not be sent");
}

static void s_record(broker_t *b, const broker_req_t *req, int status)
{
    status_record(b->status, req->peek.op, status, broker_mono_us() - req->received_us);
}

void dispatch_answer_error(broker_t *b, broker_req_t *req, int status, const char *code,
                           const char *message)
{
    if (!req->peek.noreply) {
        size_t len = 0;
        char *buf = envelope_error_encode(req->peek.id, status, code, message, &len);
        if (buf)
            s_send_encoded(b, req, buf, len);
        else
            log_error("could not encode a %d %s reply", status, code);
    }
    s_record(b, req, status);
    broker_req_close(req);
}

void dispatch_answer_reply(broker_t *b, broker_req_t *req, zmq_msg_t *reply, int status)
{
    if (!req->peek.noreply) {
        zmq_msg_t body;
        zmq_msg_init(&body);
        broker_msg_move(&body, reply);
        if (frames_send_client(b->clients, &req->client, &body) < 0)
            log_warn("reply to a client could not be sent");
    }
    s_record(b, req, status);
    broker_req_close(req);
}

static void s_answer_status(broker_t *b, broker_req_t *req)
{
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    memcpy(rep.id, req->peek.id, ENVELOPE_ID_SIZE);
    rep.status = 200;
    rep.data = status_build(b);
    size_t len = 0;
    char *buf = rep.data ? envelope_reply_encode(&rep, &len) : NULL;
    envelope_reply_clear(&rep);
    if (!buf) {
        dispatch_answer_error(b, req, 500, "internal", "broker.status could not be built");
        return;
    }
    if (!req->peek.noreply)
        s_send_encoded(b, req, buf, len);
    else
        free(buf);
    s_record(b, req, 200);
    broker_req_close(req);
}

/* ---- routing -------------------------------------------------------------- */

static void s_send_to_worker(broker_t *b, worker_t *w, broker_req_t *req)
{
    int64_t expire = req->peek.deadline_ms;
    /* A noreply request may never be answered by its worker; it must not hold the
     * worker's credit forever. */
    if (expire == 0 && req->peek.noreply)
        expire = envelope_now_ms() + BROKER_NOREPLY_HOLD_MS;
    req->expire_ms = expire;
    broker_req_t *slot = workers_assign(b->workers, w, req);
    broker_note_expiry(b, expire);
    if (frames_send_request(b->workers_sock, w->identity, w->identity_size, slot) < 0)
        log_warn("request %s could not be sent to worker %s; it waits for its deadline or the "
                 "worker's loss",
                 slot->peek.op, w->id_hex);
}

int dispatch_place(broker_t *b, broker_req_t *req, bool front)
{
    worker_t *w = workers_pick(b->workers, req->peek.op);
    if (w) {
        s_send_to_worker(b, w, req);
        return 0;
    }
    if (!workers_serve_any(b->workers, req->peek.op))
        return -1;
    int64_t expire = req->expire_ms = req->peek.deadline_ms;
    if ((front ? queue_push_front(b->queue, req) : queue_push(b->queue, req)) < 0)
        return -2;
    broker_note_expiry(b, expire);
    return 0;
}

static bool s_expired(const broker_req_t *req, int64_t now_ms)
{
    return req->expire_ms > 0 && req->expire_ms <= now_ms;
}

/* Answers an expired request: 504 to its client, or silence for a noreply one. */
static void s_expire(broker_t *b, broker_req_t *req)
{
    if (req->peek.noreply) {
        broker_req_close(req);
        return;
    }
    b->counters.timeouts++;
    dispatch_answer_error(b, req, 504, "timeout", "the request's deadline passed");
}

void dispatch_drain_queue(broker_t *b, worker_t *w)
{
    int64_t now_ms = envelope_now_ms();
    queue_node_t *node = queue_first(b->queue), *next;
    for (; node && w->in_flight < w->info.credit; node = next) {
        next = queue_next(node);
        if (!worker_serves(w, queue_node_req(node)->peek.op))
            continue;
        broker_req_t req;
        broker_req_init(&req);
        queue_take(b->queue, node, &req);
        if (s_expired(&req, now_ms))
            s_expire(b, &req);
        else
            s_send_to_worker(b, w, &req);
    }
}

/* ---- intake --------------------------------------------------------------- */

static void s_malformed(broker_t *b, const char *why)
{
    uint64_t suppressed = 0;
    b->counters.client_malformed++;
    if (broker_ratelog_allow(&b->client_log, &suppressed))
        log_warn("dropped a malformed client message (%s); %llu more not logged in the last "
                 "interval",
                 why, (unsigned long long)suppressed);
}

/* A request whose envelope is unreadable: 400 when its id can be read, else dropped. */
static void s_bad_envelope(broker_t *b, frames_t *f)
{
    broker_req_t req;
    broker_req_init(&req);
    if (mpscan_id(frames_data(f, 3), frames_size(f, 3), req.peek.id) < 0) {
        s_malformed(b, "envelope unreadable");
        return;
    }
    s_malformed(b, "envelope invalid, answered 400");
    broker_msg_move(&req.client, &f->part[0]);
    size_t len = 0;
    char *buf = envelope_error_encode(req.peek.id, 400, "bad_request",
                                      "the request envelope is malformed", &len);
    if (buf)
        s_send_encoded(b, &req, buf, len);
    broker_req_close(&req);
}

void dispatch_client_message(broker_t *b, frames_t *f)
{
    if (f->truncated || f->count != 4 || frames_size(f, 1) != 0 || !frames_is(f, 2, PROTO_CLIENT)) {
        s_malformed(b, "wrong frames");
        return;
    }
    broker_req_t req;
    broker_req_init(&req);
    if (envelope_peek(frames_data(f, 3), frames_size(f, 3), &req.peek) < 0) {
        s_bad_envelope(b, f);
        return;
    }
    b->counters.requests++;
    req.received_us = broker_mono_us();
    broker_msg_move(&req.client, &f->part[0]);
    broker_msg_move(&req.envelope, &f->part[3]);
    dispatch_route(b, &req);
}

void dispatch_route(broker_t *b, broker_req_t *req)
{
    if (strcmp(req->peek.op, PROTO_OP_BROKER_STATUS) == 0) {
        s_answer_status(b, req);
        return;
    }
    req->expire_ms = req->peek.deadline_ms;
    if (s_expired(req, envelope_now_ms())) {
        s_expire(b, req);
        return;
    }
    int rc = dispatch_place(b, req, false);
    if (rc == -1) {
        b->counters.no_worker++;
        dispatch_answer_error(b, req, 503, "no_worker", "no live worker serves this op");
    } else if (rc == -2) {
        b->counters.overloaded++;
        dispatch_answer_error(b, req, 503, "overloaded", "the broker's queue is full");
    }
}

/* ---- deadlines and cleanup ------------------------------------------------ */

static int64_t s_sweep_queue(broker_t *b, int64_t now_ms)
{
    int64_t next = INT64_MAX;
    queue_node_t *node = queue_first(b->queue), *after;
    for (; node; node = after) {
        after = queue_next(node);
        const broker_req_t *held = queue_node_req(node);
        if (!s_expired(held, now_ms)) {
            if (held->expire_ms > 0 && held->expire_ms < next)
                next = held->expire_ms;
            continue;
        }
        broker_req_t req;
        broker_req_init(&req);
        queue_take(b->queue, node, &req);
        s_expire(b, &req);
    }
    return next;
}

static int64_t s_sweep_worker(broker_t *b, worker_t *w, int64_t now_ms)
{
    int64_t next = INT64_MAX;
    for (long i = 0; i < w->info.credit; i++) {
        if (!w->slot_used[i])
            continue;
        if (!s_expired(&w->slots[i], now_ms)) {
            if (w->slots[i].expire_ms > 0 && w->slots[i].expire_ms < next)
                next = w->slots[i].expire_ms;
            continue;
        }
        /* The slot is freed now even though the worker may still be busy with it: a
         * worker also drops expired requests without replying, and a slot held for a
         * reply that never comes would take the worker out of service for good. */
        broker_req_t req;
        broker_req_init(&req);
        worker_slot_take(w, (int)i, &req);
        s_expire(b, &req);
    }
    return next;
}

void dispatch_sweep(broker_t *b)
{
    int64_t now_ms = envelope_now_ms();
    if (now_ms < b->next_expiry_ms)
        return;
    int64_t next = s_sweep_queue(b, now_ms);
    size_t n = workers_count(b->workers);
    for (size_t i = 0; i < n; i++) {
        int64_t t = s_sweep_worker(b, workers_at(b->workers, i), now_ms);
        if (t < next)
            next = t;
    }
    b->next_expiry_ms = next;
    /* Slots freed above can take queued work (this may lower next_expiry_ms again). */
    for (size_t i = 0; i < n && queue_depth(b->queue) > 0; i++)
        dispatch_drain_queue(b, workers_at(b->workers, i));
}

void dispatch_drop_unserved(broker_t *b)
{
    queue_node_t *node = queue_first(b->queue), *next;
    for (; node; node = next) {
        next = queue_next(node);
        if (workers_serve_any(b->workers, queue_node_req(node)->peek.op))
            continue;
        broker_req_t req;
        broker_req_init(&req);
        queue_take(b->queue, node, &req);
        b->counters.no_worker++;
        dispatch_answer_error(b, &req, 503, "no_worker", "no live worker serves this op");
    }
}

void dispatch_fail_all(broker_t *b)
{
    broker_req_t req;
    broker_req_init(&req);
    queue_node_t *node;
    while ((node = queue_first(b->queue))) {
        queue_take(b->queue, node, &req);
        dispatch_answer_error(b, &req, 503, "no_worker", "the broker is shutting down");
    }
    size_t n = workers_count(b->workers);
    for (size_t i = 0; i < n; i++) {
        worker_t *w = workers_at(b->workers, i);
        for (long s = 0; s < w->info.credit; s++) {
            if (!w->slot_used[s])
                continue;
            worker_slot_take(w, (int)s, &req);
            dispatch_answer_error(b, &req, 503, "no_worker", "the broker is shutting down");
        }
    }
}
