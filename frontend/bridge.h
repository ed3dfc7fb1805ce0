/* bridge — one ZeroMQ DEALER to the broker's client ROUTER, and a blocking
 * request/reply over it (DESIGN §2): [empty][BRC1][request] -> [empty][BRC1][reply].
 *
 * A bridge is NOT thread-safe: the frontend gives each civetweb worker thread its
 * own (ZeroMQ sockets must stay on one thread); bedrockctl has one. All bridges of a
 * process share one zmq context, which must outlive them.
 *
 * bridge_call waits for the reply until the envelope deadline plus a grace period
 * (so that the broker's own 504 normally arrives first). A reply whose id is not the
 * current request's — a late answer to an earlier request that timed out — is
 * discarded and counted. The socket is created once and reconnects by itself when
 * the broker goes away and comes back.
 */
#ifndef BEDROCK_BRIDGE_H
#define BEDROCK_BRIDGE_H

#include "envelope.h"

#include <stdint.h>

/* Defaults (logged at start by the processes that use them). */
#define BRIDGE_RECONNECT_IVL_MS 100      /* ZMQ_RECONNECT_IVL: retry a lost broker quickly */
#define BRIDGE_RECONNECT_IVL_MAX_MS 1000 /* ... backing off to at most this */
#define BRIDGE_HEARTBEAT_IVL_MS 1000     /* ZMTP ping, so a vanished host is noticed */
#define BRIDGE_HEARTBEAT_TIMEOUT_MS 3000
/* How long a send waits for a connection to the broker: long enough for a burst of
 * fresh civetweb threads to connect their DEALERs, short enough to say 503 soon
 * when the broker is really down. */
#define BRIDGE_CONNECT_WAIT_MS 1000
#define BRIDGE_REPLY_GRACE_MS 250  /* how long past the deadline a reply is still waited for */
#define BRIDGE_NO_DEADLINE_WAIT_MS 10000 /* wait for a request that carries no deadline */

typedef struct {
    int linger_ms;       /* ZMQ_LINGER: 0 for the frontend; bedrockctl keeps a --noreply send */
    int connect_wait_ms; /* see BRIDGE_CONNECT_WAIT_MS */
    int reply_grace_ms;  /* see BRIDGE_REPLY_GRACE_MS */
} bridge_options_t;

typedef enum {
    BRIDGE_OK = 0,
    BRIDGE_TIMEOUT = -1,     /* no reply before deadline + grace: 504 timeout */
    BRIDGE_UNAVAILABLE = -2, /* no connection to the broker within connect_wait: 503 no_worker */
    BRIDGE_ERROR = -3,       /* could not encode or send: 500 internal */
} bridge_result_t;

typedef struct bridge_t bridge_t;

typedef struct {
    uint64_t calls;
    uint64_t late_replies;      /* discarded: id of an earlier request */
    uint64_t malformed_replies; /* discarded: bad framing or envelope */
    uint64_t unavailable;       /* BRIDGE_UNAVAILABLE results */
    uint64_t timeouts;          /* BRIDGE_TIMEOUT results */
} bridge_stats_t;

/* Fills o with the defaults above (linger 0). */
void bridge_options_default(bridge_options_t *o);

/* A new bridge connected (asynchronously) to endpoint; the caller destroys it.
 * NULL when the socket cannot be created (logged). */
bridge_t *bridge_new(void *zmq_ctx, const char *endpoint, const bridge_options_t *opts);

/* Closes the socket and frees *self_p, setting it to NULL; safe on NULL. Must run on
 * the thread that used the bridge. */
void bridge_destroy(bridge_t **self_p);

/* Sends req (its deadline_ms must be set, unix ms) and, unless req->noreply, waits
 * for the reply with req's id and decodes it into *reply (the caller clears it).
 * On anything but BRIDGE_OK, *reply is left initialised and empty. */
bridge_result_t bridge_call(bridge_t *self, const envelope_request_t *req, envelope_reply_t *reply)
    __attribute__((warn_unused_result));

/* Fills reply with the error a failed call is answered with (504 timeout, 503
 * no_worker + retry-after, 500 internal). */
void bridge_failure_reply(bridge_result_t rc, const uint8_t id[ENVELOPE_ID_SIZE],
                          envelope_reply_t *reply);

/* Totals over every bridge of the process. */
void bridge_stats(bridge_stats_t *out);

#endif
