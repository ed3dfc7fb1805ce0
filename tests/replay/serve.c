#include "serve.h"

#include "http.h"
#include "log.h"
#include "providers.h"
#include "query.h"

#include <stdio.h>
#include <string.h>

/* Logged "status" of a request held in timeout mode and then dropped unanswered. */
#define SERVE_DROPPED_STATUS 499

static int s_no_recording(struct mg_connection *conn, const replay_t *replay, int provider,
                          const char *path, const char *rest)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *query = ri->query_string ? ri->query_string : "";
    control_count_unmatched(replay->control);
    log_warn("replay: no recording for %s %s%s%s", ri->request_method, path, *query ? "?" : "",
             query);
    json_t *near = provider >= 0
                       ? recordings_near(replay->recordings, provider, ri->request_method, rest)
                       : json_array();
    /* json_pack fails on a path that is not UTF-8; say so rather than send nothing useful. */
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:o}", "error", "no recording", "method",
                  ri->request_method, "path", path, "query", query, "same_path_recordings", near);
    if (!body)
        return http_send_error(conn, 404, "no recording (request not printable as JSON)");
    return http_send_json(conn, 404, body);
}

/* Sends the start of the recorded body: always invalid JSON for a JSON object
 * or array, since its closing bracket is cut off (at least one byte is sent). */
static int s_send_malformed(struct mg_connection *conn, const recording_t *rec)
{
    size_t len = rec->body_len;
    while (len > 0 && strchr(" \t\r\n", rec->body[len - 1]))
        len--;
    len = len / 2;
    if (len == 0)
        return http_send(conn, 200, rec->content_type, "{", 1, 0);
    return http_send(conn, 200, rec->content_type, rec->body, len, 0);
}

static int s_send_fault(struct mg_connection *conn, int provider, const control_fault_t *fault)
{
    int status = fault->mode == CONTROL_STATUS ? fault->status : 500;
    char body[160];
    int len = snprintf(body, sizeof body, "{\"error\":\"replay %s mode\",\"provider\":\"%s\"}",
                       control_mode_name(fault->mode), providers_name(provider));
    return http_send(conn, status, "application/json", body, (size_t)len, fault->retry_after_s);
}

/* Serves the matching recording (normal or malformed mode), or a 404. */
static int s_serve_recording(struct mg_connection *conn, const replay_t *replay, int provider,
                             const char *path, const char *rest, control_mode_t mode)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    query_t query;
    query_parse(ri->query_string, &query);
    const recording_t *rec =
        recordings_match(replay->recordings, provider, ri->request_method, rest, &query);
    query_free(&query);
    if (!rec)
        return s_no_recording(conn, replay, provider, path, rest);
    if (mode == CONTROL_MALFORMED)
        return s_send_malformed(conn, rec);
    return http_send(conn, rec->status, rec->content_type, rec->body, rec->body_len, 0);
}

int serve_request(struct mg_connection *conn, const replay_t *replay, int provider,
                  const char *path, const char *rest)
{
    control_count(replay->control, provider, path);
    if (provider < 0)
        return s_no_recording(conn, replay, provider, path, rest);

    control_fault_t fault = control_get(replay->control, provider);
    /* Each request sleeps on its own thread: delayed requests overlap. */
    if (fault.delay_ms > 0 && control_sleep(replay->control, fault.delay_ms) != 0) {
        mg_disable_connection_keep_alive(conn);
        return SERVE_DROPPED_STATUS; /* server stopping */
    }
    switch (fault.mode) {
    case CONTROL_ERROR500:
    case CONTROL_STATUS:
        return s_send_fault(conn, provider, &fault);
    case CONTROL_TIMEOUT:
        control_hold(replay->control);
        /* Nothing was sent; closing the connection is the whole answer. */
        mg_disable_connection_keep_alive(conn);
        return SERVE_DROPPED_STATUS;
    case CONTROL_NORMAL:
    case CONTROL_MALFORMED:
    default:
        return s_serve_recording(conn, replay, provider, path, rest, fault.mode);
    }
}
