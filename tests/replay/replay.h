/* replay — what every request handler of bedrock-replay shares. Built by
 * main.c, borrowed by server/serve/admin for the server's whole life.
 */
#ifndef BEDROCK_REPLAY_REPLAY_H
#define BEDROCK_REPLAY_REPLAY_H

#include "control.h"
#include "recordings.h"

#include <stddef.h>

typedef struct {
    const recordings_t *recordings; /* read-only after load */
    control_t *control;             /* thread-safe */
    size_t max_control_body;        /* bytes accepted by POST /_replay/... */
    int max_delay_ms;               /* upper bound of delay_ms in /_replay/mode */
} replay_t;

#endif
