/* player — a user's playback state (playback_state): one row per user, replaced
 * whole by each PUT. Reads as {track_id, position_ms, device, is_playing, updated_at}.
 */
#ifndef BEDROCK_WORKER_PLAYER_H
#define BEDROCK_WORKER_PLAYER_H

#include "db.h"

#include <jansson.h>
#include <stdbool.h>

#define PLAYER_DEVICE_MAX 100              /* characters, playback_state.device */
#define PLAYER_POSITION_MAX_MS 2147483647L /* the INTEGER column */

/* The state (new reference in *out), or the defaults (nothing playing) when the user
 * has none yet. */
db_err_t player_get(db_t *db, const char *user_id, json_t **out)
    __attribute__((warn_unused_result));

/* Replaces the state and returns it. track_id and device may be NULL. */
db_err_t player_put(db_t *db, const char *user_id, const char *track_id, long position_ms,
                    const char *device, bool is_playing, json_t **out)
    __attribute__((warn_unused_result));

#endif
