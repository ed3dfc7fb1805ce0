/* ctl_client — what every bedrockctl command shares: the connection to the broker
 * (one bridge, the same code the frontend uses), building a request envelope from
 * JSON pieces, and printing a reply as {"status":..,"data":..,"error":..}.
 *
 * A later command (ingest DIR, user promote EMAIL, purge) is one line in ctl.c's
 * table plus a function that calls ctl_call as often as it needs.
 */
#ifndef BEDROCK_CTL_CLIENT_H
#define BEDROCK_CTL_CLIENT_H

#include "bridge.h"
#include "envelope.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#define CTL_EXIT_OK 0
#define CTL_EXIT_FAILED 1 /* the reply's status is >= 400, or no reply */
#define CTL_EXIT_USAGE 2  /* bad arguments or configuration */

#define CTL_DEFAULT_TIMEOUT_MS 10000
/* How long a command waits for a connection to the broker before giving up (503). */
#define CTL_CONNECT_WAIT_MS 2000
/* How long exiting waits to flush a --noreply request still in ZeroMQ's queue. */
#define CTL_LINGER_MS 2000

typedef struct {
    void *zmq_ctx;        /* owned */
    const char *endpoint; /* BEDROCK_BROKER_CLIENTS, borrowed from the environment */
    long timeout_ms;      /* BEDROCK_REQUEST_TIMEOUT_MS, default CTL_DEFAULT_TIMEOUT_MS */
    bridge_t *bridge;     /* owned; created on the first call */
} ctl_t;

typedef struct {
    const char *op;
    const json_t *args;   /* object or NULL; borrowed */
    const json_t *body;   /* any JSON or NULL; borrowed */
    const char *auth_sub; /* all three, or NULL for no auth */
    const char *auth_role;
    const char *auth_sid;
    bool noreply;
    long timeout_ms; /* 0: ctl->timeout_ms */
} ctl_call_t;

/* Reads the environment (exits 2 naming a bad variable) and makes the zmq context.
 * Returns 0, or -1 when ZeroMQ cannot start (printed). */
int ctl_init(ctl_t *ctl) __attribute__((warn_unused_result));

/* Closes the bridge (flushing a pending --noreply send) and the context. */
void ctl_shutdown(ctl_t *ctl);

/* Sends call and, unless noreply, fills *reply (the caller clears it): the broker's
 * reply, or the failure reply (503 no_worker, 504 timeout, 500 internal). Returns 0
 * when a reply is in *reply or a noreply request was sent, -1 otherwise (reply
 * filled with the error). */
int ctl_call(ctl_t *ctl, const ctl_call_t *call, envelope_reply_t *reply);

/* Prints reply as one JSON line on out; returns CTL_EXIT_OK for status < 400, else
 * CTL_EXIT_FAILED. */
int ctl_print_reply(const envelope_reply_t *reply, FILE *out);

#endif
