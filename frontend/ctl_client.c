#include "ctl_client.h"

#include "config.h"
#include "proto.h"

#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int ctl_init(ctl_t *ctl)
{
    memset(ctl, 0, sizeof *ctl);
    ctl->endpoint = config_get_endpoint("BEDROCK_BROKER_CLIENTS", PROTO_DEFAULT_CLIENT_ENDPOINT);
    ctl->timeout_ms =
        config_get_int("BEDROCK_REQUEST_TIMEOUT_MS", CTL_DEFAULT_TIMEOUT_MS, 10, 3600000);
    ctl->zmq_ctx = zmq_ctx_new();
    if (!ctl->zmq_ctx) {
        fprintf(stderr, "bedrockctl: cannot start ZeroMQ: %s\n", zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}

void ctl_shutdown(ctl_t *ctl)
{
    bridge_destroy(&ctl->bridge);
    if (ctl->zmq_ctx)
        zmq_ctx_term(ctl->zmq_ctx);
    ctl->zmq_ctx = NULL;
}

static int s_fill_request(const ctl_call_t *call, long timeout_ms, envelope_request_t *req)
{
    envelope_request_init(req);
    if (envelope_id_generate(req->id) < 0 || strlen(call->op) >= sizeof req->op)
        return -1;
    snprintf(req->op, sizeof req->op, "%s", call->op);
    req->deadline_ms = envelope_now_ms() + timeout_ms;
    req->noreply = call->noreply;
    req->args = call->args ? json_deep_copy(call->args) : json_object();
    req->body = call->body ? json_deep_copy(call->body) : NULL;
    if (!req->args || (call->body && !req->body))
        return -1;
    if (call->auth_sub) {
        req->has_auth = true;
        snprintf(req->auth_sub, sizeof req->auth_sub, "%s", call->auth_sub);
        snprintf(req->auth_role, sizeof req->auth_role, "%s", call->auth_role);
        snprintf(req->auth_sid, sizeof req->auth_sid, "%s", call->auth_sid);
    }
    snprintf(req->meta_ua, sizeof req->meta_ua, "bedrockctl");
    return 0;
}

int ctl_call(ctl_t *ctl, const ctl_call_t *call, envelope_reply_t *reply)
{
    envelope_reply_init(reply);
    long timeout = call->timeout_ms > 0 ? call->timeout_ms : ctl->timeout_ms;
    if (!ctl->bridge) {
        bridge_options_t opts;
        bridge_options_default(&opts);
        opts.linger_ms = CTL_LINGER_MS;
        opts.connect_wait_ms = CTL_CONNECT_WAIT_MS;
        ctl->bridge = bridge_new(ctl->zmq_ctx, ctl->endpoint, &opts);
    }
    envelope_request_t req;
    if (s_fill_request(call, timeout, &req) < 0 || !ctl->bridge) {
        envelope_request_clear(&req);
        bridge_failure_reply(BRIDGE_ERROR, req.id, reply);
        return -1;
    }
    bridge_result_t rc = bridge_call(ctl->bridge, &req, reply);
    if (rc != BRIDGE_OK)
        bridge_failure_reply(rc, req.id, reply);
    envelope_request_clear(&req);
    return rc == BRIDGE_OK ? 0 : -1;
}

int ctl_print_reply(const envelope_reply_t *reply, FILE *out)
{
    json_t *error = json_null();
    if (reply->error_code[0]) {
        error = json_pack("{s:s, s:s}", "code", reply->error_code, "message", reply->error_message);
        if (error && reply->error_details)
            json_object_set(error, "details", reply->error_details);
    }
    json_t *data = reply->data ? json_incref(reply->data) : json_null();
    json_t *root = json_pack("{s:i, s:o, s:o}", "status", reply->status, "data", data, "error",
                             error ? error : json_null());
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    if (text)
        fprintf(out, "%s\n", text);
    else
        fprintf(out, "{\"status\":%d,\"data\":null,\"error\":null}\n", reply->status);
    free(text);
    json_decref(root);
    return reply->status > 0 && reply->status < 400 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}
