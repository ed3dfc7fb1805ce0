/* ratelimit — fixed-window rate limits kept in Redis, shared by every worker.
 *
 * A window is [k*S, (k+1)*S) seconds of wall-clock time (S = the rule's window), so
 * every worker agrees on it without talking; its counter lives in Redis under
 * "<BEDROCK_RATE_KEY_PREFIX><scope>:<key>:<k>" with a TTL of one window (INCR +
 * EXPIRE in one script: cache_incr_expire), so counters survive worker restarts.
 * When a request is refused, *retry_after_s is the time left in the window (>= 1).
 *
 * Redis down: the general limits (per user, registrations) are skipped — Redis is an
 * optimisation, never a dependency — but the login limit is not: every failed login
 * is also counted in a small table inside the worker (BEDROCK_RATE_LOCAL_ENTRIES
 * windows, oldest overwritten), which decides while Redis is unreachable. The limit
 * then holds per worker.
 *
 * Emails are never stored in Redis or in the table: their key is a SHA-256 prefix.
 * A worker is single-threaded; the table is not locked.
 */
#ifndef BEDROCK_WORKER_RATELIMIT_H
#define BEDROCK_WORKER_RATELIMIT_H

#include "cache.h"
#include "library_config.h"

#include <stdbool.h>
#include <stdint.h>

/* Counts one event of scope/key against rule; true when it goes over the limit (the
 * request must be refused). False when the rule is off or Redis is down. */
bool ratelimit_hit(cache_t *cache, const library_rate_t *rule, const char *scope, const char *key,
                   int *retry_after_s);

/* True when email (normalised) has used up its failed logins in the current window
 * of BEDROCK_RATE_LOGIN's email rule, or ip those of its IP rule; counts nothing.
 * ip NULL, "" or exempt (BEDROCK_RATE_EXEMPT_IPS) is not looked at. Only failures
 * count: a user who logs in successfully many times is never limited. */
bool ratelimit_login_blocked(cache_t *cache, const char *email, const char *ip, int *retry_after_s);

/* Records one failed login for email and ip (Redis and the worker's own table). */
void ratelimit_login_failed(cache_t *cache, const char *email, const char *ip);

/* Seconds since the epoch; tests may replace the clock (NULL restores it). */
void ratelimit_set_clock(int64_t (*now_s)(void));

/* Forgets the worker's own table (tests). */
void ratelimit_local_reset(void);

#endif
