/* loop — the worker's side of the BRW1 protocol (DESIGN §2, common/proto.h).
 *
 * One DEALER connected to BEDROCK_BROKER_WORKERS. On (re)connect it sends READY
 * {pid, host, ops, credit}; every heartbeat interval it sends HEARTBEAT with the stats
 * map {handled, errors, db, redis, cache_bypass}. When the broker has been silent for
 * LIVENESS intervals, or sends DISCONNECT, the socket is destroyed and a new DEALER
 * connects and says READY again: a restarted broker is picked up without restarting
 * the worker.
 *
 * Every REQUEST gets a REPLY [BRW1][REPLY][client address][empty][reply envelope] —
 * also noreply requests (the broker drops those replies, but learns that the worker
 * is free) and requests whose deadline had passed (answered 504 timeout without
 * running; the broker has normally answered the client already). A malformed
 * envelope is logged, counted in errors and answered 400 bad_request when its id can
 * be read; otherwise it is dropped.
 *
 * Everything runs on the calling thread; handlers run to completion between polls.
 */
#ifndef BEDROCK_WORKER_LOOP_H
#define BEDROCK_WORKER_LOOP_H

#include "dispatch.h"
#include "handler.h"
#include "settings.h"

#include <signal.h>
#include <stdint.h>

typedef struct loop loop_t;

typedef struct {
    uint64_t handled;    /* requests run by a handler */
    uint64_t errors;     /* 5xx replies + malformed messages */
    uint64_t expired;    /* requests skipped because their deadline had passed */
    uint64_t reconnects; /* new DEALERs after silence or DISCONNECT */
} loop_stats_t;

/* All arguments are borrowed and must outlive the loop. NULL when ZeroMQ fails. */
loop_t *loop_new(const settings_t *cfg, dispatch_t *dispatch, const handler_env_t *env);

/* Runs until *stop becomes non-zero (set it from a signal handler), then sends
 * DISCONNECT. Returns 0, or -1 on an unrecoverable ZeroMQ error. */
int loop_run(loop_t *loop, volatile sig_atomic_t *stop);

void loop_stats(const loop_t *loop, loop_stats_t *out);
void loop_destroy(loop_t **self_p);

#endif
