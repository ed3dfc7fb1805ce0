/* recorded_server — fake_http answering exactly the recorded provider requests.
 *
 * Loads the Deezer, Spotify and iTunes manifests of tests/data/providers and
 * answers a request whose path (under /deezer, /spotify, /spotify-auth, /itunes)
 * and query parameters (as a set) equal a recording with the recorded body, and
 * anything else with 404. Spotify API requests need "Bearer REDACTED" (the
 * recorded token), the token POST needs Basic base64("bedrock-test:not-a-secret")
 * and the form grant_type=client_credentials. Faults are set in rs_faults.
 * Also: the environment that points provider_http at it, a fake clock and a
 * fake shared store. For the provider tests only (one server per process).
 */
#ifndef BEDROCK_TEST_RECORDED_SERVER_H
#define BEDROCK_TEST_RECORDED_SERVER_H

#include "fake_http.h"
#include "provider_http.h"

#include <stdbool.h>

typedef struct {
    long force_status; /* > 0: answer every request with it */
    int delay_ms;      /* delay every answer */
    bool malformed;    /* answer 200 with broken JSON */
    int spotify_401;   /* answer 401 to this many bearer requests */
    int token_posts;   /* token requests seen */
} rs_faults_t;

/* Written by the tests between calls, read by the server thread during them. */
extern rs_faults_t rs_faults;

void rs_start(void);
void rs_stop(void);
int rs_port(void);
fake_http_t *rs_server(void);

/* Faults off, token count zero. */
void rs_reset(void);

/* Requests answered so far; the last one. */
int rs_count(void);
void rs_last_request(fake_request_t *out);

/* Zeroes the per-recording hit counts; rs_unrequested then names (in out) the
 * first recording never asked for whose path is not skip_path, and returns -1;
 * 0 when every one was asked for. */
void rs_clear_hits(void);
int rs_unrequested(const char *skip_path, char *out, size_t size);

/* Names of every setting provider_http reads that the tests change. */
extern const char *const rs_vars[];

/* A provider_http on a fresh environment pointing every provider at the server
 * (rates 1000/s, timeout 3 s), then extra "NAME=value" settings. */
provider_http_t *rs_http(const char *const *extra, const provider_kv_t *kv);

/* A clock that only moves when told (or slept on). */
typedef struct {
    long long now;
} rs_clock_t;
provider_clock_t rs_clock(rs_clock_t *c);

/* A shared store: the rate counter and the Spotify token. */
typedef struct {
    int incr_calls;
    char last_key[128];
    long long count;
    bool down;
    char token[128];
    int token_ttl;
    int sets;
} rs_kv_t;
provider_kv_t rs_kv(rs_kv_t *store);

#endif
