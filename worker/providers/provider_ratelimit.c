#include "provider_ratelimit.h"

#include <stdio.h>

/* The shared count for window, or -1 when the store cannot say. */
static long long s_shared_count(const provider_kv_t *kv, const char *platform, long long window,
                                long window_ms)
{
    if (!kv || !kv->incr_expire)
        return -1;
    char key[128];
    snprintf(key, sizeof key, "provider:%s:rate:%lld", platform, window);
    /* Two windows: late INCRs of a slow worker still land on a live key. */
    long long ttl = 2LL * window_ms;
    return kv->incr_expire(kv->ud, key, ttl > 0x7fffffff ? 0x7fffffff : (int)ttl);
}

int provider_ratelimit_acquire(provider_ratelimit_t *local, const provider_kv_t *kv,
                               const char *platform, const provider_ratelimit_settings_t *set,
                               const provider_clock_t *clock, long *waited_ms)
{
    long long start = clock->now_ms(clock->ud);
    long long deadline = start + set->max_wait_ms;
    if (waited_ms)
        *waited_ms = 0;
    for (;;) {
        long long now = clock->now_ms(clock->ud);
        long long window = now / set->window_ms;
        if (local->window != window) {
            local->window = window;
            local->count = 0;
        }
        bool granted;
        long long shared = s_shared_count(kv, platform, window, set->window_ms);
        if (shared >= 0)
            granted = shared <= set->limit;
        else
            granted = local->count < set->limit;
        /* Our own count never passes the limit, whatever the store says. */
        if (granted && local->count < set->limit) {
            local->count++;
            if (waited_ms)
                *waited_ms = (long)(now - start);
            return 0;
        }
        long long next = (window + 1) * set->window_ms;
        if (next > deadline)
            return -1;
        clock->sleep_ms(clock->ud, (long)(next - now));
    }
}
