#include "http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct http_conn_t {
    CURL *curl;
};

static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void s_global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        fprintf(stderr, "http: curl_global_init failed\n");
        abort();
    }
}

static void *s_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        abort();
    return p;
}

static char *s_strndup(const char *s, size_t n)
{
    char *p = s_alloc(n + 1);
    memcpy(p, s, n);
    return p;
}

static double s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

http_conn_t *http_conn_new(void)
{
    pthread_once(&s_once, s_global_init);
    http_conn_t *self = s_alloc(sizeof *self);
    self->curl = curl_easy_init();
    if (!self->curl)
        abort();
    return self;
}

void http_conn_destroy(http_conn_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    curl_easy_cleanup((*self_p)->curl);
    free(*self_p);
    *self_p = NULL;
}

static size_t s_on_body(char *data, size_t size, size_t n, void *user)
{
    http_response_t *r = user;
    size_t len = size * n;
    char *grown = realloc(r->body, r->body_len + len + 1);
    if (!grown)
        abort();
    memcpy(grown + r->body_len, data, len);
    r->body = grown;
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

static void s_headers_clear(http_response_t *r)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    r->headers = NULL;
    r->n_headers = 0;
}

/* One header line at a time; a new status line (after 100 Continue or a redirect)
 * starts the list again so that only the final response's headers remain. */
static size_t s_on_header(char *data, size_t size, size_t n, void *user)
{
    http_response_t *r = user;
    size_t len = size * n;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        s_headers_clear(r);
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return len;
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1, *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    http_header_t *grown = realloc(r->headers, (r->n_headers + 1) * sizeof *grown);
    if (!grown)
        abort();
    r->headers = grown;
    r->headers[r->n_headers].name = s_strndup(data, name_len);
    r->headers[r->n_headers].value = s_strndup(v, (size_t)(end - v));
    r->n_headers++;
    return len;
}

typedef struct {
    const char *data;
    size_t len, off;
} s_upload_t;

/* Hands the body to curl in pieces, so that it goes out chunked. */
static size_t s_on_read(char *buf, size_t size, size_t n, void *user)
{
    s_upload_t *up = user;
    size_t room = size * n, left = up->len - up->off;
    size_t take = left < room ? left : room;
    if (take > 65536)
        take = 65536;
    memcpy(buf, up->data + up->off, take);
    up->off += take;
    return take;
}

static struct curl_slist *s_add(struct curl_slist *list, const char *line)
{
    struct curl_slist *next = curl_slist_append(list, line);
    if (!next)
        abort();
    return next;
}

static struct curl_slist *s_build_headers(const http_request_t *req)
{
    struct curl_slist *list = NULL;
    char line[8192];
    /* curl would add "Expect: 100-continue" to big bodies and wait for the server;
     * the tests want the body sent at once, as most clients do. */
    list = s_add(list, "Expect:");
    if (req->bearer) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", req->bearer);
        list = s_add(list, line);
    }
    if (req->body) {
        const char *ct = req->content_type ? req->content_type : "application/json";
        if (*ct) {
            snprintf(line, sizeof line, "Content-Type: %s", ct);
            list = s_add(list, line);
        } else {
            list = s_add(list, "Content-Type:"); /* removes curl's form default */
        }
    }
    if (req->body && req->chunked)
        list = s_add(list, "Transfer-Encoding: chunked");
    for (const char *const *h = req->headers; h && *h; h++)
        list = s_add(list, *h);
    return list;
}

static void s_setup(CURL *curl, const http_request_t *req, http_response_t *r, s_upload_t *up)
{
    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     req->timeout_ms > 0 ? req->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, r->error);
    const char *method = req->method ? req->method : "GET";
    if (req->body && req->chunked) {
        up->data = req->body;
        up->len = req->body_len ? req->body_len : strlen(req->body);
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, s_on_read);
        curl_easy_setopt(curl, CURLOPT_READDATA, up);
    } else if (req->body) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body_len ? req->body_len : strlen(req->body)));
    } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
               strcmp(method, "PATCH") == 0) {
        /* A bodiless POST still says Content-Length: 0, and no Content-Type. */
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    if (strcmp(method, "GET") == 0 && !req->body)
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    else if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "POST") != 0)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
}

http_response_t *http_do_on(http_conn_t *conn, const http_request_t *req)
{
    pthread_once(&s_once, s_global_init);
    http_response_t *r = s_alloc(sizeof *r);
    r->body = s_alloc(1);
    CURL *curl = conn ? conn->curl : curl_easy_init();
    if (!curl)
        abort();
    if (conn)
        curl_easy_reset(curl);
    struct curl_slist *headers = s_build_headers(req);
    s_upload_t up = {0};
    s_setup(curl, req, r, &up);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    double start = s_now_ms();
    CURLcode rc = curl_easy_perform(curl);
    r->elapsed_ms = s_now_ms() - start;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    } else {
        r->status = 0;
        if (!r->error[0])
            snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(rc));
    }
    curl_slist_free_all(headers);
    if (!conn)
        curl_easy_cleanup(curl);
    if (r->body_len)
        r->json = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
    return r;
}

http_response_t *http_do(const http_request_t *req)
{
    return http_do_on(NULL, req);
}

http_response_t *http_request(const char *method, const char *url, const char *const *headers,
                              const char *body)
{
    http_request_t req = {.method = method, .url = url, .headers = headers, .body = body};
    return http_do(&req);
}

static http_response_t *s_call(const char *method, const char *base, const char *path,
                               const char *bearer, const char *body)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", base, path);
    http_request_t req = {.method = method, .url = url, .bearer = bearer, .body = body};
    return http_do(&req);
}

http_response_t *http_get(const char *base, const char *path, const char *bearer)
{
    return s_call("GET", base, path, bearer, NULL);
}

http_response_t *http_post(const char *base, const char *path, const char *bearer, const char *body)
{
    return s_call("POST", base, path, bearer, body);
}

const char *http_header(const http_response_t *r, const char *name)
{
    for (size_t i = 0; r && i < r->n_headers; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

void http_response_print(const http_response_t *r, const char *label)
{
    fprintf(stderr, "---- %s: status %ld (%.1f ms)%s%s\n", label ? label : "response", r->status,
            r->elapsed_ms, r->status ? "" : " error: ", r->status ? "" : r->error);
    for (size_t i = 0; i < r->n_headers; i++)
        fprintf(stderr, "     %s: %s\n", r->headers[i].name, r->headers[i].value);
    fprintf(stderr, "     body (%zu bytes): %.*s\n", r->body_len,
            (int)(r->body_len > 600 ? 600 : r->body_len), r->body);
}

void http_response_free(http_response_t **r_p)
{
    if (!r_p || !*r_p)
        return;
    http_response_t *r = *r_p;
    s_headers_clear(r);
    free(r->body);
    json_decref(r->json);
    free(r);
    *r_p = NULL;
}
