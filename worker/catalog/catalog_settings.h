/* catalog_settings — the catalog's own knobs (issue 3), read once at start.
 * Owner: catalog engineer (C1).
 *
 * Read through common/config.h (a malformed value exits 2 naming the variable) by
 * catalog_settings_load() from main.c, and logged. Until then (unit and integration
 * tests linking the worker core) the built-in defaults apply.
 *
 *   BEDROCK_FILL_LOCK_MS               5000  life of lock:{key}, the one-fill lock
 *   BEDROCK_FILL_POLL_MS                 20  how often a waiter looks for the filled value
 *   BEDROCK_STALE_TTL_S                   0  how long a stale copy is cached (0 = never)
 *   BEDROCK_LINK_DURATION_TOLERANCE_MS 3000  tracks.links: same ISRC and durations at
 *                                            most this far apart
 *   BEDROCK_INGEST_MAX_ITEMS           1000  items accepted in one catalog.ingest request
 */
#ifndef BEDROCK_WORKER_CATALOG_SETTINGS_H
#define BEDROCK_WORKER_CATALOG_SETTINGS_H

typedef struct {
    int fill_lock_ms;
    int fill_poll_ms;
    int stale_ttl_s;
    int link_tolerance_ms;
    int ingest_max_items;
} catalog_settings_t;

/* Reads and validates the environment (exits 2 on a bad value), then logs it. */
void catalog_settings_load(void);

/* The settings in force (defaults until catalog_settings_load). Borrowed. */
const catalog_settings_t *catalog_settings(void);

#endif
