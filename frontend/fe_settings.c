#include "fe_settings.h"

#include "bridge.h"
#include "config.h"
#include "http_json.h"
#include "log.h"
#include "proto.h"
#include "token.h"

#include <string.h>

void fe_settings_load(fe_settings_t *s)
{
    s->http_addr = config_get_http_addr("BEDROCK_HTTP_ADDR", FE_SETTINGS_DEFAULT_HTTP_ADDR);
    s->broker_endpoint =
        config_get_endpoint("BEDROCK_BROKER_CLIENTS", PROTO_DEFAULT_CLIENT_ENDPOINT);
    s->jwt_secret = config_get_secret("BEDROCK_JWT_SECRET", NULL, TOKEN_SECRET_MIN);
    s->http_threads = config_get_int("BEDROCK_HTTP_THREADS", FE_SETTINGS_DEFAULT_HTTP_THREADS, 1,
                                     FE_SETTINGS_MAX_HTTP_THREADS);
    s->request_timeout_ms =
        config_get_int("BEDROCK_REQUEST_TIMEOUT_MS", FE_SETTINGS_DEFAULT_REQUEST_TIMEOUT_MS,
                       FE_SETTINGS_MIN_REQUEST_TIMEOUT_MS, FE_SETTINGS_MAX_REQUEST_TIMEOUT_MS);
}

void fe_settings_log(const fe_settings_t *s)
{
    log_info("settings: BEDROCK_HTTP_ADDR=%s BEDROCK_BROKER_CLIENTS=%s BEDROCK_HTTP_THREADS=%ld "
             "BEDROCK_REQUEST_TIMEOUT_MS=%ld BEDROCK_JWT_SECRET=(set, %zu bytes)",
             s->http_addr, s->broker_endpoint, s->http_threads, s->request_timeout_ms,
             strlen(s->jwt_secret));
    log_info("limits: max_body_bytes=%d reply_grace_ms=%d connect_wait_ms=%d "
             "ready_timeout_ms=%d keep_alive_timeout_ms=%d http_read_timeout_ms=%d "
             "listen_backlog=%d connection_queue=%d reconnect_ivl_ms=%d..%d "
             "broker_heartbeat_ms=%d/%d retry_after_s=%s",
             HTTP_JSON_MAX_BODY, BRIDGE_REPLY_GRACE_MS, BRIDGE_CONNECT_WAIT_MS,
             FE_SETTINGS_READY_TIMEOUT_MS, FE_SETTINGS_KEEP_ALIVE_TIMEOUT_MS,
             FE_SETTINGS_HTTP_READ_TIMEOUT_MS, FE_SETTINGS_LISTEN_BACKLOG,
             FE_SETTINGS_CONNECTION_QUEUE, BRIDGE_RECONNECT_IVL_MS, BRIDGE_RECONNECT_IVL_MAX_MS,
             BRIDGE_HEARTBEAT_IVL_MS, BRIDGE_HEARTBEAT_TIMEOUT_MS, HTTP_JSON_RETRY_AFTER_DEFAULT);
}
