/* admin — the control API under /_replay/ (JSON in, JSON out):
 *   POST /_replay/mode        {"provider":"deezer"|"*", "mode":"normal"|"error500"|"timeout"|
 *                              "malformed"|"status", "status":503, "delay_ms":300,
 *                              "retry_after_s":1}
 *   GET  /_replay/mode        current fault of every provider
 *   GET  /_replay/stats       {"requests":{...}, "by_path":{...}, "unmatched":N}
 *   POST /_replay/reset       modes normal, counters zero, held requests released
 *   GET  /_replay/recordings  [ {provider, method, path, query, url, status, ...}, ... ]
 */
#ifndef BEDROCK_REPLAY_ADMIN_H
#define BEDROCK_REPLAY_ADMIN_H

#include "replay.h"

#include <civetweb.h>

/* Prefix of every control path. */
#define ADMIN_PREFIX "/_replay"

/* Handles one request whose path starts with ADMIN_PREFIX. Returns the status sent. */
int admin_request(struct mg_connection *conn, const replay_t *replay, const char *path);

#endif
