/* control — the fault modes and counters of bedrock-replay, shared by all
 * request threads (every function is thread-safe).
 *
 * A fault is set per provider (providers.h id). Counters are what
 * GET /_replay/stats reports. Sleeps and holds end early when the server
 * stops, so that shutdown never waits for a delayed or held request.
 */
#ifndef BEDROCK_REPLAY_CONTROL_H
#define BEDROCK_REPLAY_CONTROL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CONTROL_NORMAL = 0, /* serve the recording */
    CONTROL_ERROR500,   /* 500 with a small JSON body */
    CONTROL_TIMEOUT,    /* hold, then close without answering */
    CONTROL_MALFORMED,  /* 200, recorded content type, truncated body */
    CONTROL_STATUS,     /* the given status with a small JSON body */
} control_mode_t;

typedef struct {
    control_mode_t mode;
    int status;        /* for CONTROL_STATUS */
    int delay_ms;      /* slept before answering, in any mode */
    int retry_after_s; /* > 0: Retry-After header on error/status replies */
} control_fault_t;

typedef struct {
    int hold_ms;      /* how long CONTROL_TIMEOUT holds a request */
    size_t max_paths; /* distinct paths counted in by_path; later ones are not */
} control_settings_t;

typedef struct control control_t;

/* New state: every provider normal, counters zero. Destroy with control_destroy. */
control_t *control_new(const control_settings_t *settings);

/* Frees and sets *self_p to NULL; safe on NULL or twice. Call after every
 * request thread has finished (after mg_stop). */
void control_destroy(control_t **self_p);

/* Mode name <-> value ("normal", "error500", "timeout", "malformed", "status"). */
int control_mode_from_name(const char *name);
const char *control_mode_name(control_mode_t mode);

/* Sets the fault of one provider, or of all when provider < 0. */
void control_set(control_t *self, int provider, const control_fault_t *fault);

/* The fault of a provider, copied. */
control_fault_t control_get(control_t *self, int provider);

/* Counts a request: under provider (< 0 = no provider prefix) and path. */
void control_count(control_t *self, int provider, const char *path);

/* Counts a request that no recording answered. */
void control_count_unmatched(control_t *self);

/* Every provider back to normal, counters to zero, held requests released. */
void control_reset(control_t *self);

/* {"requests":{provider:N...}, "by_path":{path:N...}, "unmatched":N}. New reference. */
json_t *control_stats(control_t *self);

/* {provider:{mode, status, delay_ms, retry_after_s}...}. New reference. */
json_t *control_modes(control_t *self);

/* Sleeps ms milliseconds. Returns 0, or -1 when cut short by control_stop. */
int control_sleep(control_t *self, int ms);

/* Holds for hold_ms, or until control_reset or control_stop. */
void control_hold(control_t *self);

/* Wakes every sleeper and holder; later sleeps return at once. */
void control_stop(control_t *self);

#endif
