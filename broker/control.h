/* control — the worker side of the broker: READY, HEARTBEAT, REPLY, FORWARD (handed to
 * forward.h) and DISCONNECT from workers, heartbeats to them, liveness, and what happens
 * to the requests of a worker that is lost (owned by the broker area).
 *
 * A worker is lost when it is silent for LIVENESS heartbeat intervals, says DISCONNECT,
 * or sends READY again (re-registration: whatever it had in flight is forgotten on its
 * side). Each of its in-flight requests is then re-sent once, with its original envelope
 * bytes, to another worker if its op is read-only (ops_is_retryable) and it was not
 * retried already; otherwise it is answered 503 worker_lost. A forwarded request is
 * judged by the op it now carries. A message other than READY from an unknown identity
 * is answered DISCONNECT so that the worker sends READY again (this is how workers find a
 * restarted broker; a FORWARD from it is dropped, its request was released already).
 */
#ifndef BEDROCK_BROKER_CONTROL_H
#define BEDROCK_BROKER_CONTROL_H

#include "broker.h"
#include "frames.h"
#include "workers.h"

/* Handles one message from the worker ROUTER; the caller still frames_close's f. */
void control_worker_message(broker_t *b, frames_t *f);

/* Sends HEARTBEAT to every worker and removes the silent ones. Call every heartbeat
 * interval. */
void control_tick(broker_t *b);

/* Removes w (retrying or failing its in-flight requests) and frees it. why is logged. */
void control_worker_lost(broker_t *b, worker_t *w, const char *why);

/* At shutdown: DISCONNECT to every worker. */
void control_disconnect_all(broker_t *b);

#endif
