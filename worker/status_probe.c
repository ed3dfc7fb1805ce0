#include "status_probe.h"

#include "catalog/catalog_view.h"
#include "discovery_settings.h"
#include "provider_http.h"

#include <string.h>
#include <time.h>

static json_t *s_status(const char *status, long long latency_ms, const char *last_error,
                        long long checked_ms)
{
    char when[32];
    catalog_view_iso8601(checked_ms / 1000, when);
    json_t *latency = latency_ms >= 0 ? json_integer(latency_ms) : json_null();
    return json_pack("{s:s, s:o, s:s?, s:s}", "status", status, "latency_ms", latency, "last_error",
                     last_error && *last_error ? last_error : NULL, "checked_at", when);
}

static long long s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

json_t *status_probe_local(handler_ctx_t *ctx)
{
    long long start = s_mono_ms();
    db_err_t err = db_exec(ctx->primary, STMT_PING, NULL, NULL);
    long long latency = s_mono_ms() - start;
    if (err != DB_OK)
        return s_status("down", -1, "the database is unavailable", envelope_now_ms());
    const char *status = latency > discovery_settings()->status_degraded_ms ? "degraded" : "up";
    return s_status(status, latency, NULL, envelope_now_ms());
}

json_t *status_probe_unconfigured(void)
{
    return s_status("down", -1, "not configured", envelope_now_ms());
}

/* The breaker's view alone: used when there is no time left for a request. */
static json_t *s_from_state(const provider_http_state_t *st)
{
    const char *status = st->state == PROVIDER_BREAKER_OPEN ? "down"
                         : st->consecutive_failures > 0     ? "degraded"
                                                            : "up";
    const char *why =
        st->last_error[0] ? st->last_error : "not checked: the deadline was too close";
    long long when = st->last_checked_ms > 0 ? st->last_checked_ms : envelope_now_ms();
    return s_status(status, st->last_latency_ms, why, when);
}

/* down: the check failed (no answer, a wrong answer, breaker open); degraded: it answered
 * but slowly, or right after failures; up otherwise. */
static const char *s_verdict(provider_result_t r, long long latency,
                             const provider_http_state_t *before,
                             const provider_http_state_t *after)
{
    if (r != PROVIDER_OK || after->state == PROVIDER_BREAKER_OPEN)
        return "down";
    if (latency > discovery_settings()->status_degraded_ms || before->consecutive_failures > 0 ||
        after->state == PROVIDER_BREAKER_HALF_OPEN)
        return "degraded";
    return "up";
}

json_t *status_probe_provider(handler_ctx_t *ctx, const provider_t *provider, bool *cacheable)
{
    provider_http_state_t before, after;
    memset(&before, 0, sizeof before);
    *cacheable = false;
    if (provider_http_state(ctx->providers, provider->name, &before) < 0)
        return s_status("down", -1, "unknown platform", envelope_now_ms());
    if (!provider->health || !discovery_settings_time_left(ctx->req->deadline_ms))
        return s_from_state(&before);
    provider_err_t err = {{0}};
    long long start = s_mono_ms();
    provider_result_t r = provider->health(ctx->providers, &err);
    long long latency = s_mono_ms() - start;
    if (provider_http_state(ctx->providers, provider->name, &after) < 0)
        after = before;
    const char *why = r != PROVIDER_OK ? err.message : after.last_error;
    *cacheable = true;
    return s_status(s_verdict(r, latency, &before, &after), latency, why, envelope_now_ms());
}
