#include "brclient.h"

#include "proc.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define BRCLIENT_MAX_FRAMES 8
#define BRCLIENT_CALL_GRACE_MS 3000

struct brclient_t {
    void *ctx;
    void *sock;
};

brclient_t *brclient_new(const char *endpoint)
{
    brclient_t *self = calloc(1, sizeof *self);
    if (!self)
        abort();
    self->ctx = zmq_ctx_new();
    self->sock = self->ctx ? zmq_socket(self->ctx, ZMQ_DEALER) : NULL;
    int linger = 0;
    if (!self->sock || zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
        zmq_connect(self->sock, endpoint) < 0) {
        fprintf(stderr, "brclient: cannot connect to %s: %s\n", endpoint,
                zmq_strerror(zmq_errno()));
        brclient_destroy(&self);
        return NULL;
    }
    return self;
}

void brclient_destroy(brclient_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    brclient_t *self = *self_p;
    if (self->sock)
        zmq_close(self->sock);
    if (self->ctx)
        zmq_ctx_term(self->ctx);
    free(self);
    *self_p = NULL;
}

int brclient_send_frames(brclient_t *self, const void *const *frames, const size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int flags = i + 1 < n ? ZMQ_SNDMORE : 0;
        if (zmq_send(self->sock, frames[i], lens[i], flags) < 0) {
            fprintf(stderr, "brclient: send: %s\n", zmq_strerror(zmq_errno()));
            return -1;
        }
    }
    return 0;
}

int brclient_send_raw(brclient_t *self, const void *buf, size_t len)
{
    const void *frames[] = {"", PROTO_CLIENT, buf};
    const size_t lens[] = {0, strlen(PROTO_CLIENT), len};
    return brclient_send_frames(self, frames, lens, 3);
}

static int s_parse_json(const char *text, json_t **out)
{
    *out = NULL;
    if (!text)
        return 0;
    json_error_t err;
    *out = json_loads(text, JSON_DECODE_ANY, &err);
    if (!*out) {
        fprintf(stderr, "brclient: bad JSON %s: %s\n", text, err.text);
        return -1;
    }
    return 0;
}

int brclient_send(brclient_t *self, const brclient_req_t *req, uint8_t id_out[ENVELOPE_ID_SIZE])
{
    envelope_request_t env;
    envelope_request_init(&env);
    int rc = -1;
    if (envelope_id_generate(env.id) < 0 || strlen(req->op) >= sizeof env.op)
        goto done;
    snprintf(env.op, sizeof env.op, "%s", req->op);
    env.deadline_ms = req->deadline_ms;
    env.noreply = req->noreply;
    if (req->auth_sub) {
        env.has_auth = true;
        snprintf(env.auth_sub, sizeof env.auth_sub, "%s", req->auth_sub);
        snprintf(env.auth_role, sizeof env.auth_role, "%s",
                 req->auth_role ? req->auth_role : "user");
        snprintf(env.auth_sid, sizeof env.auth_sid, "%s", req->auth_sid ? req->auth_sid : "");
    }
    snprintf(env.meta_ip, sizeof env.meta_ip, "127.0.0.1");
    snprintf(env.meta_ua, sizeof env.meta_ua, "bedrock-test-brclient");
    if (s_parse_json(req->args_json, &env.args) < 0 || s_parse_json(req->body_json, &env.body) < 0)
        goto done;
    size_t len = 0;
    char *buf = envelope_request_encode(&env, &len);
    if (!buf)
        goto done;
    rc = brclient_send_raw(self, buf, len);
    free(buf);
    if (rc == 0 && id_out)
        memcpy(id_out, env.id, ENVELOPE_ID_SIZE);
done:
    envelope_request_clear(&env);
    return rc;
}

int brclient_recv(brclient_t *self, int timeout_ms, envelope_reply_t *out)
{
    envelope_reply_init(out);
    zmq_pollitem_t item = {.socket = self->sock, .events = ZMQ_POLLIN};
    if (zmq_poll(&item, 1, timeout_ms) <= 0 || !(item.revents & ZMQ_POLLIN))
        return -1;
    zmq_msg_t frames[BRCLIENT_MAX_FRAMES];
    size_t n = 0;
    int more = 1, rc = -2;
    while (more) {
        zmq_msg_t scratch, *m = n < BRCLIENT_MAX_FRAMES ? &frames[n] : &scratch;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, self->sock, 0) < 0) {
            zmq_msg_close(m);
            break;
        }
        more = zmq_msg_more(m);
        if (m == &scratch)
            zmq_msg_close(m);
        n++;
    }
    if (n == 3 && zmq_msg_size(&frames[0]) == 0 &&
        zmq_msg_size(&frames[1]) == strlen(PROTO_CLIENT) &&
        memcmp(zmq_msg_data(&frames[1]), PROTO_CLIENT, strlen(PROTO_CLIENT)) == 0 &&
        envelope_reply_decode(zmq_msg_data(&frames[2]), zmq_msg_size(&frames[2]), out) == 0)
        rc = 0;
    else
        fprintf(stderr,
                "brclient: a reply that is not [empty][BRC1][reply envelope] (%zu frames)\n", n);
    for (size_t i = 0; i < n && i < BRCLIENT_MAX_FRAMES; i++)
        zmq_msg_close(&frames[i]);
    return rc;
}

int brclient_call(brclient_t *self, const char *op, const char *args_json, int deadline_in_ms,
                  envelope_reply_t *out)
{
    uint8_t id[ENVELOPE_ID_SIZE];
    brclient_req_t req = {
        .op = op, .args_json = args_json, .deadline_ms = envelope_now_ms() + deadline_in_ms};
    envelope_reply_init(out);
    if (brclient_send(self, &req, id) < 0)
        return -1;
    int64_t end = envelope_now_ms() + deadline_in_ms + BRCLIENT_CALL_GRACE_MS;
    for (;;) {
        int64_t left = end - envelope_now_ms();
        if (left <= 0)
            return -1;
        int rc = brclient_recv(self, (int)left, out);
        if (rc == -1)
            return -1;
        if (rc == 0 && memcmp(out->id, id, ENVELOPE_ID_SIZE) == 0)
            return 0;
        if (rc == 0)
            fprintf(stderr, "brclient: discarding a reply to another request (%d %s)\n",
                    out->status, out->error_code);
        envelope_reply_clear(out);
    }
}

json_t *brclient_status(brclient_t *self, int timeout_ms)
{
    envelope_reply_t rep;
    json_t *data = NULL;
    if (brclient_call(self, PROTO_OP_BROKER_STATUS, NULL, timeout_ms, &rep) == 0 &&
        rep.status == 200 && json_is_object(rep.data))
        data = json_incref(rep.data);
    envelope_reply_clear(&rep);
    return data;
}

const char *brclient_describe(const envelope_reply_t *rep, char *buf, size_t size)
{
    char *data = rep->data ? json_dumps(rep->data, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    snprintf(buf, size, "%d %s%s%s%s data=%.200s", rep->status, rep->error_code,
             rep->error_code[0] ? " (" : "", rep->error_message, rep->error_code[0] ? ")" : "",
             data ? data : "nil");
    free(data);
    return buf;
}

int brclient_send_pending(brclient_t *self, const brclient_req_t *req, brclient_pending_t *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->op, sizeof p->op, "%s", req->op);
    p->sent_ms = proc_now_ms();
    return brclient_send(self, req, p->id);
}

static brclient_pending_t *s_find(brclient_pending_t *p, size_t n, const uint8_t *id)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(p[i].id, id, ENVELOPE_ID_SIZE) == 0)
            return &p[i];
    return NULL;
}

static size_t s_unanswered(const brclient_pending_t *p, size_t n)
{
    size_t left = 0;
    for (size_t i = 0; i < n; i++)
        left += !p[i].answered;
    return left;
}

size_t brclient_collect(brclient_t *self, brclient_pending_t *p, size_t n, int timeout_ms)
{
    double end = proc_now_ms() + timeout_ms;
    size_t left = s_unanswered(p, n);
    while (left > 0 && proc_now_ms() < end) {
        envelope_reply_t rep;
        int rc = brclient_recv(self, (int)(end - proc_now_ms()) + 1, &rep);
        if (rc == -1)
            break;
        if (rc < 0)
            continue;
        brclient_pending_t *hit = s_find(p, n, rep.id);
        if (!hit || hit->answered) {
            fprintf(stderr, "brclient: %s reply %d %s\n", hit ? "a second" : "an unexpected",
                    rep.status, rep.error_code);
        } else {
            hit->answered = true;
            hit->answered_ms = proc_now_ms();
            hit->status = rep.status;
            snprintf(hit->code, sizeof hit->code, "%s", rep.error_code);
            json_t *pid = json_is_object(rep.data) ? json_object_get(rep.data, "pid") : NULL;
            hit->pid = json_is_integer(pid) ? (long long)json_integer_value(pid) : 0;
            left--;
        }
        envelope_reply_clear(&rep);
    }
    return left;
}
