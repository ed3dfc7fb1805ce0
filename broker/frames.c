/* frames.c — raw libzmq receive/send of the broker's frame shapes
 * (owned by the broker area; contract in frames.h). */
#include "frames.h"

#include "log.h"
#include "proto.h"

#include <errno.h>
#include <string.h>

static const char s_proto_client[] = PROTO_CLIENT;
static const char s_proto_worker[] = PROTO_WORKER;
static const unsigned char s_cmds[] = {
    0, PROTO_READY, PROTO_REQUEST, PROTO_REPLY, PROTO_HEARTBEAT, PROTO_DISCONNECT, PROTO_FORWARD};

/* Reads and drops what is left of a message that has too many parts. */
static void s_discard_rest(void *sock)
{
    zmq_msg_t tmp;
    zmq_msg_init(&tmp);
    int more = 1;
    while (more && zmq_msg_recv(&tmp, sock, 0) >= 0)
        more = zmq_msg_more(&tmp);
    zmq_msg_close(&tmp);
}

int frames_recv(void *sock, frames_t *f)
{
    f->count = 0;
    f->truncated = false;
    zmq_msg_init(&f->part[0]);
    if (zmq_msg_recv(&f->part[0], sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&f->part[0]);
        return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    }
    f->count = 1;
    /* The parts of a multipart message arrive together: once the first is here the
     * others are too, so the blocking receives below never wait. */
    while (zmq_msg_more(&f->part[f->count - 1])) {
        if (f->count == FRAMES_MAX) {
            s_discard_rest(sock);
            f->truncated = true;
            break;
        }
        zmq_msg_t *m = &f->part[f->count];
        zmq_msg_init(m);
        if (zmq_msg_recv(m, sock, 0) < 0) {
            zmq_msg_close(m);
            frames_close(f);
            return -1;
        }
        f->count++;
    }
    return 1;
}

void frames_close(frames_t *f)
{
    for (int i = 0; i < f->count; i++)
        zmq_msg_close(&f->part[i]);
    f->count = 0;
}

size_t frames_size(const frames_t *f, int i)
{
    return zmq_msg_size((zmq_msg_t *)&f->part[i]);
}

const void *frames_data(const frames_t *f, int i)
{
    return zmq_msg_data((zmq_msg_t *)&f->part[i]);
}

bool frames_is(const frames_t *f, int i, const char *s)
{
    size_t n = strlen(s);
    return frames_size(f, i) == n && memcmp(frames_data(f, i), s, n) == 0;
}

static int s_send_msg(void *sock, zmq_msg_t *m, int flags)
{
    if (zmq_msg_send(m, sock, flags) >= 0)
        return 0;
    zmq_msg_close(m);
    return -1;
}

int frames_send_client(void *sock, zmq_msg_t *client, zmq_msg_t *body)
{
    int rc = s_send_msg(sock, client, ZMQ_SNDMORE);
    if (rc == 0)
        rc = zmq_send(sock, NULL, 0, ZMQ_SNDMORE) < 0 ? -1 : 0;
    if (rc == 0)
        rc = zmq_send_const(sock, s_proto_client, strlen(s_proto_client), ZMQ_SNDMORE) < 0 ? -1 : 0;
    if (rc == 0)
        return s_send_msg(sock, body, 0);
    zmq_msg_close(body);
    log_error("sending a reply to a client failed: %s", zmq_strerror(errno));
    return -1;
}

static int s_send_worker_head(void *sock, const void *identity, size_t size, int cmd, int flags)
{
    if (zmq_send(sock, identity, size, ZMQ_SNDMORE) < 0 ||
        zmq_send_const(sock, s_proto_worker, strlen(s_proto_worker), ZMQ_SNDMORE) < 0 ||
        zmq_send_const(sock, &s_cmds[cmd], 1, flags) < 0) {
        log_error("sending to a worker failed: %s", zmq_strerror(errno));
        return -1;
    }
    return 0;
}

int frames_send_worker_cmd(void *sock, const void *identity, size_t size, int cmd)
{
    return s_send_worker_head(sock, identity, size, cmd, 0);
}

int frames_send_request(void *sock, const void *identity, size_t size, broker_req_t *req)
{
    zmq_msg_t client, envelope;
    zmq_msg_init(&client);
    zmq_msg_init(&envelope);
    if (zmq_msg_copy(&client, &req->client) < 0 || zmq_msg_copy(&envelope, &req->envelope) < 0 ||
        s_send_worker_head(sock, identity, size, PROTO_REQUEST, ZMQ_SNDMORE) < 0) {
        zmq_msg_close(&client);
        zmq_msg_close(&envelope);
        return -1;
    }
    if (s_send_msg(sock, &client, ZMQ_SNDMORE) < 0 || zmq_send(sock, NULL, 0, ZMQ_SNDMORE) < 0) {
        zmq_msg_close(&envelope);
        log_error("sending a request to a worker failed: %s", zmq_strerror(errno));
        return -1;
    }
    return s_send_msg(sock, &envelope, 0);
}
