/* control.c — worker messages, heartbeats, liveness and worker loss
 * (owned by the broker area; contract in control.h). */
#include "control.h"

#include "dispatch.h"
#include "forward.h"
#include "log.h"
#include "mpscan.h"
#include "ops.h"
#include "proto.h"

#include <string.h>

static void s_malformed(broker_t *b, const char *why)
{
    uint64_t suppressed = 0;
    b->counters.worker_malformed++;
    if (broker_ratelog_allow(&b->worker_log, &suppressed))
        log_warn("dropped a malformed worker message (%s); %llu more not logged in the last "
                 "interval",
                 why, (unsigned long long)suppressed);
}

static void s_send_cmd(broker_t *b, const void *identity, size_t size, int cmd)
{
    if (frames_send_worker_cmd(b->workers_sock, identity, size, cmd) < 0)
        log_warn("could not send command %d to a worker", cmd);
}

static void s_log_registered(const worker_t *w, bool again)
{
    char ops[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < w->info.ops_count && used < sizeof ops; i++) {
        int n = snprintf(ops + used, sizeof ops - used, "%s%s", i ? "," : "", w->info.ops[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    log_info("worker %s %s: pid=%ld host=%s credit=%ld ops=%s", w->id_hex,
             again ? "re-registered" : "registered", w->info.pid, w->info.host, w->info.credit,
             ops);
}

static void s_release_in_flight(broker_t *b, worker_t *w);

/* READY: parse first, so that a malformed re-READY leaves the old registration alone.
 * A re-READY replaces the old entry before the old requests are released, so that a
 * read-only one may be retried on the re-registered worker itself. */
static void s_ready(broker_t *b, frames_t *f, worker_t *known)
{
    worker_info_t info;
    if (f->count != 4 || workers_parse_ready(frames_data(f, 3), frames_size(f, 3), &info) < 0) {
        s_malformed(b, "READY without a valid info map");
        return;
    }
    if (known)
        workers_remove(b->workers, known);
    worker_t *w = workers_add(b->workers, frames_data(f, 0), frames_size(f, 0), &info);
    if (!w) {
        worker_info_clear(&info);
        log_warn("refused a READY: %d workers are registered already", BROKER_WORKERS_MAX);
    } else {
        s_log_registered(w, known != NULL);
    }
    if (known) {
        s_release_in_flight(b, known);
        worker_destroy(&known);
        dispatch_drop_unserved(b);
    }
    if (w)
        dispatch_drain_queue(b, w);
}

static void s_reply(broker_t *b, frames_t *f, worker_t *w)
{
    uint8_t id[ENVELOPE_ID_SIZE];
    int status = 0;
    if (f->count != 6 || frames_size(f, 4) != 0 ||
        mpscan_reply(frames_data(f, 5), frames_size(f, 5), id, &status) < 0) {
        s_malformed(b, "REPLY without a valid reply envelope");
        return;
    }
    int slot = worker_slot_find(w, id);
    if (slot < 0) {
        /* Answered already (504 at its deadline) or retried elsewhere: drop it. */
        b->counters.late_replies++;
        return;
    }
    broker_req_t req;
    broker_req_init(&req);
    worker_slot_take(w, slot, &req);
    w->handled++;
    if (status >= 500)
        w->errors++;
    dispatch_answer_reply(b, &req, &f->part[5], status);
    dispatch_drain_queue(b, w);
}

static void s_heartbeat(broker_t *b, frames_t *f, worker_t *w)
{
    if (f->count >= 4 && frames_size(f, 3) > 0 &&
        worker_parse_heartbeat(w, frames_data(f, 3), frames_size(f, 3)) < 0)
        s_malformed(b, "HEARTBEAT with a malformed stats map");
}

static void s_forward(broker_t *b, frames_t *f, worker_t *w)
{
    if (forward_worker_message(b, f, w) < 0)
        s_malformed(b, "FORWARD without a valid request envelope");
}

/* A message from an identity the broker does not know. */
static void s_from_unknown(broker_t *b, frames_t *f, int cmd)
{
    if (cmd == PROTO_READY) {
        s_ready(b, f, NULL);
        return;
    }
    if (cmd == PROTO_DISCONNECT)
        return;
    /* E.g. a worker of a previous broker run: make it register again. */
    b->counters.unknown_worker++;
    s_send_cmd(b, frames_data(f, 0), frames_size(f, 0), PROTO_DISCONNECT);
}

void control_worker_message(broker_t *b, frames_t *f)
{
    if (f->truncated || f->count < 3 || !frames_is(f, 1, PROTO_WORKER) || frames_size(f, 2) != 1 ||
        frames_size(f, 0) == 0 || frames_size(f, 0) > BROKER_IDENTITY_MAX) {
        s_malformed(b, "wrong frames");
        return;
    }
    int cmd = *(const unsigned char *)frames_data(f, 2);
    if (cmd < PROTO_READY || cmd > PROTO_FORWARD || cmd == PROTO_REQUEST) {
        s_malformed(b, "unknown command");
        return;
    }
    worker_t *w = workers_find(b->workers, frames_data(f, 0), frames_size(f, 0));
    if (!w) {
        s_from_unknown(b, f, cmd);
        return;
    }
    w->last_seen_us = broker_mono_us();
    if (cmd == PROTO_READY)
        s_ready(b, f, w);
    else if (cmd == PROTO_REPLY)
        s_reply(b, f, w);
    else if (cmd == PROTO_HEARTBEAT)
        s_heartbeat(b, f, w);
    else if (cmd == PROTO_FORWARD)
        s_forward(b, f, w);
    else
        control_worker_lost(b, w, "said DISCONNECT");
}

/* One in-flight request of a lost worker: retried once if read-only, else 503. */
static void s_requeue_or_fail(broker_t *b, broker_req_t *req)
{
    if (ops_is_retryable(req->peek.op) && !req->retried) {
        req->retried = true;
        if (dispatch_place(b, req, true) == 0) {
            b->counters.retried++;
            return;
        }
    }
    b->counters.worker_lost++;
    dispatch_answer_error(b, req, 503, "worker_lost", "the worker handling the request was lost");
}

static void s_release_in_flight(broker_t *b, worker_t *w)
{
    broker_req_t req;
    broker_req_init(&req);
    for (long i = 0; i < w->info.credit; i++) {
        if (!w->slot_used[i])
            continue;
        worker_slot_take(w, (int)i, &req);
        s_requeue_or_fail(b, &req);
    }
}

void control_worker_lost(broker_t *b, worker_t *w, const char *why)
{
    workers_remove(b->workers, w);
    b->counters.workers_died++;
    log_warn("worker %s (pid %ld, host %s) removed: %s; %d request(s) in flight", w->id_hex,
             w->info.pid, w->info.host, why, w->in_flight);
    s_release_in_flight(b, w);
    worker_destroy(&w);
    dispatch_drop_unserved(b);
}

void control_tick(broker_t *b)
{
    int64_t now = broker_mono_us();
    int64_t silent_before = now - b->cfg.heartbeat_ms * b->cfg.liveness * 1000;
    worker_t *w;
    while ((w = workers_find_silent(b->workers, silent_before)))
        control_worker_lost(b, w, "silent for the liveness period");
    size_t n = workers_count(b->workers);
    for (size_t i = 0; i < n; i++) {
        w = workers_at(b->workers, i);
        s_send_cmd(b, w->identity, w->identity_size, PROTO_HEARTBEAT);
    }
    b->next_tick_us = now + b->cfg.heartbeat_ms * 1000;
}

void control_disconnect_all(broker_t *b)
{
    size_t n = workers_count(b->workers);
    for (size_t i = 0; i < n; i++) {
        worker_t *w = workers_at(b->workers, i);
        s_send_cmd(b, w->identity, w->identity_size, PROTO_DISCONNECT);
    }
}
