/* broker — the state shared by the broker's modules (owned by the broker area).
 *
 * One broker_t lives in main.c for the whole process. It owns the ZeroMQ context and
 * both ROUTER sockets, the worker registry (workers.h), the pending queue (queue.h)
 * and the per-op statistics (status.h). Every module receives it by pointer and never
 * frees it; main.c creates and destroys it.
 *
 * A broker_req_t is one client request while the broker holds it: in the pending
 * queue, or in a worker's in-flight slot. It owns two ZeroMQ messages (the client's
 * routing id and the original envelope bytes, kept so that a read-only request can be
 * retried verbatim on another worker). It moves between the queue and the slots with
 * broker_req_move (zmq_msg_move: no copy, no allocation). A request a worker FORWARDs
 * (forward.h) stays the same client request; its envelope and op are the new ones.
 *
 * Timekeeping: deadlines are unix ms (the envelope's clock, envelope_now_ms); timers,
 * liveness and latencies use the monotonic clock (broker_mono_us).
 */
#ifndef BEDROCK_BROKER_H
#define BEDROCK_BROKER_H

#include "envelope.h"

#include <stdbool.h>
#include <stdint.h>
#include <zmq.h>

/* Fixed limits: not worth an environment variable, but logged at start with the rest. */
#define BROKER_CREDIT_MAX 64      /* a worker's announced credit is clamped to this */
#define BROKER_WORKERS_MAX 4096   /* READYs past this many live workers are refused */
#define BROKER_WORKER_OPS_MAX 256 /* entries in one READY ops list */
#define BROKER_STATS_OPS_MAX                                                                       \
    512                          /* distinct op names with their own stats; the rest -> "(other)"  \
                                  */
#define BROKER_DRAIN_BUDGET 4096 /* messages per socket before timers get a turn */
#define BROKER_NOREPLY_HOLD_MS                                                                     \
    10000                           /* a noreply request without deadline holds credit this long   \
                                     */
#define BROKER_LINGER_MS 200        /* time given to the last DISCONNECTs at shutdown */
#define BROKER_LOG_INTERVAL_MS 1000 /* at most one warn line per kind of bad input per interval */
#define BROKER_POLL_MAX_MS 250      /* longest poll: bounds the time to notice a signal */
#define BROKER_QUEUE_MAX_LIMIT 1000000
#define BROKER_IDENTITY_MAX 255   /* ZeroMQ routing ids are at most 255 bytes */
#define BROKER_FORWARD_HOPS_MAX 4 /* FORWARDs of one request; more is a loop between pools */

typedef struct {
    const char *clients_endpoint; /* borrowed from the environment (config_get_*) */
    const char *workers_endpoint;
    long queue_max;
    long heartbeat_ms;
    long liveness;
} broker_config_t;

/* Counters reported by broker.status; only ever incremented. */
typedef struct {
    uint64_t requests;          /* well-formed client requests received */
    uint64_t client_malformed;  /* client messages dropped or answered 400 */
    uint64_t worker_malformed;  /* worker messages dropped */
    uint64_t unknown_worker;    /* non-READY messages from unknown identities (-> DISCONNECT) */
    uint64_t late_replies;      /* worker replies for requests no longer in flight */
    uint64_t timeouts;          /* 504 answered by the broker */
    uint64_t overloaded;        /* 503 overloaded */
    uint64_t no_worker;         /* 503 no_worker */
    uint64_t worker_lost;       /* 503 worker_lost */
    uint64_t retried;           /* read-only requests re-sent after their worker died */
    uint64_t workers_died;      /* workers removed for silence or DISCONNECT */
    uint64_t forwarded;         /* FORWARDs that moved a request to another op's pool */
    uint64_t forward_unmatched; /* FORWARDs for no request in flight on that worker (dropped) */
    uint64_t forward_loops;     /* requests answered 500: forwarded over BROKER_FORWARD_HOPS_MAX */
} broker_counters_t;

/* Rate limit for warn lines about bad input: one line per interval, with how many
 * similar events were not logged. */
typedef struct {
    int64_t window_start_us;
    uint64_t suppressed;
} broker_ratelog_t;

typedef struct {
    zmq_msg_t client;   /* owned: the client's ROUTER routing id */
    zmq_msg_t envelope; /* owned: the request envelope exactly as received */
    envelope_peek_t peek;
    int64_t received_us; /* monotonic, for the latency statistics */
    int64_t expire_ms;   /* unix ms at which the broker gives up on it; 0 = never */
    bool retried;        /* already re-sent once after a worker died */
    uint8_t forwards;    /* times a worker FORWARDed it (forward.h) */
} broker_req_t;

typedef struct workers workers_t;
typedef struct queue queue_t;
typedef struct status status_t;
typedef struct curve curve_t;

typedef struct {
    broker_config_t cfg;
    curve_t *curve; /* NULL: plain TCP; else CURVE settings and the zauth actor (curve.h) */
    void *ctx;      /* zmq_ctx_new's, or czmq's when curve is set (zauth must share it) */
    void *clients;  /* ROUTER bound at cfg.clients_endpoint */
    void *workers_sock;
    workers_t *workers;
    queue_t *queue;
    status_t *status;
    broker_counters_t counters;
    broker_ratelog_t client_log, worker_log;
    int64_t next_expiry_ms; /* earliest expire_ms held anywhere (INT64_MAX when none) */
    int64_t next_tick_us;   /* next heartbeat/liveness round, monotonic */
    int64_t started_us;
} broker_t;

/* calloc that never returns NULL: out of memory logs and aborts (STYLE: one wrapper). */
void *broker_alloc(size_t size);

/* Monotonic clock in microseconds. */
int64_t broker_mono_us(void);

/* broker_req_t life cycle. init leaves both messages empty; close releases them (safe
 * on an initialised or moved-from request); move transfers everything from src to dst
 * (dst must be initialised and empty; src is left empty). */
void broker_req_init(broker_req_t *req);
void broker_req_close(broker_req_t *req);
void broker_req_move(broker_req_t *dst, broker_req_t *src);
/* zmq_msg_move that cannot fail silently: dst (initialised) takes src's content. */
void broker_msg_move(zmq_msg_t *dst, zmq_msg_t *src);

/* Lowers b->next_expiry_ms so that the loop wakes up for expire_ms (0 = never). */
void broker_note_expiry(broker_t *b, int64_t expire_ms);

/* True when a warn line may be logged now; *suppressed receives how many were skipped. */
bool broker_ratelog_allow(broker_ratelog_t *rl, uint64_t *suppressed);

#endif
