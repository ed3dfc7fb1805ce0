/* broker_harness — test support for the bedrock-broker tests (owned by the broker area).
 *
 * Starts the real bedrock-broker binary (BROKER_BIN) on free ports with a chosen
 * environment, and drives it with in-process fakes: bt_worker_t is a DEALER speaking
 * BRW1 (READY, heartbeats, replies), bt_client_t a DEALER speaking BRC1. Everything runs
 * in the test's one thread: every wait function keeps the fake workers' heartbeats going
 * (except those marked silent), so a worker stays alive while the test waits elsewhere.
 *
 * Ownership: bt_broker_start/stop manage the child process; fakes are owned by the
 * harness and freed by bt_reset() (called by the teardown), so tests never free them.
 * Replies returned in envelope_reply_t are the caller's to envelope_reply_clear.
 *
 * CURVE (broker/curve.h): a broker started with bt_broker_start_curve is reached by the
 * probe and by every fake made with bt_client_new/bt_worker_new through the given keys;
 * bt_worker_new_curve picks other keys (or NULL: plain) for one fake.
 */
#ifndef BEDROCK_TEST_BROKER_HARNESS_H
#define BEDROCK_TEST_BROKER_HARNESS_H

#include "envelope.h"

#include <czmq.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define BT_HEARTBEAT_MS 100 /* what the tests run the broker with */

/* The connecting side's CURVE keys (broker/curve.h). */
typedef struct {
    zcert_t *cert;          /* borrowed: the fake's own certificate, both keys */
    char server_public[41]; /* the broker's public key, Z85 */
} bt_curve_t;

typedef struct {
    pid_t pid;
    char clients_ep[64];
    char workers_ep[64];
    char log_path[512];
    const bt_curve_t *curve; /* borrowed; NULL = plain TCP */
} bt_broker_t;

typedef struct {
    zsock_t *sock;
    bool silent;       /* stop sending heartbeats (the broker should declare it dead) */
    bool disconnected; /* received DISCONNECT */
    int64_t next_hb_ms;
    json_t *hb_stats; /* sent with every heartbeat when set (owned) */
} bt_worker_t;

typedef struct {
    zsock_t *sock;
} bt_client_t;

/* A request as a fake worker received it. The envelope bytes are kept for comparison. */
typedef struct {
    zframe_t *client;   /* owned */
    zframe_t *envelope; /* owned */
    envelope_request_t req;
} bt_request_t;

/* Milliseconds, wall clock (same clock as envelope deadlines). */
int64_t bt_now_ms(void);

/* Starts the broker with BEDROCK_HEARTBEAT_MS=100 plus env (NULL-terminated "NAME=value"
 * entries, may be NULL), and waits until it answers broker.status. Returns 0 or -1. */
int bt_broker_start(bt_broker_t *b, const char *const *env);
/* The same for a broker started with CURVE settings in env; curve (borrowed, must outlive
 * the broker's fakes) is what the probe and the default fakes connect with. */
int bt_broker_start_curve(bt_broker_t *b, const char *const *env, const bt_curve_t *curve);
/* SIGTERM, then waits up to 5 s. Returns the exit code, or -1 when killed/stuck. */
int bt_broker_stop(bt_broker_t *b);
bool bt_broker_alive(bt_broker_t *b);
/* True when the broker's log so far holds text. */
bool bt_broker_log_has(const bt_broker_t *b, const char *text);

/* Runs the broker binary with env to completion (2 s max) and captures stderr into err
 * (at most err_size - 1 bytes). Returns the exit code, or -1. */
int bt_broker_run_capture(const char *const *env, char *err, size_t err_size);

/* A fake worker connected to b, READY sent with ops (comma-separated) and credit. */
bt_worker_t *bt_worker_new(bt_broker_t *b, const char *ops, int credit, int pid);
/* The same, connecting with curve (borrowed; NULL = plain) instead of b's keys. */
bt_worker_t *bt_worker_new_curve(bt_broker_t *b, const char *ops, int credit, int pid,
                                 const bt_curve_t *curve);
/* Sends READY (again) on the same socket. */
void bt_worker_ready(bt_worker_t *w, const char *ops, int credit, int pid);
/* Heartbeats carry this stats map from now on (takes ownership). */
void bt_worker_set_stats(bt_worker_t *w, json_t *stats);
/* Waits for the next REQUEST (skipping heartbeats). Returns 0 and fills *out (clear it
 * with bt_request_clear), or -1 on timeout. */
int bt_worker_recv(bt_worker_t *w, int timeout_ms, bt_request_t *out);
/* Waits for a command byte (e.g. PROTO_DISCONNECT); other messages are dropped. */
int bt_worker_expect_cmd(bt_worker_t *w, int cmd, int timeout_ms);
/* Replies to r with status and data (borrowed, may be NULL). */
int bt_worker_reply(bt_worker_t *w, const bt_request_t *r, int status, json_t *data);
/* FORWARD of r (as received): r's envelope with op and deadline_ms changed, everything
 * else (id, auth, args, body, noreply) kept. */
int bt_worker_forward(bt_worker_t *w, const bt_request_t *r, const char *op, int64_t deadline_ms);
/* Sends raw frames (for malformed-input tests): n frames of the given bytes. */
int bt_send_raw(zsock_t *sock, const void *const *data, const size_t *sizes, int n);
void bt_request_clear(bt_request_t *r);

bt_client_t *bt_client_new(bt_broker_t *b);
/* The same, connecting with curve (borrowed; NULL = plain) instead of b's keys. */
bt_client_t *bt_client_new_curve(bt_broker_t *b, const bt_curve_t *curve);
/* Sends a request; deadline_ms 0 = none. The id is written to id (may be NULL). */
int bt_client_send(bt_client_t *c, const char *op, int64_t deadline_ms, bool noreply,
                   uint8_t id[ENVELOPE_ID_SIZE]);
/* Waits for one reply. Returns 0 with *rep filled, or -1 on timeout / garbage. */
int bt_client_recv(bt_client_t *c, int timeout_ms, envelope_reply_t *rep);
/* broker.status data (caller json_decref's it), or NULL. Replies to other requests that
 * arrive meanwhile are dropped: give status its own client. */
json_t *bt_status(bt_client_t *c);
/* Waits until broker.status shows workers_live == n. Returns 0 or -1. */
int bt_wait_workers(bt_client_t *c, int n, int timeout_ms);

/* Lets time pass (keeping heartbeats going). */
void bt_pump(int ms);

/* Destroys every fake worker and client. */
void bt_reset(void);

/* A fresh private directory (mkdtemp under /tmp); path receives it. Returns 0 or -1. */
int bt_tmpdir_new(char *path, size_t size);
/* Removes dir and everything in it. */
void bt_tmpdir_remove(const char *path);
/* Saves cert as dir/name: zcert_save (dir/name public + dir/name_secret), or only the
 * public certificate when public_only. Returns 0 or -1. */
int bt_cert_save(zcert_t *cert, const char *dir, const char *name, bool public_only);

#endif
