/* library_config — the settings of the user library and the account lifecycle,
 * read and validated once at start (library_config_init, called by main after
 * settings_load). A malformed value prints one line naming the variable and exits 2.
 *
 *   name                        default          meaning
 *   BEDROCK_RATE_LOGIN          10/60,100/60     failed logins allowed in a fixed window,
 *                                                per email, then per client IP: "N/S" = N
 *                                                per S seconds (one rule: both the same),
 *                                                "N/S,M/T" (email, IP), "off" = none; the
 *                                                IP's is higher by default (offices behind
 *                                                one NAT address)
 *   BEDROCK_RATE_REGISTER       20/3600          registrations per client IP per window
 *   BEDROCK_RATE_USER           600/60           requests per user (every op that requires
 *                                                a session) per window
 *   BEDROCK_RATE_EXEMPT_IPS     127.0.0.1,::1    client addresses the per-IP limits skip
 *                                                (comma list, "none" = none): a loopback peer
 *                                                is a local reverse proxy or the host
 *                                                itself, and limiting it would limit every
 *                                                client behind that proxy as one
 *   BEDROCK_RATE_KEY_PREFIX     bedrock:rl:      prefix of the rate-limit keys in Redis
 *                                                (several clusters may share one Redis)
 *   BEDROCK_RATE_LOCAL_ENTRIES  4096             windows kept in each worker's own table
 *                                                for the login limit while Redis is down
 *   BEDROCK_VERIFY_TTL_S        172800 (48 h)    life of an email verification token
 *   BEDROCK_RETENTION_DAYS      30               users.purge removes accounts soft-deleted
 *                                                longer ago than this (days, 0 = at once)
 *   BEDROCK_INACTIVE_DAYS       0 (off)          users.purge first soft-deletes accounts
 *                                                (admins excepted) with no login for longer
 *                                                than this many days
 *   BEDROCK_PURGE_BATCH         100              accounts purged per statement
 *   BEDROCK_PURGE_BUDGET_MS     1000             time one users.purge call may take
 *                                                before answering {more: true} (the worker
 *                                                sends no heartbeat while it works)
 *   BEDROCK_PLAYLIST_ITEMS_MAX  10000            items one playlist may hold
 *
 * library_config() is usable without library_config_init (tests that call the
 * dispatcher directly): it then reads the environment on first use.
 */
#ifndef BEDROCK_WORKER_LIBRARY_CONFIG_H
#define BEDROCK_WORKER_LIBRARY_CONFIG_H

#include <stdbool.h>

#define LIBRARY_CONFIG_EXEMPT_MAX 16
#define LIBRARY_CONFIG_IP_MAX 64
#define LIBRARY_CONFIG_PREFIX_MAX 64

/* A fixed-window limit: at most limit events per window_s seconds; limit 0 = off. */
typedef struct {
    long limit;
    long window_s;
} library_rate_t;

typedef struct {
    library_rate_t rate_login;    /* per email */
    library_rate_t rate_login_ip; /* per client IP */
    library_rate_t rate_register;
    library_rate_t rate_user;
    char exempt_ips[LIBRARY_CONFIG_EXEMPT_MAX][LIBRARY_CONFIG_IP_MAX];
    int n_exempt_ips;
    char rate_prefix[LIBRARY_CONFIG_PREFIX_MAX];
    long rate_local_entries;
    long verify_ttl_s;
    long retention_days;
    long inactive_days;
    long purge_batch;
    long purge_budget_ms;
    long playlist_items_max;
} library_config_t;

/* "N/S" (N in 1..10000000, S in 1..31536000) or "off" / "0". 0 or -1. Pure. */
int library_config_parse_rate(const char *text, library_rate_t *out);

/* BEDROCK_RATE_LOGIN: "N/S" (both), "N/S,M/T" (email, IP) or "off". 0 or -1. Pure. */
int library_config_parse_login_rate(const char *text, library_rate_t *email, library_rate_t *ip);

/* Reads and validates the environment into the process-wide configuration; exits 2
 * naming the variable on a bad value. */
void library_config_init(void);

/* One log line per setting. */
void library_config_log(void);

/* The process-wide configuration (borrowed; loaded on first use). */
const library_config_t *library_config(void);

/* True when ip is one of BEDROCK_RATE_EXEMPT_IPS. */
bool library_config_ip_exempt(const char *ip);

#endif
