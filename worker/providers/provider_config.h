/* provider_config — every setting of the provider HTTP layer, read once at start.
 *
 * provider_config_load() reads the environment through common/config.h: a
 * malformed value prints one line naming the variable and exits 2, so a loaded
 * configuration is always valid. Settings (name, default, meaning):
 *
 *   BEDROCK_MUSICBRAINZ_URL   https://musicbrainz.org      base URL (scheme+host[+prefix])
 *   BEDROCK_DEEZER_URL        https://api.deezer.com       base URL
 *   BEDROCK_SPOTIFY_URL       https://api.spotify.com      base URL of the Web API
 *   BEDROCK_SPOTIFY_AUTH_URL  https://accounts.spotify.com base URL of the token endpoint
 *   BEDROCK_LRCLIB_URL        https://lrclib.net           base URL
 *   BEDROCK_ITUNES_URL        https://itunes.apple.com     base URL
 *   BEDROCK_SPOTIFY_CLIENT_ID / BEDROCK_SPOTIFY_CLIENT_SECRET  (unset) Spotify is
 *                             configured only when both are set; never logged
 *   BEDROCK_SPOTIFY_MARKET    US     market of the artist top-tracks request
 *   BEDROCK_ITUNES_COUNTRY    us     store country of iTunes lookups
 *   BEDROCK_USER_AGENT        Bedrock/0.1 (+https://github.com/bedrock-music)
 *   BEDROCK_PROVIDER_TIMEOUT_MS          5000  whole request (connect to last byte)
 *   BEDROCK_PROVIDER_CONNECT_TIMEOUT_MS  2000  TCP+TLS connect
 *   BEDROCK_PROVIDER_MAX_BODY_BYTES   8388608  a larger answer is a provider error
 *   BEDROCK_PROVIDER_RATE_WAIT_MS        1500  longest wait for a rate-limit slot
 *   BEDROCK_BREAKER_FAILURES                5  consecutive failures that open the breaker
 *   BEDROCK_BREAKER_OPEN_MS             30000  how long an open breaker refuses calls
 *   BEDROCK_RATE_<P> / BEDROCK_RATE_<P>_WINDOW_MS  requests per fixed window, per
 *       provider, shared by every worker through Redis:
 *       MUSICBRAINZ 1 / 1000 (MusicBrainz allows 1 request/s), DEEZER 10 / 1000
 *       (= Deezer's 50 per 5 s), SPOTIFY 10 / 1000, LRCLIB 10 / 1000,
 *       ITUNES 20 / 60000 (Apple's ~20 per minute).
 */
#ifndef BEDROCK_PROVIDER_CONFIG_H
#define BEDROCK_PROVIDER_CONFIG_H

#include <stdbool.h>

/* The platforms that have a breaker and a rate limit, in a fixed order. */
typedef enum {
    PROVIDER_PLATFORM_MUSICBRAINZ = 0,
    PROVIDER_PLATFORM_DEEZER,
    PROVIDER_PLATFORM_SPOTIFY,
    PROVIDER_PLATFORM_LRCLIB,
    PROVIDER_PLATFORM_ITUNES,
    PROVIDER_PLATFORM_COUNT
} provider_platform_t;

#define PROVIDER_CONFIG_DEFAULT_USER_AGENT "Bedrock/0.1 (+https://github.com/bedrock-music)"

typedef struct {
    const char *name; /* "deezer"; static */
    char *base_url;   /* owned; without a trailing '/' */
    long rate_limit;  /* requests per window */
    long rate_window_ms;
} provider_platform_config_t;

typedef struct {
    provider_platform_config_t platforms[PROVIDER_PLATFORM_COUNT];
    char *spotify_auth_url;            /* owned; without a trailing '/' */
    const char *spotify_client_id;     /* borrowed from the environment; NULL when unset */
    const char *spotify_client_secret; /* same; never logged */
    const char *spotify_market;
    const char *itunes_country;
    const char *user_agent;
    long timeout_ms;
    long connect_timeout_ms;
    long max_body_bytes;
    long rate_wait_ms;
    long breaker_failures;
    long breaker_open_ms;
} provider_config_t;

/* Reads and validates the environment (exits 2 naming the variable on a bad
 * value). Release with provider_config_clear. */
void provider_config_load(provider_config_t *out);

/* Frees what load allocated; safe to call twice. */
void provider_config_clear(provider_config_t *cfg);

/* One log line per setting; the client secret is never shown. */
void provider_config_log(const provider_config_t *cfg);

/* Index of a platform name, or -1. */
int provider_config_index(const char *platform);

/* Name of a platform index ("deezer"); NULL when out of range. */
const char *provider_config_name(int index);

#endif
