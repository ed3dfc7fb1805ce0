#include "admin.h"

#include "http.h"
#include "log.h"
#include "providers.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Bounds of the numbers accepted by POST /_replay/mode. */
#define ADMIN_MIN_STATUS 100
#define ADMIN_MAX_STATUS 599
#define ADMIN_MAX_RETRY_AFTER_S 3600

/* Optional integer member in [min, max]; absent or null leaves *out as is. */
static int s_int_member(json_t *obj, const char *name, int min, int max, int *out)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return -1;
    *out = (int)json_integer_value(v);
    return 0;
}

/* Validates a mode request. Returns NULL, or the message of a 400. */
static const char *s_parse_mode(json_t *req, const replay_t *replay, int *provider,
                                control_fault_t *fault)
{
    const char *pname = json_string_value(json_object_get(req, "provider"));
    const char *mname = json_string_value(json_object_get(req, "mode"));
    if (!json_is_object(req))
        return "body must be a JSON object";
    if (!pname)
        return "provider must be a string: a provider name or \"*\"";
    *provider = strcmp(pname, "*") == 0 ? -1 : providers_from_name(pname);
    if (*provider < 0 && strcmp(pname, "*") != 0)
        return "unknown provider (deezer, spotify, spotify-auth, musicbrainz, lrclib, itunes, *)";
    int mode = mname ? control_mode_from_name(mname) : CONTROL_NORMAL;
    if (mode < 0)
        return "mode must be normal, error500, timeout, malformed or status";
    fault->mode = (control_mode_t)mode;
    if (s_int_member(req, "delay_ms", 0, replay->max_delay_ms, &fault->delay_ms) != 0)
        return "delay_ms must be an integer within 0..BEDROCK_REPLAY_MAX_DELAY_MS";
    if (s_int_member(req, "retry_after_s", 0, ADMIN_MAX_RETRY_AFTER_S, &fault->retry_after_s))
        return "retry_after_s must be an integer within 0..3600";
    if (s_int_member(req, "status", ADMIN_MIN_STATUS, ADMIN_MAX_STATUS, &fault->status) != 0)
        return "status must be an integer within 100..599";
    if (fault->mode == CONTROL_STATUS && fault->status == 0)
        return "mode status needs a status";
    return NULL;
}

static int s_post_mode(struct mg_connection *conn, const replay_t *replay)
{
    char *text = http_read_body(conn, replay->max_control_body);
    if (!text)
        return http_send_error(conn, 413, "body missing, unreadable or too large");
    json_error_t err;
    json_t *req = json_loads(text, 0, &err);
    free(text);
    if (!req)
        return http_send_error(conn, 400, "body is not JSON");
    int provider = -1;
    control_fault_t fault = {0};
    const char *why = s_parse_mode(req, replay, &provider, &fault);
    json_decref(req);
    if (why)
        return http_send_error(conn, 400, why);
    control_set(replay->control, provider, &fault);
    const char *pname = provider < 0 ? "*" : providers_name(provider);
    log_info("replay: provider %s mode %s status %d delay_ms %d", pname,
             control_mode_name(fault.mode), fault.status, fault.delay_ms);
    return http_send_json(conn, 200,
                          json_pack("{s:s, s:s, s:i, s:i, s:i}", "provider", pname, "mode",
                                    control_mode_name(fault.mode), "status", fault.status,
                                    "delay_ms", fault.delay_ms, "retry_after_s",
                                    fault.retry_after_s));
}

static int s_get_recordings(struct mg_connection *conn, const replay_t *replay)
{
    json_t *list = json_array();
    for (size_t i = 0; i < recordings_count(replay->recordings); i++)
        json_array_append_new(list, recordings_describe(recordings_at(replay->recordings, i)));
    return http_send_json(conn, 200, list);
}

typedef int (*s_handler_t)(struct mg_connection *conn, const replay_t *replay);

static int s_get_stats(struct mg_connection *conn, const replay_t *replay)
{
    return http_send_json(conn, 200, control_stats(replay->control));
}

static int s_get_mode(struct mg_connection *conn, const replay_t *replay)
{
    return http_send_json(conn, 200, control_modes(replay->control));
}

static int s_post_reset(struct mg_connection *conn, const replay_t *replay)
{
    control_reset(replay->control);
    log_info("replay: reset");
    return http_send_json(conn, 200, json_pack("{s:b}", "reset", 1));
}

/* The control routes: one line per endpoint. */
static const struct {
    const char *method;
    const char *path;
    s_handler_t handler;
} s_routes[] = {
    {"POST", ADMIN_PREFIX "/mode", s_post_mode},
    {"GET", ADMIN_PREFIX "/mode", s_get_mode},
    {"GET", ADMIN_PREFIX "/stats", s_get_stats},
    {"POST", ADMIN_PREFIX "/reset", s_post_reset},
    {"GET", ADMIN_PREFIX "/recordings", s_get_recordings},
};

int admin_request(struct mg_connection *conn, const replay_t *replay, const char *path)
{
    const char *method = mg_get_request_info(conn)->request_method;
    bool path_known = false;
    for (size_t i = 0; i < sizeof s_routes / sizeof s_routes[0]; i++) {
        if (strcmp(s_routes[i].path, path) != 0)
            continue;
        path_known = true;
        if (strcmp(s_routes[i].method, method) == 0)
            return s_routes[i].handler(conn, replay);
    }
    if (path_known)
        return http_send_error(conn, 405, "method not allowed");
    return http_send_error(conn, 404, "unknown control path");
}
