/* provider_fetch — the request shapes every HTTP provider shares (provider_fetch.h). */
#include "provider_fetch.h"

#include "log.h"

#include <stdio.h>

/* Room for "health check answered HTTP <status>: <why>". */
#define S_WHY_MAX 160

/* provider_fetch_decode, also telling the caller whether the breaker heard a success. */
static provider_result_t s_decode(provider_http_t *http, const char *platform,
                                  provider_response_t *resp, provider_fetch_decode_fn decode,
                                  json_t **doc, bool *healthy, provider_err_t *err)
{
    *doc = NULL;
    *healthy = false;
    provider_result_t r = decode(resp->status, resp->body, resp->body_len, doc, healthy, err);
    provider_http_outcome_error(http, platform, *healthy, *healthy ? NULL : err->message);
    provider_response_clear(resp);
    return r;
}

provider_result_t provider_fetch_decode(provider_http_t *http, const char *platform,
                                        provider_response_t *resp, provider_fetch_decode_fn decode,
                                        json_t **doc, provider_err_t *err)
{
    bool healthy;
    return s_decode(http, platform, resp, decode, doc, &healthy, err);
}

provider_result_t provider_fetch_json(provider_http_t *http, const char *platform,
                                      const char *path, const char *const *headers,
                                      provider_fetch_decode_fn decode, provider_fetch_log_t log,
                                      json_t **doc, provider_err_t *err)
{
    provider_err_t local;
    if (!err)
        err = &local;
    *doc = NULL;
    provider_response_t resp = {0};
    provider_result_t r = provider_http_get(http, platform, path, headers, &resp, err);
    if (r != PROVIDER_OK)
        return r;
    bool healthy;
    r = s_decode(http, platform, &resp, decode, doc, &healthy, err);
    if (!healthy && log == PROVIDER_FETCH_LOG_UNHEALTHY)
        log_warn("%s: GET %s: %s", platform, path, err->message);
    return r;
}

provider_result_t provider_fetch_parse(provider_http_t *http, provider_fetch_fn fetch,
                                       const char *path, provider_fetch_parse_fn parse,
                                       json_t **out, provider_err_t *err)
{
    *out = NULL;
    json_t *doc;
    provider_result_t r = fetch(http, path, &doc, err);
    if (r != PROVIDER_OK)
        return r;
    r = parse(doc, out, err);
    json_decref(doc);
    return r;
}

provider_result_t provider_fetch_artist(provider_http_t *http, const char *platform,
                                        provider_fetch_fn fetch, const char *native,
                                        const char *artist_path, const char *top_path,
                                        provider_fetch_artist_fn parse, json_t **out,
                                        provider_err_t *err)
{
    *out = NULL;
    json_t *artist, *top = NULL;
    provider_result_t r = fetch(http, artist_path, &artist, err);
    if (r != PROVIDER_OK)
        return r;
    provider_err_t top_err;
    if (fetch(http, top_path, &top, &top_err) != PROVIDER_OK)
        log_info("%s: artist %s without top tracks: %s", platform, native, top_err.message);
    r = parse(artist, top, out, err);
    json_decref(artist);
    json_decref(top);
    return r;
}

provider_result_t provider_fetch_health(provider_http_t *http, const char *platform,
                                        const char *path, long refused_status,
                                        const char *refused_why, provider_err_t *err)
{
    provider_response_t resp = {0};
    provider_result_t r = provider_http_get(http, platform, path, NULL, &resp, err);
    if (r != PROVIDER_OK)
        return r;
    bool refused = refused_status != 0 && resp.status == refused_status;
    bool up = resp.status > 0 && resp.status < 500 && !refused;
    char why[S_WHY_MAX];
    if (refused)
        snprintf(why, sizeof why, "health check answered HTTP %ld: %s", resp.status,
                 refused_why ? refused_why : "refused");
    else
        snprintf(why, sizeof why, "health check answered HTTP %ld", resp.status);
    provider_http_outcome_error(http, platform, up, up ? NULL : why);
    provider_response_clear(&resp);
    return up ? PROVIDER_OK : provider_fail(err, PROVIDER_UPSTREAM, "%s %s", platform, why);
}
