/* provider_breaker — a circuit breaker, as a pure state machine over a clock value.
 *
 * closed --(threshold consecutive failures)--> open --(open_ms elapsed)--> half_open
 * half_open lets exactly one trial call through: its success closes the breaker,
 * its failure opens it again for open_ms. A trial whose outcome never arrives
 * (a caller that forgot to report) stops blocking after open_ms.
 * The struct is plain data owned by the caller; nothing to free.
 */
#ifndef BEDROCK_PROVIDER_BREAKER_H
#define BEDROCK_PROVIDER_BREAKER_H

#include "provider_http.h"

#include <stdbool.h>

typedef struct {
    provider_breaker_state_t state;
    int failures;           /* consecutive */
    long long opened_at_ms; /* when it last opened */
    long long trial_at_ms;  /* when the half-open trial started */
    bool trial_in_flight;
    long threshold;
    long open_ms;
} provider_breaker_t;

void provider_breaker_init(provider_breaker_t *b, long threshold, long open_ms);

/* Whether a call may be made now; in half_open this starts the one trial. */
bool provider_breaker_allow(provider_breaker_t *b, long long now_ms);

/* Gives back a trial that allow() granted but that made no call (rate limited). */
void provider_breaker_release(provider_breaker_t *b);

/* Records how an allowed call went. */
void provider_breaker_record(provider_breaker_t *b, bool success, long long now_ms);

/* The state as a caller would see it now (open past open_ms reads half_open). */
provider_breaker_state_t provider_breaker_state(const provider_breaker_t *b, long long now_ms);

#endif
