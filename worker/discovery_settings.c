#include "discovery_settings.h"

#include "config.h"
#include "envelope.h"
#include "log.h"

#define S_DEFAULT_STATUS_DEGRADED_MS 2000
#define S_DEFAULT_SEARCH_PARTIAL_TTL_S 30
#define S_DEFAULT_PROVIDER_MIN_LEFT_MS 1000
#define S_DEFAULT_SEARCH_PROVIDER_BUDGET_MS 2500
#define S_MAX_MS 600000
#define S_MAX_TTL_S 300

static discovery_settings_t s_settings;
static bool s_loaded = false;

void discovery_settings_load(void)
{
    if (s_loaded)
        return;
    s_settings.status_degraded_ms = (int)config_get_int("BEDROCK_STATUS_DEGRADED_MS",
                                                        S_DEFAULT_STATUS_DEGRADED_MS, 1, S_MAX_MS);
    s_settings.search_partial_ttl_s = (int)config_get_int(
        "BEDROCK_SEARCH_PARTIAL_TTL_S", S_DEFAULT_SEARCH_PARTIAL_TTL_S, 0, S_MAX_TTL_S);
    s_settings.search_upsert = config_get_bool("BEDROCK_SEARCH_UPSERT", true);
    s_settings.search_provider_budget_ms = (int)config_get_int(
        "BEDROCK_SEARCH_PROVIDER_BUDGET_MS", S_DEFAULT_SEARCH_PROVIDER_BUDGET_MS, 0, S_MAX_MS);
    s_settings.provider_min_left_ms = (int)config_get_int(
        "BEDROCK_PROVIDER_MIN_LEFT_MS", S_DEFAULT_PROVIDER_MIN_LEFT_MS, 0, S_MAX_MS);
    s_loaded = true;
    log_info("setting BEDROCK_STATUS_DEGRADED_MS=%d", s_settings.status_degraded_ms);
    log_info("setting BEDROCK_SEARCH_PARTIAL_TTL_S=%d", s_settings.search_partial_ttl_s);
    log_info("setting BEDROCK_SEARCH_UPSERT=%s", s_settings.search_upsert ? "true" : "false");
    log_info("setting BEDROCK_SEARCH_PROVIDER_BUDGET_MS=%d", s_settings.search_provider_budget_ms);
    log_info("setting BEDROCK_PROVIDER_MIN_LEFT_MS=%d", s_settings.provider_min_left_ms);
}

const discovery_settings_t *discovery_settings(void)
{
    discovery_settings_load();
    return &s_settings;
}

bool discovery_settings_time_left(long long deadline_ms)
{
    if (deadline_ms <= 0)
        return true;
    return deadline_ms - envelope_now_ms() >= discovery_settings()->provider_min_left_ms;
}
