#include "fake_broker.h"

#include "envelope.h"
#include "proto.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define FAKE_MAX_DELAYED 64

typedef struct {
    int64_t due_ms;
    zmq_msg_t identity;
    char *reply;
    size_t len;
} s_delayed_t;

struct fake_broker_t {
    void *ctx;
    void *router;
    pthread_t thread;
    atomic_bool stop;
    atomic_int workers;
    atomic_int requests;
    char endpoint[256];
    s_delayed_t delayed[FAKE_MAX_DELAYED];
    int ndelayed;
};

static json_t *s_echo(const envelope_request_t *req)
{
    json_t *auth = req->has_auth ? json_pack("{s:s, s:s, s:s}", "sub", req->auth_sub, "role",
                                             req->auth_role, "sid", req->auth_sid)
                                 : json_null();
    return json_pack("{s:s, s:O?, s:O?, s:o, s:{s:s, s:s, s:s}, s:I}", "op", req->op, "args",
                     req->args, "body", req->body, "auth", auth, "meta", "ip", req->meta_ip, "ua",
                     req->meta_ua, "trace", req->meta_trace, "deadline",
                     (json_int_t)req->deadline_ms);
}

static void s_status_reply(const envelope_request_t *req, envelope_reply_t *rep)
{
    json_t *st = json_object_get(req->args, "status");
    int status = st ? atoi(json_string_value(st) ? json_string_value(st) : "200") : 200;
    const char *code = json_string_value(json_object_get(req->args, "code"));
    if (status >= 400)
        envelope_reply_set_error(rep, status, code ? code : "some_error", "fake error", NULL);
    else
        rep->status = status, rep->data = s_echo(req);
    const char *key;
    json_t *value;
    json_object_foreach(req->args, key, value)
    {
        if (strncmp(key, "h-", 2) != 0)
            continue;
        if (!rep->headers)
            rep->headers = json_object();
        json_object_set(rep->headers, key + 2, value);
    }
}

static void s_answer(fake_broker_t *self, const envelope_request_t *req, envelope_reply_t *rep,
                     int64_t *delay_ms)
{
    memcpy(rep->id, req->id, ENVELOPE_ID_SIZE);
    *delay_ms = 0;
    if (strcmp(req->op, PROTO_OP_BROKER_STATUS) == 0) {
        int n = atomic_load(&self->workers);
        rep->status = 200;
        rep->data = json_pack("{s:i, s:i, s:[], s:i}", "workers_live", n, "workers_total", n,
                              "workers", "queue_depth", 0);
    } else if (strcmp(req->op, "test.status") == 0) {
        s_status_reply(req, rep);
    } else if (strcmp(req->op, "auth.logout") == 0) {
        rep->status = 204;
    } else {
        rep->status = 200;
        rep->data = s_echo(req);
    }
    const char *ms = json_string_value(json_object_get(req->args, "fake_sleep_ms"));
    if (strcmp(req->op, "test.sleep") == 0)
        ms = json_string_value(json_object_get(req->args, "ms"));
    *delay_ms = ms ? atoll(ms) : 0;
}

static void s_send(fake_broker_t *self, zmq_msg_t *identity, const char *reply, size_t len)
{
    zmq_msg_send(identity, self->router, ZMQ_SNDMORE);
    zmq_send(self->router, "", 0, ZMQ_SNDMORE);
    zmq_send(self->router, PROTO_CLIENT, strlen(PROTO_CLIENT), ZMQ_SNDMORE);
    zmq_send(self->router, reply, len, 0);
}

static void s_handle(fake_broker_t *self)
{
    zmq_msg_t parts[4];
    int n = 0;
    for (int more = 1; more && n < 4; n++) {
        zmq_msg_init(&parts[n]);
        if (zmq_msg_recv(&parts[n], self->router, 0) < 0)
            return;
        more = zmq_msg_more(&parts[n]);
    }
    atomic_fetch_add(&self->requests, 1);
    envelope_request_t req;
    envelope_reply_t rep;
    envelope_reply_init(&rep);
    if (n == 4 &&
        envelope_request_decode(zmq_msg_data(&parts[3]), zmq_msg_size(&parts[3]), &req) == 0) {
        int64_t delay;
        s_answer(self, &req, &rep, &delay);
        size_t len;
        char *out = req.noreply ? NULL : envelope_reply_encode(&rep, &len);
        if (out && delay > 0 && self->ndelayed < FAKE_MAX_DELAYED) {
            s_delayed_t *d = &self->delayed[self->ndelayed++];
            d->due_ms = envelope_now_ms() + delay;
            zmq_msg_init(&d->identity);
            zmq_msg_copy(&d->identity, &parts[0]);
            d->reply = out, d->len = len;
            out = NULL;
        } else if (out) {
            s_send(self, &parts[0], out, len);
        }
        free(out);
        envelope_request_clear(&req);
    }
    envelope_reply_clear(&rep);
    for (int i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
}

static void s_flush_due(fake_broker_t *self)
{
    int64_t now = envelope_now_ms();
    for (int i = 0; i < self->ndelayed;) {
        s_delayed_t *d = &self->delayed[i];
        if (d->due_ms > now) {
            i++;
            continue;
        }
        s_send(self, &d->identity, d->reply, d->len);
        zmq_msg_close(&d->identity);
        free(d->reply);
        self->delayed[i] = self->delayed[--self->ndelayed];
    }
}

static void *s_run(void *arg)
{
    fake_broker_t *self = arg;
    while (!atomic_load(&self->stop)) {
        zmq_pollitem_t item = {self->router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 10) > 0)
            s_handle(self);
        s_flush_due(self);
    }
    for (int i = 0; i < self->ndelayed; i++) {
        zmq_msg_close(&self->delayed[i].identity);
        free(self->delayed[i].reply);
    }
    zmq_close(self->router);
    return NULL;
}

fake_broker_t *fake_broker_start(const char *endpoint)
{
    fake_broker_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    atomic_store(&self->workers, 1);
    self->ctx = zmq_ctx_new();
    self->router = zmq_socket(self->ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(self->router, ZMQ_LINGER, &linger, sizeof linger);
    size_t size = sizeof self->endpoint;
    if (zmq_bind(self->router, endpoint) < 0 ||
        zmq_getsockopt(self->router, ZMQ_LAST_ENDPOINT, self->endpoint, &size) < 0 ||
        pthread_create(&self->thread, NULL, s_run, self) != 0) {
        fprintf(stderr, "fake_broker: cannot bind %s: %s\n", endpoint, zmq_strerror(errno));
        zmq_close(self->router);
        zmq_ctx_term(self->ctx);
        free(self);
        return NULL;
    }
    return self;
}

void fake_broker_stop(fake_broker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    fake_broker_t *self = *self_p;
    atomic_store(&self->stop, true);
    pthread_join(self->thread, NULL);
    zmq_ctx_term(self->ctx);
    free(self);
    *self_p = NULL;
}

void fake_broker_set_workers(fake_broker_t *self, int workers_live)
{
    atomic_store(&self->workers, workers_live);
}

int fake_broker_requests(fake_broker_t *self)
{
    return atomic_load(&self->requests);
}

const char *fake_broker_endpoint(const fake_broker_t *self)
{
    return self->endpoint;
}
