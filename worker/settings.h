/* settings — every knob of bedrock-worker, read and validated once at start.
 *
 * settings_load() reads the environment through common/config.h: a missing or
 * malformed value prints one line naming the variable and exits 2, so a loaded
 * settings_t is always valid. Strings are borrowed from the environment (or are
 * the built-in defaults) and live for the whole process.
 *
 * Besides the variables fixed by CONTRACTS.md, a few limits that the contract
 * leaves open are settings too (all optional, all logged at start):
 *   BEDROCK_DB_CONNECT_TIMEOUT_MS   one connection attempt, default 2000
 *   BEDROCK_DB_BACKOFF_MAX_MS       longest wait between attempts, default 5000
 *   BEDROCK_DB_TX_RETRIES           retries after 40001/40P01, default 3
 *   BEDROCK_REDIS_CONNECT_TIMEOUT_MS default 200
 *   BEDROCK_REDIS_TIMEOUT_MS        per command, default 200
 *   BEDROCK_REDIS_BACKOFF_MAX_MS    default 5000
 *   BEDROCK_SESSION_TTL_S           session and refresh-token life, default 30 days
 * The access-token life (900 s) is fixed by the API contract (expires_in).
 */
#ifndef BEDROCK_WORKER_SETTINGS_H
#define BEDROCK_WORKER_SETTINGS_H

#include <stdbool.h>

#define SETTINGS_PROCESS "bedrock-worker"
#define SETTINGS_ACCESS_TTL_S 900
#define SETTINGS_DEFAULT_REDIS_URL "redis://127.0.0.1:6379"

typedef struct {
    const char *database_url;
    const char *replica_url; /* NULL when DATABASE_REPLICA_URL is unset */
    const char *redis_url;
    const char *broker_endpoint;
    const char *jwt_secret;
    const char *ops; /* BEDROCK_WORKER_OPS; NULL = every op the worker has */
    int bcrypt_cost;
    int credit;
    int db_max_lifetime_s;
    int db_idle_check_s;
    bool db_prepared;
    int slow_query_ms;
    int db_connect_timeout_ms;
    int db_backoff_max_ms;
    int db_tx_retries;
    int redis_connect_timeout_ms;
    int redis_timeout_ms;
    int redis_backoff_max_ms;
    int heartbeat_ms;
    int liveness;
    int session_ttl_s;
    int access_ttl_s;
    bool test_ops;
} settings_t;

/* The built-in defaults, with no URL and no secret: what tests start from. */
void settings_defaults(settings_t *out);

/* Reads and validates the environment; exits 2 naming the variable on a bad value. */
void settings_load(settings_t *out);

/* One log line per setting; the JWT secret is never shown and URL passwords are masked. */
void settings_log(const settings_t *s);

/* Copies url into out with any password replaced by "****" (user:pass@ and password=).
 * out is always NUL-terminated; an over-long URL is cut. */
void settings_redact_url(const char *url, char *out, int out_size);

#endif
