#include "provider_config.h"

#include "config.h"
#include "log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    const char *url_var;
    const char *url_default;
    const char *rate_var;
    long rate_default;
    const char *window_var;
    long window_default;
} s_platform_t;

/* One line per provider: where it lives and how often it may be asked. */
static const s_platform_t s_platforms[PROVIDER_PLATFORM_COUNT] = {
    [PROVIDER_PLATFORM_MUSICBRAINZ] = {"musicbrainz", "BEDROCK_MUSICBRAINZ_URL",
                                       "https://musicbrainz.org", "BEDROCK_RATE_MUSICBRAINZ", 1,
                                       "BEDROCK_RATE_MUSICBRAINZ_WINDOW_MS", 1000},
    [PROVIDER_PLATFORM_DEEZER] = {"deezer", "BEDROCK_DEEZER_URL", "https://api.deezer.com",
                                  "BEDROCK_RATE_DEEZER", 10, "BEDROCK_RATE_DEEZER_WINDOW_MS", 1000},
    [PROVIDER_PLATFORM_SPOTIFY] = {"spotify", "BEDROCK_SPOTIFY_URL", "https://api.spotify.com",
                                   "BEDROCK_RATE_SPOTIFY", 10, "BEDROCK_RATE_SPOTIFY_WINDOW_MS",
                                   1000},
    [PROVIDER_PLATFORM_LRCLIB] = {"lrclib", "BEDROCK_LRCLIB_URL", "https://lrclib.net",
                                  "BEDROCK_RATE_LRCLIB", 10, "BEDROCK_RATE_LRCLIB_WINDOW_MS", 1000},
    [PROVIDER_PLATFORM_ITUNES] = {"itunes", "BEDROCK_ITUNES_URL", "https://itunes.apple.com",
                                  "BEDROCK_RATE_ITUNES", 20, "BEDROCK_RATE_ITUNES_WINDOW_MS",
                                  60000},
};

/* Longest base URL we accept: a base is scheme, host and a short prefix. */
#define S_MAX_URL 1024

/* Validated base URL without trailing slashes; a new string (aborts on OOM). */
static char *s_base_url(const char *var, const char *def)
{
    const char *v = config_get_http_url(var, def);
    size_t len = strlen(v);
    if (len >= S_MAX_URL)
        config_fail(var, "must be an http:// or https:// URL of at most 1023 bytes");
    while (len > 0 && v[len - 1] == '/')
        len--;
    char *copy = strndup(v, len);
    if (!copy) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return copy;
}

/* A short token of letters only (a country or market code). */
static const char *s_code(const char *var, const char *def)
{
    const char *v = config_get_string(var, def);
    if (strlen(v) != 2 || !isalpha((unsigned char)v[0]) || !isalpha((unsigned char)v[1]))
        config_fail(var, "must be a two-letter ISO 3166 country code");
    return v;
}

/* NULL when unset or empty. */
static const char *s_optional(const char *var)
{
    const char *v = getenv(var);
    return (v && *v) ? v : NULL;
}

void provider_config_load(provider_config_t *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < PROVIDER_PLATFORM_COUNT; i++) {
        const s_platform_t *p = &s_platforms[i];
        out->platforms[i].name = p->name;
        out->platforms[i].base_url = s_base_url(p->url_var, p->url_default);
        out->platforms[i].rate_limit = config_get_int(p->rate_var, p->rate_default, 1, 100000);
        out->platforms[i].rate_window_ms =
            config_get_int(p->window_var, p->window_default, 10, 3600000);
    }
    out->spotify_auth_url = s_base_url("BEDROCK_SPOTIFY_AUTH_URL", "https://accounts.spotify.com");
    out->spotify_client_id = s_optional("BEDROCK_SPOTIFY_CLIENT_ID");
    out->spotify_client_secret = s_optional("BEDROCK_SPOTIFY_CLIENT_SECRET");
    out->spotify_market = s_code("BEDROCK_SPOTIFY_MARKET", "US");
    out->itunes_country = s_code("BEDROCK_ITUNES_COUNTRY", "us");
    out->user_agent = config_get_string("BEDROCK_USER_AGENT", PROVIDER_CONFIG_DEFAULT_USER_AGENT);
    if (strpbrk(out->user_agent, "\r\n"))
        config_fail("BEDROCK_USER_AGENT", "must be one line of text");
    out->timeout_ms = config_get_int("BEDROCK_PROVIDER_TIMEOUT_MS", 5000, 50, 600000);
    out->connect_timeout_ms =
        config_get_int("BEDROCK_PROVIDER_CONNECT_TIMEOUT_MS", 2000, 50, 600000);
    out->max_body_bytes =
        config_get_int("BEDROCK_PROVIDER_MAX_BODY_BYTES", 8L * 1024 * 1024, 1024, 1L << 30);
    out->rate_wait_ms = config_get_int("BEDROCK_PROVIDER_RATE_WAIT_MS", 1500, 0, 600000);
    out->breaker_failures = config_get_int("BEDROCK_BREAKER_FAILURES", 5, 1, 100000);
    out->breaker_open_ms = config_get_int("BEDROCK_BREAKER_OPEN_MS", 30000, 1, 86400000);
}

void provider_config_clear(provider_config_t *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < PROVIDER_PLATFORM_COUNT; i++) {
        free(cfg->platforms[i].base_url);
        cfg->platforms[i].base_url = NULL;
    }
    free(cfg->spotify_auth_url);
    cfg->spotify_auth_url = NULL;
}

void provider_config_log(const provider_config_t *cfg)
{
    for (int i = 0; i < PROVIDER_PLATFORM_COUNT; i++) {
        const provider_platform_config_t *p = &cfg->platforms[i];
        /* Base URLs carry no credentials (those are separate settings). */
        log_info("provider %s: base_url=%s rate=%ld per %ld ms", p->name, p->base_url,
                 p->rate_limit, p->rate_window_ms);
    }
    log_info("provider spotify: auth_url=%s configured=%s market=%s", cfg->spotify_auth_url,
             (cfg->spotify_client_id && cfg->spotify_client_secret) ? "yes" : "no",
             cfg->spotify_market);
    log_info("provider itunes: country=%s", cfg->itunes_country);
    log_info("providers: user_agent=\"%s\" timeout_ms=%ld connect_timeout_ms=%ld "
             "max_body_bytes=%ld rate_wait_ms=%ld breaker_failures=%ld breaker_open_ms=%ld",
             cfg->user_agent, cfg->timeout_ms, cfg->connect_timeout_ms, cfg->max_body_bytes,
             cfg->rate_wait_ms, cfg->breaker_failures, cfg->breaker_open_ms);
}

int provider_config_index(const char *platform)
{
    if (!platform)
        return -1;
    for (int i = 0; i < PROVIDER_PLATFORM_COUNT; i++) {
        if (strcmp(s_platforms[i].name, platform) == 0)
            return i;
    }
    return -1;
}

const char *provider_config_name(int index)
{
    if (index < 0 || index >= PROVIDER_PLATFORM_COUNT)
        return NULL;
    return s_platforms[index].name;
}
