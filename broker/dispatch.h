/* dispatch — the client side of the broker: request intake, routing to a worker or
 * the pending queue, the broker's own answers, and deadlines (owned by the broker area).
 *
 * Every request the broker accepts ends in exactly one of: a worker's reply forwarded
 * to its client, or one broker answer (503 no_worker / overloaded / worker_lost,
 * 504 timeout, the broker.status reply). The dispatch_answer_* functions are the only
 * places that send to clients, and they consume the request, so a request cannot be
 * answered twice. Requests with noreply=true are never answered.
 */
#ifndef BEDROCK_BROKER_DISPATCH_H
#define BEDROCK_BROKER_DISPATCH_H

#include "broker.h"
#include "frames.h"
#include "workers.h"

/* Handles one message from the client ROUTER; takes what it needs out of f (the caller
 * still frames_close's it). */
void dispatch_client_message(broker_t *b, frames_t *f);

/* Routes a request the broker now holds (a client's, or one a worker forwarded):
 * broker.status is answered at once, a passed deadline 504, otherwise a worker or the
 * queue takes it, or it is answered 503 no_worker / overloaded. Consumes *req. */
void dispatch_route(broker_t *b, broker_req_t *req);

/* Hands *req to a worker or the pending queue (the head when front, for a retry that
 * already waited its turn). Returns 0 when the broker now holds it (*req is left empty),
 * -1 when no live worker serves its op, -2 when the queue is full (*req untouched). */
int dispatch_place(broker_t *b, broker_req_t *req, bool front) __attribute__((warn_unused_result));

/* Gives w queued requests it serves while it has credit left. */
void dispatch_drain_queue(broker_t *b, worker_t *w);

/* Answers *req with a broker error (nothing for noreply) and records it; consumes *req. */
void dispatch_answer_error(broker_t *b, broker_req_t *req, int status, const char *code,
                           const char *message);

/* Forwards a worker's reply (consumed) for *req (consumed) to its client. */
void dispatch_answer_reply(broker_t *b, broker_req_t *req, zmq_msg_t *reply, int status);

/* Answers 504 for every request whose deadline has passed, queued or in flight. */
void dispatch_sweep(broker_t *b);

/* Answers 503 no_worker for queued requests no live worker serves any more (after a
 * worker left). */
void dispatch_drop_unserved(broker_t *b);

/* At shutdown: answers every queued and in-flight request 503 no_worker. */
void dispatch_fail_all(broker_t *b);

#endif
