/* cluster — a Bedrock cluster of real processes for the end-to-end and fault tests:
 * one bedrock-broker, N bedrock-worker and one bedrock-frontend, on free ports, with
 * their stdout/stderr appended to <dir>/broker.log, worker-<i>.log and frontend.log
 * (dir is a fresh temporary directory).
 *
 * Environment given to every child: DATABASE_URL and REDIS_URL (from the options or
 * the test's own environment: a cluster refuses to start without them),
 * BEDROCK_JWT_SECRET (a random 43-byte secret per cluster: cluster_secret() forges
 * tokens), BEDROCK_BROKER_CLIENTS / BEDROCK_BROKER_WORKERS (tcp://127.0.0.1:<free>),
 * BEDROCK_HTTP_ADDR (127.0.0.1:<free>), BEDROCK_HEARTBEAT_MS, BEDROCK_HEARTBEAT_LIVENESS,
 * BEDROCK_TEST_OPS=1,
 * BEDROCK_BCRYPT_COST (the test's own value or 4), BEDROCK_LOG_LEVEL when the test has
 * one; then options.env, then the per-process lists ("NAME" alone unsets NAME).
 *
 * No child outlives the test program (see proc.h). cluster_stop reports children that
 * died without being told to, with the tail of their logs.
 */
#ifndef BEDROCK_TEST_CLUSTER_H
#define BEDROCK_TEST_CLUSTER_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#define CLUSTER_MAX_WORKERS 16
#define CLUSTER_DEFAULT_HEARTBEAT_MS 200
/* A worker runs one handler at a time and cannot heartbeat during it: any handler
 * (test.sleep included) must finish within HEARTBEAT_MS x LIVENESS or the broker
 * declares the worker dead. 200 ms x 5 = 1 s: sleeps of up to ~800 ms are safe and a
 * killed worker is noticed within about a second. */
#define CLUSTER_DEFAULT_LIVENESS 5
#define CLUSTER_DEFAULT_READY_TIMEOUT_MS 20000

typedef struct cluster_t cluster_t;

typedef enum { CLUSTER_BROKER = 0, CLUSTER_WORKER = 1, CLUSTER_FRONTEND = 2 } cluster_kind_t;

/* The path of a binary: $BEDROCK_TEST_{BROKER,WORKER,FRONTEND}_BIN when set, else the
 * build tree's target file (borrowed). */
const char *cluster_binary(cluster_kind_t kind);

/* A TCP port on 127.0.0.1 that was free a moment ago, or -1. */
int cluster_free_port(void);

typedef struct {
    int n_workers;                   /* 0..CLUSTER_MAX_WORKERS */
    const char *database_url;        /* NULL = getenv("DATABASE_URL") */
    const char *redis_url;           /* NULL = getenv("REDIS_URL") */
    int heartbeat_ms;                /* 0 = CLUSTER_DEFAULT_HEARTBEAT_MS */
    int liveness;                    /* 0 = CLUSTER_DEFAULT_LIVENESS */
    const char *const *env;          /* extra for every child, NULL-terminated, copied */
    const char *const *broker_env;   /* extra for the broker only, copied */
    const char *const *worker_env;   /* extra for every worker, copied */
    const char *const *frontend_env; /* extra for the frontend, copied */
    bool no_wait_ready;              /* true: return once spawned, without /readyz */
    int ready_timeout_ms;            /* 0 = CLUSTER_DEFAULT_READY_TIMEOUT_MS */
} cluster_options_t;

/* Starts a cluster and waits until GET /readyz is 200 with >= n_workers workers.
 * Returns NULL on failure, after printing why and the children's logs and stopping
 * whatever was started. */
cluster_t *cluster_start(int n_workers);
cluster_t *cluster_start_opts(const cluster_options_t *opt);

/* Kills every child (SIGTERM, then SIGKILL after a grace period), reaps them and
 * frees the cluster. Returns the number of children that had died without being
 * told to (a crash), 0 when all was well. Removes the log directory unless
 * BEDROCK_TEST_KEEP_LOGS is set or logs were dumped. NULL-safe. */
int cluster_stop(cluster_t **self_p);

/* "http://127.0.0.1:<port>" */
const char *cluster_base_url(const cluster_t *self);
/* The broker's client endpoint (for brclient) and worker endpoint. */
const char *cluster_clients_endpoint(const cluster_t *self);
const char *cluster_workers_endpoint(const cluster_t *self);
/* The BEDROCK_JWT_SECRET given to the children. */
const char *cluster_secret(const cluster_t *self);
const char *cluster_dir(const cluster_t *self);
int cluster_n_workers(const cluster_t *self);
pid_t cluster_worker_pid(const cluster_t *self, int i); /* 0 when not running */
pid_t cluster_broker_pid(const cluster_t *self);
pid_t cluster_frontend_pid(const cluster_t *self);
/* Index of the worker with this pid, or -1. */
int cluster_worker_index(const cluster_t *self, pid_t pid);

/* Sends sig to worker i and reaps it (SIGKILL after 3 s if sig did not end it). */
int cluster_kill_worker(cluster_t *self, int i, int sig);
/* Starts worker i again (it must not be running), same environment. */
int cluster_restart_worker(cluster_t *self, int i);

/* Stops the broker with sig (reaped; SIGKILL after 3 s), then starts it on the same ports. */
int cluster_stop_broker(cluster_t *self, int sig);
int cluster_start_broker(cluster_t *self);

/* Polls GET /readyz until 200 with workers >= min_workers. Returns 0, or -1 on timeout
 * or when a child died (which it prints). */
int cluster_wait_ready(cluster_t *self, int min_workers, int timeout_ms);

/* broker.status data through a fresh brclient (new reference), or NULL. */
json_t *cluster_broker_status(cluster_t *self, int timeout_ms);

/* Polls broker.status until workers_live == n. Returns 0, or -1 on timeout. */
int cluster_wait_workers_live(cluster_t *self, int n, int timeout_ms);

/* True when every child that should run does. Prints the ones that died. */
bool cluster_all_alive(cluster_t *self);

/* Remembers the current end of every log; cluster_dump_logs(self, true) prints only
 * what was written since (the last 6 KB of it per file), false prints each tail. */
void cluster_mark_logs(cluster_t *self);
void cluster_dump_logs(cluster_t *self, bool since_mark);

#endif
