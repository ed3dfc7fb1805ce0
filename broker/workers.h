/* workers — the registry of live workers (owned by the broker area).
 *
 * A worker is known by its ROUTER routing id from its READY until it dies (silent for
 * LIVENESS heartbeat intervals), says DISCONNECT, or re-registers. Each worker has
 * `credit` in-flight slots; a slot owns the broker_req_t sent to that worker until its
 * reply comes back, its deadline passes or the worker is lost.
 *
 * Routing (workers_pick): among the workers that serve the op and have credit left,
 * the one with the fewest requests in flight, and among equals the least recently
 * used. So an idle worker always wins (LRU among idle ones), and a busy one with
 * credit left is used only when every server of the op is busy.
 *
 * The registry owns every worker_t; fields of worker_t are read freely by the other
 * broker modules but changed only through the functions below (except the counters
 * `handled`/`errors`/`forwarded` and `last_seen_us`, which the control and forward
 * modules keep).
 */
#ifndef BEDROCK_BROKER_WORKERS_H
#define BEDROCK_BROKER_WORKERS_H

#include "broker.h"

#include <stddef.h>
#include <stdint.h>

#define WORKER_HOST_MAX 128

/* What a READY announces. ops is owned (array and strings); worker_info_clear frees it. */
typedef struct {
    long pid;
    char host[WORKER_HOST_MAX];
    char **ops;
    size_t ops_count;
    long credit;
} worker_info_t;

/* The last stats map a worker sent with its HEARTBEAT. */
typedef struct {
    bool present;
    int64_t handled, errors, cache_bypass;
    char db[8], redis[8]; /* "up", "down" or "" when not reported */
} worker_hb_stats_t;

typedef struct {
    uint8_t identity[BROKER_IDENTITY_MAX];
    size_t identity_size;
    char id_hex[2 * BROKER_IDENTITY_MAX + 1];
    worker_info_t info;
    int in_flight;
    broker_req_t *slots; /* info.credit entries; slot_used says which hold a request */
    bool *slot_used;
    uint64_t last_used;   /* LRU sequence number of the last assignment (or registration) */
    int64_t last_seen_us; /* monotonic time of the last message from it */
    int64_t registered_us;
    uint64_t handled, errors; /* replies forwarded; those with status >= 500 */
    uint64_t forwarded;       /* requests it handed to another pool (FORWARD) */
    worker_hb_stats_t hb;
} worker_t;

workers_t *workers_new(void);
/* Frees every worker (closing the requests in their slots) and the registry. */
void workers_destroy(workers_t **self_p);

size_t workers_count(const workers_t *self);
/* The i-th worker, i < workers_count; borrowed. Order is arbitrary. */
worker_t *workers_at(workers_t *self, size_t i);
worker_t *workers_find(workers_t *self, const void *identity, size_t size);

/* Parses a READY body {pid, host, ops:[str...], credit}. ops is required and non-empty;
 * credit defaults to 1 and is clamped to BROKER_CREDIT_MAX. Returns 0 with *out filled
 * (caller clears it), or -1 with *out empty. */
int workers_parse_ready(const void *buf, size_t len, worker_info_t *out)
    __attribute__((warn_unused_result));
void worker_info_clear(worker_info_t *info);

/* Registers a worker, taking ownership of info->ops (info is left empty). Returns the
 * new worker (owned by the registry), or NULL when BROKER_WORKERS_MAX are live. */
worker_t *workers_add(workers_t *self, const void *identity, size_t size, worker_info_t *info);

/* Unlinks w from the registry; the caller empties its slots and then destroys it. */
void workers_remove(workers_t *self, worker_t *w);
void worker_destroy(worker_t **self_p);

/* True when one of w's ops entries equals op or is a prefix of it ending in '.'. */
bool worker_serves(const worker_t *w, const char *op);
bool workers_serve_any(workers_t *self, const char *op);

/* The worker the next request for op should go to, or NULL when none has credit left. */
worker_t *workers_pick(workers_t *self, const char *op);

/* Moves *req into a free slot of w (which must have in_flight < credit) and marks w as
 * the most recently used. Returns the slot's request (borrowed). */
broker_req_t *workers_assign(workers_t *self, worker_t *w, broker_req_t *req);

/* Index of the in-flight slot holding request id, or -1. */
int worker_slot_find(const worker_t *w, const uint8_t id[ENVELOPE_ID_SIZE]);
/* Index of the in-flight slot holding request id of the client with that ROUTER routing
 * id (size bytes), or -1. */
int worker_slot_find_client(const worker_t *w, const void *client, size_t size,
                            const uint8_t id[ENVELOPE_ID_SIZE]);
/* Moves the request of slot index out to *out (initialised, empty) and frees the slot. */
void worker_slot_take(worker_t *w, int index, broker_req_t *out);

/* Stores the stats map of a HEARTBEAT. Returns 0, or -1 when it is malformed. */
int worker_parse_heartbeat(worker_t *w, const void *buf, size_t len)
    __attribute__((warn_unused_result));

/* A worker whose last message is older than before_us (monotonic), or NULL. */
worker_t *workers_find_silent(workers_t *self, int64_t before_us);

#endif
