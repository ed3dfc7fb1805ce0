/* fe_metrics — request counters for GET /metrics (Prometheus text format 0.0.4).
 *
 * Lock-free: every counter is a relaxed atomic, bumped by the civetweb threads and
 * read when rendering, so a scrape never slows requests down. Process-wide state;
 * fe_metrics_init must run once before the server starts.
 */
#ifndef BEDROCK_FE_METRICS_H
#define BEDROCK_FE_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Latency histogram upper bounds, in seconds (le labels). */
#define FE_METRICS_BUCKETS                                                                         \
    {                                                                                              \
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10                     \
    }
#define FE_METRICS_BUCKET_COUNT 13

/* Sizes the per-route counters after the route table. Returns 0, or -1 when out of
 * memory. */
int fe_metrics_init(void) __attribute__((warn_unused_result));

/* Frees what fe_metrics_init allocated. */
void fe_metrics_shutdown(void);

void fe_metrics_request_begin(void);

/* route_index is the index in the route table, or -1 when no route matched. */
void fe_metrics_request_end(int route_index, int status, int64_t elapsed_us);

/* The Prometheus text; a malloc'd NUL-terminated buffer the caller frees, length in
 * *len. NULL when out of memory. */
char *fe_metrics_render(size_t *len);

#endif
