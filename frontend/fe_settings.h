/* fe_settings — the frontend's configuration, read from the environment at start.
 *
 * fe_settings_load validates every variable (config.h: a bad value prints one line
 * naming it and exits 2); fe_settings_log writes them all, and the fixed limits, to the
 * log (never the JWT secret itself).
 */
#ifndef BEDROCK_FE_SETTINGS_H
#define BEDROCK_FE_SETTINGS_H

#define FE_SETTINGS_DEFAULT_HTTP_ADDR "127.0.0.1:8080"
#define FE_SETTINGS_DEFAULT_HTTP_THREADS 128
#define FE_SETTINGS_MAX_HTTP_THREADS 4096
#define FE_SETTINGS_DEFAULT_REQUEST_TIMEOUT_MS 10000
#define FE_SETTINGS_MIN_REQUEST_TIMEOUT_MS 10
#define FE_SETTINGS_MAX_REQUEST_TIMEOUT_MS 600000
/* /readyz asks broker.status with this deadline (CONTRACTS: 1 s). */
#define FE_SETTINGS_READY_TIMEOUT_MS 1000
/* civetweb: an idle keep-alive connection holds a thread this long. */
#define FE_SETTINGS_KEEP_ALIVE_TIMEOUT_MS 5000
/* civetweb: time allowed to receive one request (headers and body). */
#define FE_SETTINGS_HTTP_READ_TIMEOUT_MS 10000
#define FE_SETTINGS_LISTEN_BACKLOG 1024
#define FE_SETTINGS_CONNECTION_QUEUE 256

typedef struct {
    const char *http_addr;       /* BEDROCK_HTTP_ADDR, host:port */
    const char *broker_endpoint; /* BEDROCK_BROKER_CLIENTS, connect */
    const char *jwt_secret;      /* BEDROCK_JWT_SECRET, >= 32 bytes */
    long http_threads;           /* BEDROCK_HTTP_THREADS */
    long request_timeout_ms;     /* BEDROCK_REQUEST_TIMEOUT_MS */
} fe_settings_t;

/* Fills *s from the environment; exits 2 on a bad value. Strings are borrowed from
 * the environment and live for the whole process. */
void fe_settings_load(fe_settings_t *s);

void fe_settings_log(const fe_settings_t *s);

#endif
