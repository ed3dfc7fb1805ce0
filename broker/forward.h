/* forward — FORWARD from a worker: a request moves to another op's pool
 * (owned by the broker area).
 *
 * [identity][BRW1][FORWARD][client][empty][new request envelope] (CONTRACTS Addendum):
 * the worker hands the request it is serving to the pool that serves another op. A fast
 * catalog worker that misses its cache for a provider entity forwards, say, tracks.get
 * as provider.fetch, so that slow provider calls run only in the provider pool and never
 * hold a fast worker (DESIGN §4).
 *
 * The request is found among the sender's in-flight slots by the client's routing id and
 * the new envelope's id (a forward keeps the id). Its slot is freed at once, as if the
 * worker had replied, so the worker takes its next request while the provider pool
 * works. The new envelope then goes through dispatch_route as a fresh request of the same
 * client: 503 no_worker at once when no live worker serves the new op, the queue and its
 * bound (503 overloaded), deadlines (504), and the retry-once-if-read-only rule applied to
 * the NEW op, with a retry allowance of its own.
 *
 * What the broker keeps from the original, whatever the new envelope says: the client,
 * noreply, the arrival time (latency statistics) and the deadline as an upper bound (the
 * broker uses the earlier of the two; 0 means none). So a forward cannot silence a reply
 * the client waits for, answer a noreply request, or hold the client past the deadline
 * it asked for: the client gets exactly one reply, as for any request. The envelope bytes
 * themselves are passed on untouched (the new worker sees what the forwarder wrote).
 *
 * A request forwarded more than BROKER_FORWARD_HOPS_MAX times is answered 500 internal
 * (counted forward_loops): pools handing it back and forth would otherwise spin until its
 * deadline, or for ever without one.
 *
 * Refused: a FORWARD that matches no request in flight on its sender (answered 504
 * already, forwarded already, a wrong id or client) is dropped and counted
 * (forward_unmatched); nothing else changes. A FORWARD with the wrong frames or an
 * unreadable new envelope is malformed; when the envelope still shows the id of a
 * request in flight on the sender, that request is answered 500 internal at once
 * instead of being left to its deadline.
 */
#ifndef BEDROCK_BROKER_FORWARD_H
#define BEDROCK_BROKER_FORWARD_H

#include "broker.h"
#include "frames.h"
#include "workers.h"

/* Handles a FORWARD from the registered worker w; takes what it needs out of f (the
 * caller still frames_close's it). Returns 0, or -1 when the message is malformed (the
 * caller counts and logs it). */
int forward_worker_message(broker_t *b, frames_t *f, worker_t *w)
    __attribute__((warn_unused_result));

#endif
