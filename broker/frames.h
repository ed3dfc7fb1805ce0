/* frames — raw ZeroMQ multipart receive and the broker's outgoing frame shapes
 * (owned by the broker area).
 *
 * The broker works on zmq_msg_t directly rather than zmsg_t: a received part is moved,
 * not copied, into the request it belongs to and moved again into the send, so an
 * envelope travels client -> broker -> worker without its bytes being copied (a retry
 * copy is a reference count). Frame shapes are those of common/proto.h.
 */
#ifndef BEDROCK_BROKER_FRAMES_H
#define BEDROCK_BROKER_FRAMES_H

#include "broker.h"

#include <stdbool.h>
#include <stddef.h>
#include <zmq.h>

#define FRAMES_MAX 8 /* the longest valid message has 6 parts; more is malformed */

typedef struct {
    zmq_msg_t part[FRAMES_MAX]; /* owned; frames_close releases them */
    int count;
    bool truncated; /* the message had more than FRAMES_MAX parts (the rest were dropped) */
} frames_t;

/* Receives one whole multipart message without waiting. Returns 1 when one was read
 * (release it with frames_close), 0 when none is waiting, -1 on a socket error. */
int frames_recv(void *sock, frames_t *f) __attribute__((warn_unused_result));
void frames_close(frames_t *f);

size_t frames_size(const frames_t *f, int i);
const void *frames_data(const frames_t *f, int i);
/* True when part i holds exactly the bytes of the NUL-terminated s. */
bool frames_is(const frames_t *f, int i, const char *s);

/* [client][empty][BRC1][body] on the client ROUTER. Consumes *client and *body.
 * Returns 0 or -1. */
int frames_send_client(void *sock, zmq_msg_t *client, zmq_msg_t *body);

/* [identity][BRW1][cmd] on the worker ROUTER (HEARTBEAT, DISCONNECT). */
int frames_send_worker_cmd(void *sock, const void *identity, size_t size, int cmd);

/* [identity][BRW1][REQUEST][client][empty][envelope]; req keeps its own messages (the
 * sent parts are reference-counted copies), so it can be re-sent after a worker loss. */
int frames_send_request(void *sock, const void *identity, size_t size, broker_req_t *req);

#endif
