/* provider_fetch — the request shapes every HTTP provider shares.
 *
 * A provider GETs a path, turns the answer into a JSON document with its own
 * decode function (which knows how that provider reports errors), tells the
 * breaker how it went, then parses the document into a catalog document. These
 * helpers hold that sequence once; each provider still owns its paths, its id
 * checks, its decode function and its parse functions.
 *
 * Ownership: documents handed out through json_t ** are new references the caller
 * owns (json_decref); on any result but PROVIDER_OK they are set to NULL. Paths,
 * headers and platform names are borrowed for the duration of the call.
 */
#ifndef BEDROCK_PROVIDER_FETCH_H
#define BEDROCK_PROVIDER_FETCH_H

#include "provider.h"
#include "provider_http.h"

#include <stdbool.h>
#include <stddef.h>

/* A provider's decoder: one HTTP answer (status, body) to a parsed document.
 * *healthy tells the breaker whether the provider answered as designed. On
 * PROVIDER_OK *doc receives the parsed body (caller owns it). e.g. deezer_decode. */
typedef provider_result_t (*provider_fetch_decode_fn)(long status, const char *body, size_t len,
                                                      json_t **doc, bool *healthy,
                                                      provider_err_t *err);

/* A provider's parser: a decoded document to a catalog document (*out owned by the
 * caller on PROVIDER_OK). e.g. deezer_parse_track. */
typedef provider_result_t (*provider_fetch_parse_fn)(const json_t *doc, json_t **out,
                                                     provider_err_t *err);

/* A provider's own "GET path and decode it" (its s_fetch): *doc as above. */
typedef provider_result_t (*provider_fetch_fn)(provider_http_t *http, const char *path,
                                               json_t **doc, provider_err_t *err);

/* Which failures provider_fetch_json also logs (log_warn "<platform>: GET <path>: <why>"). */
typedef enum {
    PROVIDER_FETCH_QUIET = 0,        /* the breaker and the caller hear it; no log line */
    PROVIDER_FETCH_LOG_UNHEALTHY = 1 /* also log every answer the breaker counts as a failure */
} provider_fetch_log_t;

/* Decodes resp with decode, reports the outcome to platform's breaker (with err's
 * message when unhealthy), then clears resp (its body is freed in every case).
 * err must not be NULL: its message is what the breaker keeps. */
provider_result_t provider_fetch_decode(provider_http_t *http, const char *platform,
                                        provider_response_t *resp, provider_fetch_decode_fn decode,
                                        json_t **doc, provider_err_t *err)
    __attribute__((warn_unused_result));

/* GET base(platform) + path with headers (NULL-terminated, may be NULL), then
 * provider_fetch_decode; path is named in the log line when log asks for one.
 * Transport failures come back as provider_http_get returns them (the HTTP layer
 * records them itself). err may be NULL. */
provider_result_t provider_fetch_json(provider_http_t *http, const char *platform,
                                      const char *path, const char *const *headers,
                                      provider_fetch_decode_fn decode, provider_fetch_log_t log,
                                      json_t **doc, provider_err_t *err)
    __attribute__((warn_unused_result));

/* fetch(path), then parse the document into *out; the document is released. */
provider_result_t provider_fetch_parse(provider_http_t *http, provider_fetch_fn fetch,
                                       const char *path, provider_fetch_parse_fn parse,
                                       json_t **out, provider_err_t *err)
    __attribute__((warn_unused_result));

/* A provider's artist parser: the artist document and its top-tracks document (NULL
 * when that list could not be had) to a catalog artist. e.g. deezer_parse_artist. */
typedef provider_result_t (*provider_fetch_artist_fn)(const json_t *artist, const json_t *top,
                                                      json_t **out, provider_err_t *err);

/* fetch(artist_path), then fetch(top_path) as a bonus: the artist never fails for its
 * top list (that failure is logged at info, naming platform and native), then
 * parse(artist, top or NULL) into *out. Both documents are released. */
provider_result_t provider_fetch_artist(provider_http_t *http, const char *platform,
                                        provider_fetch_fn fetch, const char *native,
                                        const char *artist_path, const char *top_path,
                                        provider_fetch_artist_fn parse, json_t **out,
                                        provider_err_t *err) __attribute__((warn_unused_result));

/* A health check: GET base(platform) + path; the provider is up when it answers
 * with any status below 500 other than refused_status (0 = none), whatever it says
 * about the query. refused_why (may be NULL when refused_status is 0) explains that
 * status in the message. The breaker hears the outcome; when down the result is
 * PROVIDER_UPSTREAM with "<platform> health check answered HTTP <status>[: why]". */
provider_result_t provider_fetch_health(provider_http_t *http, const char *platform,
                                        const char *path, long refused_status,
                                        const char *refused_why, provider_err_t *err)
    __attribute__((warn_unused_result));

#endif
