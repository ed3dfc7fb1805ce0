#include "provider_breaker.h"

void provider_breaker_init(provider_breaker_t *b, long threshold, long open_ms)
{
    *b = (provider_breaker_t){.state = PROVIDER_BREAKER_CLOSED,
                              .threshold = threshold > 0 ? threshold : 1,
                              .open_ms = open_ms > 0 ? open_ms : 1};
}

bool provider_breaker_allow(provider_breaker_t *b, long long now_ms)
{
    switch (b->state) {
    case PROVIDER_BREAKER_CLOSED:
        return true;
    case PROVIDER_BREAKER_OPEN:
        if (now_ms - b->opened_at_ms < b->open_ms)
            return false;
        b->state = PROVIDER_BREAKER_HALF_OPEN;
        break;
    case PROVIDER_BREAKER_HALF_OPEN:
        /* A lost trial (no outcome reported) must not block the provider forever. */
        if (b->trial_in_flight && now_ms - b->trial_at_ms < b->open_ms)
            return false;
        break;
    }
    b->trial_in_flight = true;
    b->trial_at_ms = now_ms;
    return true;
}

void provider_breaker_release(provider_breaker_t *b)
{
    if (b->state == PROVIDER_BREAKER_HALF_OPEN)
        b->trial_in_flight = false;
}

void provider_breaker_record(provider_breaker_t *b, bool success, long long now_ms)
{
    b->trial_in_flight = false;
    if (success) {
        b->state = PROVIDER_BREAKER_CLOSED;
        b->failures = 0;
        return;
    }
    b->failures++;
    if (b->state == PROVIDER_BREAKER_HALF_OPEN ||
        (b->state == PROVIDER_BREAKER_CLOSED && b->failures >= b->threshold)) {
        b->state = PROVIDER_BREAKER_OPEN;
        b->opened_at_ms = now_ms;
    }
}

provider_breaker_state_t provider_breaker_state(const provider_breaker_t *b, long long now_ms)
{
    if (b->state == PROVIDER_BREAKER_OPEN && now_ms - b->opened_at_ms >= b->open_ms)
        return PROVIDER_BREAKER_HALF_OPEN;
    return b->state;
}
