/* broker.c — small helpers shared by every broker module (owned by the broker area):
 * the allocation wrapper, the monotonic clock, broker_req_t moves and the warn-line
 * rate limit. See broker.h for the ownership rules. */
#include "broker.h"

#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void *broker_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        log_error("out of memory allocating %zu bytes", size);
        abort();
    }
    return p;
}

int64_t broker_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void broker_req_init(broker_req_t *req)
{
    memset(req, 0, sizeof *req);
    /* zmq_msg_init cannot fail (it only sets up an empty message). */
    zmq_msg_init(&req->client);
    zmq_msg_init(&req->envelope);
}

void broker_req_close(broker_req_t *req)
{
    zmq_msg_close(&req->client);
    zmq_msg_close(&req->envelope);
    broker_req_init(req);
}

void broker_msg_move(zmq_msg_t *dst, zmq_msg_t *src)
{
    /* zmq_msg_move only fails on an invalid message, which would be a bug here. */
    if (zmq_msg_move(dst, src) != 0) {
        log_error("zmq_msg_move failed: %s", zmq_strerror(errno));
        abort();
    }
}

void broker_req_move(broker_req_t *dst, broker_req_t *src)
{
    broker_msg_move(&dst->client, &src->client);
    broker_msg_move(&dst->envelope, &src->envelope);
    dst->peek = src->peek;
    dst->received_us = src->received_us;
    dst->expire_ms = src->expire_ms;
    dst->retried = src->retried;
    dst->forwards = src->forwards;
    memset(&src->peek, 0, sizeof src->peek);
    src->received_us = src->expire_ms = 0;
    src->retried = false;
    src->forwards = 0;
}

void broker_note_expiry(broker_t *b, int64_t expire_ms)
{
    if (expire_ms > 0 && expire_ms < b->next_expiry_ms)
        b->next_expiry_ms = expire_ms;
}

bool broker_ratelog_allow(broker_ratelog_t *rl, uint64_t *suppressed)
{
    int64_t now = broker_mono_us();
    if (rl->window_start_us != 0 && now - rl->window_start_us < BROKER_LOG_INTERVAL_MS * 1000) {
        rl->suppressed++;
        return false;
    }
    *suppressed = rl->suppressed;
    rl->suppressed = 0;
    rl->window_start_us = now;
    return true;
}
