/* brclient — a test client speaking the broker's client protocol directly
 * ([empty]["BRC1"][request envelope], common/proto.h + common/envelope.h) over a
 * ZeroMQ DEALER, for ops that have no HTTP route (test.sleep, test.echo, broker.status)
 * and for malformed envelopes.
 *
 * One brclient per thread (ZeroMQ sockets are not thread-safe). Many requests may be
 * outstanding on one client: replies are matched by id by the caller.
 */
#ifndef BEDROCK_TEST_BRCLIENT_H
#define BEDROCK_TEST_BRCLIENT_H

#include "envelope.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct brclient_t brclient_t;

typedef struct {
    const char *op;
    const char *args_json; /* JSON object text or NULL */
    const char *body_json; /* any JSON text or NULL */
    int64_t deadline_ms;   /* absolute unix ms; 0 = none */
    const char *auth_sub;  /* all three or none */
    const char *auth_role;
    const char *auth_sid;
    bool noreply;
} brclient_req_t;

/* Connects a DEALER to endpoint (tcp://host:port). NULL on failure (message on stderr). */
brclient_t *brclient_new(const char *endpoint);
void brclient_destroy(brclient_t **self_p);

/* Sends req with a fresh id written to id_out (may be NULL). 0, or -1 (message on stderr). */
int brclient_send(brclient_t *self, const brclient_req_t *req, uint8_t id_out[ENVELOPE_ID_SIZE]);

/* Sends arbitrary envelope bytes behind the usual [empty]["BRC1"] frames. */
int brclient_send_raw(brclient_t *self, const void *buf, size_t len);

/* Sends arbitrary frames as one message (for protocol-violation tests). */
int brclient_send_frames(brclient_t *self, const void *const *frames, const size_t *lens, size_t n);

/* Waits up to timeout_ms for the next reply and decodes it into *out (caller clears).
 * 0 = got one, -1 = timeout, -2 = a message that is not [empty]["BRC1"][reply]. */
int brclient_recv(brclient_t *self, int timeout_ms, envelope_reply_t *out);

/* Sends op with args and deadline now+deadline_in_ms, then waits for its reply (up to
 * the deadline plus 3 s); replies with other ids are discarded with a note on stderr.
 * Returns 0, or -1 when no reply came. */
int brclient_call(brclient_t *self, const char *op, const char *args_json, int deadline_in_ms,
                  envelope_reply_t *out);

/* One outstanding request, for tests that send many and collect the replies. */
typedef struct {
    uint8_t id[ENVELOPE_ID_SIZE];
    char op[ENVELOPE_OP_MAX];
    double sent_ms; /* proc_now_ms() when sent */
    bool answered;
    double answered_ms; /* proc_now_ms() when the reply came */
    int status;
    char code[ENVELOPE_CODE_MAX];
    long long pid; /* data.pid of a test.* reply, or 0 */
} brclient_pending_t;

/* Sends req and fills *p (answered = false). 0, or -1. */
int brclient_send_pending(brclient_t *self, const brclient_req_t *req, brclient_pending_t *p);

/* Receives replies until every entry of p[0..n) is answered or timeout_ms passes;
 * replies to other ids are ignored (noted on stderr). Returns how many are still
 * unanswered. */
size_t brclient_collect(brclient_t *self, brclient_pending_t *p, size_t n, int timeout_ms);

/* The reply data of broker.status (new reference, caller decrefs), or NULL. */
json_t *brclient_status(brclient_t *self, int timeout_ms);

/* Short human description of a reply, for messages: "503 worker_lost (message)". */
const char *brclient_describe(const envelope_reply_t *rep, char *buf, size_t size);

#endif
