#include "local_ops.h"

#include "docs.h"
#include "fe_metrics.h"
#include "proto.h"

#include <stdlib.h>
#include <string.h>

bool local_ops_is_local(const char *op)
{
    return strncmp(op, LOCAL_OPS_PREFIX, strlen(LOCAL_OPS_PREFIX)) == 0;
}

void local_ops_readiness(bridge_result_t rc, const envelope_reply_t *status_reply,
                         envelope_reply_t *out)
{
    bool up = rc == BRIDGE_OK;
    json_int_t workers = 0;
    if (up && status_reply->status == 200) {
        json_t *live = json_object_get(status_reply->data, "workers_live");
        workers = json_is_integer(live) ? json_integer_value(live) : 0;
    }
    if (up && workers >= 1) {
        out->status = 200;
        out->data = json_pack("{s:s, s:I}", "status", "ready", "workers", workers);
        return;
    }
    envelope_reply_set_error(
        out, 503, "not_ready", up ? "the broker has no live worker" : "the broker does not answer",
        json_pack("{s:s, s:I}", "broker", up ? "up" : "down", "workers", workers));
}

static void s_readyz(const request_env_t *env, request_thread_t *thread,
                     const uint8_t id[ENVELOPE_ID_SIZE], envelope_reply_t *reply)
{
    envelope_request_t req;
    envelope_request_init(&req);
    memcpy(req.id, id, ENVELOPE_ID_SIZE);
    snprintf(req.op, sizeof req.op, "%s", PROTO_OP_BROKER_STATUS);
    req.deadline_ms = envelope_now_ms() + FE_SETTINGS_READY_TIMEOUT_MS;
    bridge_t *bridge = request_thread_bridge(env, thread);
    envelope_reply_t status;
    envelope_reply_init(&status);
    bridge_result_t rc = bridge ? bridge_call(bridge, &req, &status) : BRIDGE_ERROR;
    local_ops_readiness(rc, &status, reply);
    envelope_reply_clear(&status);
    envelope_request_clear(&req);
}

const char *local_ops_raw_content_type(const char *op)
{
    const docs_asset_t *asset =
        local_ops_is_local(op) ? docs_find(op + strlen(LOCAL_OPS_PREFIX)) : NULL;
    return asset ? asset->content_type : LOCAL_OPS_METRICS_CONTENT_TYPE;
}

/* A copy of a compiled-in document, as every text answer is malloc'd (the caller
 * frees *raw whatever op made it). */
static int s_document(const docs_asset_t *asset, envelope_reply_t *reply, char **raw,
                      size_t *raw_len)
{
    *raw = malloc(asset->len + 1);
    if (!*raw) {
        envelope_reply_set_error(reply, 500, "internal", "out of memory", NULL);
        return -1;
    }
    memcpy(*raw, asset->bytes, asset->len + 1);
    *raw_len = asset->len;
    return 1;
}

int local_ops_run(const char *op, const request_env_t *env, request_thread_t *thread,
                  const uint8_t id[ENVELOPE_ID_SIZE], envelope_reply_t *reply, char **raw,
                  size_t *raw_len)
{
    const char *name = op + strlen(LOCAL_OPS_PREFIX);
    const docs_asset_t *asset = docs_find(name);
    *raw = NULL;
    *raw_len = 0;
    envelope_reply_clear(reply);
    memcpy(reply->id, id, ENVELOPE_ID_SIZE);
    if (strcmp(name, "healthz") == 0) {
        reply->status = 200;
        reply->data = json_pack("{s:s}", "status", "ok");
    } else if (strcmp(name, "readyz") == 0) {
        s_readyz(env, thread, id, reply);
    } else if (strcmp(name, "metrics") == 0) {
        *raw = fe_metrics_render(raw_len);
        if (*raw)
            return 1;
        envelope_reply_set_error(reply, 500, "internal", "out of memory", NULL);
        return -1;
    } else if (asset) {
        return s_document(asset, reply, raw, raw_len);
    } else {
        envelope_reply_set_error(reply, 500, "internal", "no local handler for this op", NULL);
        return -1;
    }
    if (reply->status < 400 && !reply->data) {
        envelope_reply_set_error(reply, 500, "internal", "out of memory", NULL);
        return -1;
    }
    return 0;
}
