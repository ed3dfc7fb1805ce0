/* discovery_settings — the knobs of the discovery ops (search, lyrics, plays, status).
 * Owner: discovery engineer (C2).
 *
 * Read from the environment through common/config.h (a malformed value prints one line
 * naming the variable and exits 2) and logged, once per process:
 *   BEDROCK_STATUS_DEGRADED_MS     2000  a provider health check slower than this is
 *                                        "degraded" (providers.status)
 *   BEDROCK_SEARCH_PARTIAL_TTL_S     30  cache life of a search result that misses a
 *                                        failed provider (0 = not cached); complete
 *                                        results live the 5 min of DESIGN §3
 *   BEDROCK_SEARCH_UPSERT          true  provider search results shown on a page are
 *                                        stored (partial rows) so their ids resolve later
 *   BEDROCK_SEARCH_PROVIDER_BUDGET_MS 2500  a search starts no further provider call
 *                                        once it has spent this long on providers (the
 *                                        rest are skipped: a partial result). A worker
 *                                        cannot heartbeat while it runs a handler, so
 *                                        its handlers must stay well under
 *                                        BEDROCK_HEARTBEAT_MS x BEDROCK_HEARTBEAT_LIVENESS
 *   BEDROCK_PROVIDER_MIN_LEFT_MS   1000  a provider call (search source, health check) is
 *                                        not started when less than this is left before
 *                                        the request's deadline: the source is skipped
 *                                        (partial result) rather than the reply lost
 * Fixed by the contracts, not settings: the TTLs of DESIGN §3 (cache_aside.h), the
 * 30 s play window, q of 1..200 characters, limit 1..100 (default 20), the play rule
 * min(duration / 2, 4 min).
 */
#ifndef BEDROCK_WORKER_DISCOVERY_SETTINGS_H
#define BEDROCK_WORKER_DISCOVERY_SETTINGS_H

#include <stdbool.h>

typedef struct {
    int status_degraded_ms;
    int search_partial_ttl_s;
    bool search_upsert;
    int provider_min_left_ms;
    int search_provider_budget_ms;
} discovery_settings_t;

/* Reads, validates and logs the settings; call once at start (main.c) so that a bad
 * value stops the worker before it serves. Later calls do nothing. */
void discovery_settings_load(void);

/* True when a provider call may still start for a request with this deadline (unix ms;
 * 0 = none). */
bool discovery_settings_time_left(long long deadline_ms);

/* The settings (loaded on first use when discovery_settings_load was not called).
 * Borrowed; lives for the whole process. */
const discovery_settings_t *discovery_settings(void);

#endif
