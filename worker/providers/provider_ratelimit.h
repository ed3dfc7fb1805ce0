/* provider_ratelimit — a fixed-window request limit shared by every worker.
 *
 * The window is the wall clock divided into window_ms slices, so every worker on
 * every host agrees on it without talking. Each request INCRs the Redis key
 * "provider:{platform}:rate:{window index}" (expiring after two windows) through
 * provider_kv_t.incr_expire; a count above the limit waits for the next window,
 * at most max_wait_ms, and otherwise gives up. When the store is unavailable a
 * process-local count of the same window is used instead, so that this process
 * alone still never exceeds the limit (it counts its own requests in both modes).
 */
#ifndef BEDROCK_PROVIDER_RATELIMIT_H
#define BEDROCK_PROVIDER_RATELIMIT_H

#include "provider_http.h"

typedef struct {
    long limit;       /* requests per window, >= 1 */
    long window_ms;   /* >= 1 */
    long max_wait_ms; /* >= 0 */
} provider_ratelimit_settings_t;

/* This process's count in the current window (plain data, zero-initialise). */
typedef struct {
    long long window;
    long count;
} provider_ratelimit_t;

/* Takes one request slot for platform. kv may be NULL or have a NULL incr_expire.
 * Returns 0 when a slot was taken (after *waited_ms of sleeping; may be NULL), -1
 * when none could be had within max_wait_ms. */
int provider_ratelimit_acquire(provider_ratelimit_t *local, const provider_kv_t *kv,
                               const char *platform, const provider_ratelimit_settings_t *set,
                               const provider_clock_t *clock, long *waited_ms)
    __attribute__((warn_unused_result));

#endif
