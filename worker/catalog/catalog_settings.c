#include "catalog_settings.h"

#include "config.h"
#include "log.h"

#define S_DEFAULT_FILL_LOCK_MS 5000
#define S_DEFAULT_FILL_POLL_MS 20
#define S_DEFAULT_STALE_TTL_S 0
#define S_DEFAULT_LINK_TOLERANCE_MS 3000
#define S_DEFAULT_INGEST_MAX_ITEMS 1000

static catalog_settings_t s_settings = {
    .fill_lock_ms = S_DEFAULT_FILL_LOCK_MS,
    .fill_poll_ms = S_DEFAULT_FILL_POLL_MS,
    .stale_ttl_s = S_DEFAULT_STALE_TTL_S,
    .link_tolerance_ms = S_DEFAULT_LINK_TOLERANCE_MS,
    .ingest_max_items = S_DEFAULT_INGEST_MAX_ITEMS,
};

void catalog_settings_load(void)
{
    catalog_settings_t *s = &s_settings;
    s->fill_lock_ms =
        (int)config_get_int("BEDROCK_FILL_LOCK_MS", S_DEFAULT_FILL_LOCK_MS, 100, 600000);
    s->fill_poll_ms = (int)config_get_int("BEDROCK_FILL_POLL_MS", S_DEFAULT_FILL_POLL_MS, 1, 1000);
    s->stale_ttl_s = (int)config_get_int("BEDROCK_STALE_TTL_S", S_DEFAULT_STALE_TTL_S, 0, 3600);
    s->link_tolerance_ms = (int)config_get_int("BEDROCK_LINK_DURATION_TOLERANCE_MS",
                                               S_DEFAULT_LINK_TOLERANCE_MS, 0, 600000);
    s->ingest_max_items =
        (int)config_get_int("BEDROCK_INGEST_MAX_ITEMS", S_DEFAULT_INGEST_MAX_ITEMS, 1, 100000);
    log_info("setting BEDROCK_FILL_LOCK_MS=%d", s->fill_lock_ms);
    log_info("setting BEDROCK_FILL_POLL_MS=%d", s->fill_poll_ms);
    log_info("setting BEDROCK_STALE_TTL_S=%d", s->stale_ttl_s);
    log_info("setting BEDROCK_LINK_DURATION_TOLERANCE_MS=%d", s->link_tolerance_ms);
    log_info("setting BEDROCK_INGEST_MAX_ITEMS=%d", s->ingest_max_items);
}

const catalog_settings_t *catalog_settings(void)
{
    return &s_settings;
}
