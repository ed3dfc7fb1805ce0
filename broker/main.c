/* main.c — bedrock-broker: configuration, sockets, the poll loop and shutdown
 * (owned by the broker area).
 *
 * One thread. Each turn polls both ROUTERs, then drains every message that is ready on
 * them (workers first: a reply frees credit for the next request), alternating one
 * message from each side, up to BROKER_DRAIN_BUDGET per side so that heartbeats and
 * deadlines still get their turn under a flood. The poll timeout is the time to the
 * next heartbeat round or the earliest deadline held, whichever comes first.
 *
 * SIGTERM/SIGINT: queued and in-flight requests are answered 503, every worker gets
 * DISCONNECT, and the process exits 0.
 *
 * Security: plain TCP, or CURVE with an allow-list of public keys when
 * BEDROCK_CURVE_SECRET_FILE and BEDROCK_CURVE_ALLOW_DIR are set (curve.h). With CURVE
 * the sockets live in czmq's context, where the zauth actor answers the ZAP requests.
 */
#include "broker.h"
#include "config.h"
#include "control.h"
#include "curve.h"
#include "dispatch.h"
#include "frames.h"
#include "log.h"
#include "proto.h"
#include "queue.h"
#include "status.h"
#include "workers.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t s_stop = 0;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static int s_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal; /* no SA_RESTART: zmq_poll must return EINTR */
    sigemptyset(&sa.sa_mask);
    return (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) ? -1 : 0;
}

static void s_read_config(broker_config_t *cfg)
{
    cfg->clients_endpoint =
        config_get_endpoint("BEDROCK_BROKER_CLIENTS", PROTO_DEFAULT_CLIENT_ENDPOINT);
    cfg->workers_endpoint =
        config_get_endpoint("BEDROCK_BROKER_WORKERS", PROTO_DEFAULT_WORKER_ENDPOINT);
    cfg->queue_max = config_get_int("BEDROCK_BROKER_QUEUE_MAX", 1024, 0, BROKER_QUEUE_MAX_LIMIT);
    cfg->heartbeat_ms =
        config_get_int("BEDROCK_HEARTBEAT_MS", PROTO_HEARTBEAT_INTERVAL_MS, 10, 600000);
    cfg->liveness = config_get_int("BEDROCK_HEARTBEAT_LIVENESS", PROTO_HEARTBEAT_LIVENESS, 1, 100);
}

static void s_log_config(const broker_config_t *cfg)
{
    log_info("setting BEDROCK_BROKER_CLIENTS=%s", cfg->clients_endpoint);
    log_info("setting BEDROCK_BROKER_WORKERS=%s", cfg->workers_endpoint);
    log_info("setting BEDROCK_BROKER_QUEUE_MAX=%ld", cfg->queue_max);
    log_info("setting BEDROCK_HEARTBEAT_MS=%ld", cfg->heartbeat_ms);
    log_info("setting BEDROCK_HEARTBEAT_LIVENESS=%ld", cfg->liveness);
    log_info("fixed limits: credit_max=%d workers_max=%d worker_ops_max=%d stats_ops_max=%d "
             "drain_budget=%d noreply_hold_ms=%d linger_ms=%d log_interval_ms=%d poll_max_ms=%d "
             "forward_hops_max=%d",
             BROKER_CREDIT_MAX, BROKER_WORKERS_MAX, BROKER_WORKER_OPS_MAX, BROKER_STATS_OPS_MAX,
             BROKER_DRAIN_BUDGET, BROKER_NOREPLY_HOLD_MS, BROKER_LINGER_MS, BROKER_LOG_INTERVAL_MS,
             BROKER_POLL_MAX_MS, BROKER_FORWARD_HOPS_MAX);
}

/* A bound ROUTER (a CURVE server when curve is set), or NULL (logged). */
static void *s_bind(void *ctx, const curve_t *curve, const char *endpoint, const char *name)
{
    void *sock = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = BROKER_LINGER_MS;
    if (!sock || zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
        (curve && curve_apply(curve, sock) < 0) || zmq_bind(sock, endpoint) < 0) {
        log_error("cannot bind the %s socket at %s: %s", name, endpoint, zmq_strerror(errno));
        if (sock)
            zmq_close(sock);
        return NULL;
    }
    char bound[256] = "";
    size_t size = sizeof bound;
    if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, bound, &size) == 0)
        log_info("%s socket bound at %s", name, bound);
    return sock;
}

static int s_open(broker_t *b)
{
    /* zauth runs before anything is bound, so no peer gets in unchecked. */
    b->ctx = b->curve ? curve_start(b->curve) : zmq_ctx_new();
    if (!b->ctx) {
        log_error("no ZeroMQ context: %s", zmq_strerror(errno));
        return -1;
    }
    b->clients = s_bind(b->ctx, b->curve, b->cfg.clients_endpoint, "client");
    b->workers_sock =
        b->clients ? s_bind(b->ctx, b->curve, b->cfg.workers_endpoint, "worker") : NULL;
    if (!b->workers_sock)
        return -1;
    b->workers = workers_new();
    b->queue = queue_new((size_t)b->cfg.queue_max);
    b->status = status_new();
    b->next_expiry_ms = INT64_MAX;
    b->started_us = broker_mono_us();
    b->next_tick_us = b->started_us + b->cfg.heartbeat_ms * 1000;
    return 0;
}

static void s_close(broker_t *b)
{
    if (b->clients)
        zmq_close(b->clients);
    if (b->workers_sock)
        zmq_close(b->workers_sock);
    /* Both wait at most BROKER_LINGER_MS for unsent messages; curve_destroy terminates
     * czmq's context after stopping zauth. */
    if (b->curve)
        curve_destroy(&b->curve);
    else if (b->ctx)
        zmq_ctx_term(b->ctx);
    workers_destroy(&b->workers);
    queue_destroy(&b->queue);
    status_destroy(&b->status);
}

/* Handles what is waiting on both sockets. Returns 0, or -1 on a socket error. */
static int s_drain(broker_t *b)
{
    frames_t f;
    int budget = BROKER_DRAIN_BUDGET;
    for (bool more = true; more && budget > 0 && !s_stop; budget--) {
        more = false;
        int rc = frames_recv(b->workers_sock, &f);
        if (rc > 0) {
            control_worker_message(b, &f);
            frames_close(&f);
            more = true;
        }
        int rc2 = frames_recv(b->clients, &f);
        if (rc2 > 0) {
            dispatch_client_message(b, &f);
            frames_close(&f);
            more = true;
        }
        if (rc < 0 || rc2 < 0) {
            log_error("receive failed: %s", zmq_strerror(errno));
            return -1;
        }
    }
    return 0;
}

static long s_poll_timeout(const broker_t *b)
{
    int64_t tick_ms = (b->next_tick_us - broker_mono_us() + 999) / 1000;
    int64_t timeout = tick_ms;
    if (b->next_expiry_ms != INT64_MAX) {
        int64_t expiry = b->next_expiry_ms - envelope_now_ms();
        if (expiry < timeout)
            timeout = expiry;
    }
    if (timeout > BROKER_POLL_MAX_MS)
        timeout = BROKER_POLL_MAX_MS;
    return timeout < 0 ? 0 : (long)timeout;
}

static int s_run(broker_t *b)
{
    zmq_pollitem_t items[2] = {{b->workers_sock, 0, ZMQ_POLLIN, 0}, {b->clients, 0, ZMQ_POLLIN, 0}};
    while (!s_stop) {
        if (zmq_poll(items, 2, s_poll_timeout(b)) < 0) {
            if (errno == EINTR)
                continue;
            log_error("zmq_poll failed: %s", zmq_strerror(errno));
            return -1;
        }
        if (s_drain(b) < 0)
            return -1;
        if (broker_mono_us() >= b->next_tick_us)
            control_tick(b);
        dispatch_sweep(b);
    }
    return 0;
}

int main(void)
{
    config_set_process("bedrock-broker");
    log_init("bedrock-broker");
    broker_t b;
    memset(&b, 0, sizeof b);
    s_read_config(&b.cfg);
    b.curve = curve_from_env();
    s_log_config(&b.cfg);
    curve_log(b.curve);
    if (s_install_signals() < 0) {
        log_error("cannot install signal handlers: %s", strerror(errno));
        return 1;
    }
    int rc = s_open(&b) < 0 ? -1 : 0;
    if (rc == 0) {
        log_info("broker ready");
        rc = s_run(&b);
        log_info("broker stopping: answering %zu queued request(s), disconnecting %zu worker(s)",
                 queue_depth(b.queue), workers_count(b.workers));
        dispatch_fail_all(&b);
        control_disconnect_all(&b);
    }
    s_close(&b);
    return rc == 0 ? 0 : 1;
}
