/* forward.c — FORWARD: frees the sender's slot and routes the new envelope as a fresh
 * request of the same client (owned by the broker area; contract in forward.h). */
#include "forward.h"

#include "dispatch.h"
#include "log.h"
#include "mpscan.h"
#include "status.h"

/* The frames of a FORWARD message. */
enum { F_CLIENT = 3, F_EMPTY = 4, F_ENVELOPE = 5, F_COUNT = 6 };

/* The new envelope is unreadable: answer the request it names, if any, 500 at once. */
static void s_fail_unreadable(broker_t *b, frames_t *f, worker_t *w)
{
    uint8_t id[ENVELOPE_ID_SIZE];
    if (mpscan_id(frames_data(f, F_ENVELOPE), frames_size(f, F_ENVELOPE), id) < 0)
        return;
    int slot = worker_slot_find_client(w, frames_data(f, F_CLIENT), frames_size(f, F_CLIENT), id);
    if (slot < 0)
        return;
    broker_req_t req;
    broker_req_init(&req);
    worker_slot_take(w, slot, &req);
    w->errors++;
    dispatch_answer_error(b, &req, 500, "internal", "a worker forwarded a malformed request");
    dispatch_drain_queue(b, w);
}

/* Gives fresh (its peek read from the new envelope) what stays with the client request:
 * the client, noreply, the arrival time and the deadline as an upper bound. Takes the
 * client out of *orig and the envelope out of *envelope. */
static void s_inherit(broker_req_t *fresh, broker_req_t *orig, zmq_msg_t *envelope)
{
    broker_msg_move(&fresh->client, &orig->client);
    broker_msg_move(&fresh->envelope, envelope);
    fresh->received_us = orig->received_us;
    fresh->retried = false; /* a fresh request of the new op: its own retry allowance */
    fresh->forwards = (uint8_t)(orig->forwards + 1);
    fresh->peek.noreply = orig->peek.noreply;
    int64_t limit = orig->peek.deadline_ms;
    if (limit > 0 && (fresh->peek.deadline_ms <= 0 || fresh->peek.deadline_ms > limit))
        fresh->peek.deadline_ms = limit;
}

int forward_worker_message(broker_t *b, frames_t *f, worker_t *w)
{
    if (f->count != F_COUNT || frames_size(f, F_EMPTY) != 0)
        return -1;
    broker_req_t fresh;
    broker_req_init(&fresh);
    if (envelope_peek(frames_data(f, F_ENVELOPE), frames_size(f, F_ENVELOPE), &fresh.peek) < 0) {
        s_fail_unreadable(b, f, w);
        return -1;
    }
    int slot = worker_slot_find_client(w, frames_data(f, F_CLIENT), frames_size(f, F_CLIENT),
                                       fresh.peek.id);
    if (slot < 0) {
        /* Usually benign: the request was answered 504 while the worker worked on it. */
        b->counters.forward_unmatched++;
        log_debug("dropped a FORWARD to %s from worker %s: no such request in flight",
                  fresh.peek.op, w->id_hex);
        return 0;
    }
    broker_req_t orig;
    broker_req_init(&orig);
    worker_slot_take(w, slot, &orig);
    w->forwarded++;
    b->counters.forwarded++;
    status_record_forward(b->status, orig.peek.op);
    s_inherit(&fresh, &orig, &f->part[F_ENVELOPE]);
    char hex[ENVELOPE_ID_HEX_SIZE];
    envelope_id_to_hex(fresh.peek.id, hex);
    log_debug("request %s forwarded from %s to %s by worker %s", hex, orig.peek.op, fresh.peek.op,
              w->id_hex);
    broker_req_close(&orig);
    if (fresh.forwards > BROKER_FORWARD_HOPS_MAX) {
        /* Pools handing a request back and forth would spin until its deadline (or for
         * ever without one). */
        b->counters.forward_loops++;
        log_warn("request %s answered 500: forwarded more than %d times (last to %s by %s)", hex,
                 BROKER_FORWARD_HOPS_MAX, fresh.peek.op, w->id_hex);
        dispatch_answer_error(b, &fresh, 500, "internal", "the request was forwarded too often");
    } else {
        dispatch_route(b, &fresh);
    }
    /* The freed slot takes queued work only now, so that the forwarded request, which
     * has waited already, is placed first when the sender serves its new op too. */
    dispatch_drain_queue(b, w);
    return 0;
}
