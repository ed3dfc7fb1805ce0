/* cache — the worker's own Redis connection (hiredis 0.14, blocking, with timeouts).
 *
 * Redis is an optimisation, never a dependency: when it is down or slow every call
 * returns CACHE_UNAVAILABLE at once (after at most the command timeout), counts one
 * bypass, and the connection is retried with exponential backoff (100 ms doubling up
 * to backoff_max_ms). Callers then go to PostgreSQL as if it were a miss.
 *
 * REDIS_URL is redis://[user:password@]host[:port][/db]; a password is sent with
 * AUTH and db with SELECT on each connect. A cache_t is used by one thread at a time.
 */
#ifndef BEDROCK_WORKER_CACHE_H
#define BEDROCK_WORKER_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    CACHE_OK = 0,
    CACHE_MISS = -1,        /* get: no such key */
    CACHE_UNAVAILABLE = -2, /* Redis down, slow or erroring: bypass it */
    CACHE_EXISTS = -3,      /* setnx: the key is already held */
} cache_result_t;

typedef struct cache cache_t;

typedef struct {
    const char *url; /* copied */
    int connect_timeout_ms;
    int command_timeout_ms;
    int backoff_max_ms;
    int health_interval_ms; /* cache_tick PINGs an idle connection this often */
} cache_options_t;

/* Parses the URL; never connects. NULL for a malformed URL or out of memory. */
cache_t *cache_new(const cache_options_t *opt);
void cache_destroy(cache_t **self_p);

/* One connection attempt now, whatever the backoff says. CACHE_OK or CACHE_UNAVAILABLE. */
cache_result_t cache_connect(cache_t *cache);

/* Reconnects when due; PINGs a connection idle for health_interval_ms. */
void cache_tick(cache_t *cache);

/* *value is a malloc'd copy (NUL-terminated, *len bytes before the NUL) the caller
 * frees; set only on CACHE_OK. */
cache_result_t cache_get(cache_t *cache, const char *key, char **value, size_t *len);
cache_result_t cache_set(cache_t *cache, const char *key, const void *value, size_t len, int ttl_s);
cache_result_t cache_del(cache_t *cache, const char *key);
/* SET NX EX: CACHE_OK when this call took the key, CACHE_EXISTS when someone holds it. */
cache_result_t cache_setnx(cache_t *cache, const char *key, const void *value, size_t len,
                           int ttl_s);
/* INCR, and EXPIRE ttl_s when the key was just created, atomically (one Lua script), so
 * that a counter can never be left without a TTL. *out receives the new value. */
cache_result_t cache_incr_expire(cache_t *cache, const char *key, int ttl_s, long long *out);

bool cache_is_up(const cache_t *cache);
uint64_t cache_bypass_count(const cache_t *cache);

#endif
