/* disc_http — disc_call (disc_env.h): the discovery ops over their HTTP routes, with the
 * answer turned into an envelope_reply_t. */
#include "disc_env.h"

#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_URL_MAX 4096
#define S_PATH_MAX (S_URL_MAX + 64)

/* "?k=v&..." of a JSON object of strings (integers printed), URL-encoded; "" when none. */
static int s_query(const json_t *args, const char *skip, char *out, size_t size)
{
    size_t used = 0;
    const char *key;
    const json_t *v;
    out[0] = '\0';
    json_object_foreach((json_t *)args, key, v)
    {
        if (skip && strcmp(key, skip) == 0)
            continue;
        char num[32];
        const char *text = json_string_value(v);
        if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            text = num;
        }
        char *k = curl_easy_escape(NULL, key, 0);
        char *e = curl_easy_escape(NULL, text ? text : "", 0);
        int n = snprintf(out + used, size - used, "%c%s=%s", used ? '&' : '?', k, e);
        curl_free(k);
        curl_free(e);
        if (n < 0 || (size_t)n >= size - used)
            return -1;
        used += (size_t)n;
    }
    return 0;
}

/* Method and URL of op, or -1 when op has no route here. */
static int s_route(const disc_env_t *env, const char *op, const json_t *args, const char **method,
                   char *url, size_t size)
{
    char query[S_URL_MAX], path[S_PATH_MAX];
    const char *id = json_string_value(json_object_get(args, "id"));
    if (s_query(args, strcmp(op, "tracks.lyrics") == 0 ? "id" : NULL, query, sizeof query) < 0)
        return -1;
    *method = "GET";
    if (strcmp(op, "search.query") == 0) {
        snprintf(path, sizeof path, "/v1/search%s", query);
    } else if (strcmp(op, "lyrics.get") == 0) {
        snprintf(path, sizeof path, "/v1/lyrics%s", query);
    } else if (strcmp(op, "providers.status") == 0) {
        snprintf(path, sizeof path, "/v1/providers/status");
    } else if (strcmp(op, "plays.record") == 0) {
        *method = "POST";
        snprintf(path, sizeof path, "/v1/plays");
    } else if (strcmp(op, "tracks.lyrics") == 0 && id && *id) {
        char *e = curl_easy_escape(NULL, id, 0);
        snprintf(path, sizeof path, "/v1/tracks/%s/lyrics%s", e, query);
        curl_free(e);
    } else {
        return -1;
    }
    snprintf(url, size, "%s%s", cluster_base_url(env->cluster), path);
    return 0;
}

/* The HTTP answer as a reply envelope. */
static void s_to_reply(const http_response_t *r, envelope_reply_t *out)
{
    out->status = (int)r->status;
    const char *x_cache = http_header(r, "X-Cache");
    if (x_cache)
        out->headers = json_pack("{s:s}", "x-cache", x_cache);
    const json_t *error = json_object_get(r->json, "error");
    if (r->status >= 400 && json_is_object(error)) {
        const json_t *details = json_object_get(error, "details");
        const char *code = json_string_value(json_object_get(error, "code"));
        const char *message = json_string_value(json_object_get(error, "message"));
        envelope_reply_set_error(out, (int)r->status, code ? code : "", message ? message : "",
                                 details ? json_incref((json_t *)details) : NULL);
        return;
    }
    out->data = r->json ? json_incref(r->json) : NULL;
}

int disc_call(disc_env_t *env, const char *op, const char *args, const char *body,
              const fixture_user_t *user, const char *role_override, envelope_reply_t *out)
{
    json_t *a = args ? json_loads(args, 0, NULL) : json_object();
    const char *method = NULL;
    char url[S_PATH_MAX + 128];
    if (role_override || !a || s_route(env, op, a, &method, url, sizeof url) < 0) {
        json_decref(a);
        return disc_call_broker(env, op, args, body, user, role_override, out);
    }
    json_decref(a);
    http_request_t req = {.method = method,
                          .url = url,
                          .bearer = user ? user->access : NULL,
                          .body = body,
                          .timeout_ms = 12000};
    http_response_t *r = http_do(&req);
    envelope_reply_init(out);
    int rc = r->status > 0 ? 0 : -1;
    if (rc == 0)
        s_to_reply(r, out);
    else
        fprintf(stderr, "disc_call: %s %s: %s\n", method, url, r->error);
    http_response_free(&r);
    const char *verbose = getenv("DISC_VERBOSE");
    if (rc == 0 && verbose && *verbose)
        disc_print(out, op);
    return rc;
}
