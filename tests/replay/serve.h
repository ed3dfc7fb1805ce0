/* serve — answers a request under a provider prefix: applies the provider's
 * fault mode, else finds the recording and replies with its status, content
 * type and exact body bytes, else 404 {"error":"no recording", ...}.
 */
#ifndef BEDROCK_REPLAY_SERVE_H
#define BEDROCK_REPLAY_SERVE_H

#include "replay.h"

#include <civetweb.h>

/* provider: providers.h id, or -1 when the path is under no prefix (always a
 * 404). path: the decoded request path, prefix included; rest: the part after
 * the prefix. Returns the status sent (civetweb handler convention). */
int serve_request(struct mg_connection *conn, const replay_t *replay, int provider,
                  const char *path, const char *rest);

#endif
