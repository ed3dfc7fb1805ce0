/* status — per-op statistics and the broker.status reply (owned by the broker area).
 *
 * Every request the broker finishes (answered by a worker or by the broker itself) is
 * recorded under its op: a count, an error count (status >= 500: a 4xx is the client's
 * doing, not the service's) and a latency histogram from arrival at the broker to the
 * reply leaving it. A request a worker FORWARDs is counted `forwarded` under the op it
 * arrived with, and finished (count, latency) under the op that answered it; its latency
 * is still measured from the client's arrival, so it is what the client waited. The histogram has
 * four buckets per power of two of microseconds (about 19% resolution, fixed memory); p50/p99 are
 * read from it. At most BROKER_STATS_OPS_MAX op names get their own entry; later ones share
 * "(other)", so a client inventing op names cannot grow the broker's memory.
 *
 * broker.status data (CONTRACTS): {workers:[{id, pid, host, ops, busy, in_flight, credit,
 * last_heartbeat_ms_ago, handled, errors, forwarded}], queue_depth, queue_max,
 * ops:{op:{count, errors, forwarded, p50_ms, p99_ms}}, workers_total (registered), workers_live
 * (registered and heard from within the liveness window), stats:{handled, errors,
 * cache_bypass, db:{up, down}, redis:{up, down}, reporting} summed over the workers'
 * last heartbeat stats, broker:{uptime_ms, heartbeat_ms, liveness, and the counters of
 * broker_counters_t}}.
 */
#ifndef BEDROCK_BROKER_STATUS_H
#define BEDROCK_BROKER_STATUS_H

#include "broker.h"

#include <jansson.h>

status_t *status_new(void);
void status_destroy(status_t **self_p);

/* Records one finished request. */
void status_record(status_t *self, const char *op, int status, int64_t latency_us);
/* Records that a request of op was forwarded to another op's pool (not finished). */
void status_record_forward(status_t *self, const char *op);

/* The data of the broker.status reply; the caller owns it (json_decref). NULL only
 * when jansson cannot allocate. */
json_t *status_build(broker_t *b);

#endif
