#include "fe_metrics.h"

#include "bridge.h"
#include "routes.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FE_METRICS_CLASSES 5 /* 1xx .. 5xx */

static const double s_bounds[FE_METRICS_BUCKET_COUNT] = FE_METRICS_BUCKETS;

/* Row r of s_requests counts route r; the last row counts requests with no route. */
static atomic_uint_fast64_t *s_requests; /* [(routes + 1) * FE_METRICS_CLASSES] */
static size_t s_routes;
static atomic_uint_fast64_t s_buckets[FE_METRICS_BUCKET_COUNT + 1]; /* last: +Inf */
static atomic_uint_fast64_t s_sum_us, s_count;
static atomic_int_fast64_t s_in_flight;

int fe_metrics_init(void)
{
    routes_table(&s_routes);
    s_requests = calloc((s_routes + 1) * FE_METRICS_CLASSES, sizeof *s_requests);
    return s_requests ? 0 : -1;
}

void fe_metrics_shutdown(void)
{
    free(s_requests);
    s_requests = NULL;
}

void fe_metrics_request_begin(void)
{
    atomic_fetch_add_explicit(&s_in_flight, 1, memory_order_relaxed);
}

void fe_metrics_request_end(int route_index, int status, int64_t elapsed_us)
{
    atomic_fetch_sub_explicit(&s_in_flight, 1, memory_order_relaxed);
    size_t row =
        (route_index >= 0 && (size_t)route_index < s_routes) ? (size_t)route_index : s_routes;
    int cls = status / 100 - 1;
    if (cls < 0 || cls >= FE_METRICS_CLASSES)
        cls = FE_METRICS_CLASSES - 1;
    if (s_requests)
        atomic_fetch_add_explicit(&s_requests[row * FE_METRICS_CLASSES + (size_t)cls], 1,
                                  memory_order_relaxed);
    if (elapsed_us < 0)
        elapsed_us = 0;
    double seconds = (double)elapsed_us / 1e6;
    int b = 0;
    while (b < FE_METRICS_BUCKET_COUNT && seconds > s_bounds[b])
        b++;
    atomic_fetch_add_explicit(&s_buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s_sum_us, (uint_fast64_t)elapsed_us, memory_order_relaxed);
    atomic_fetch_add_explicit(&s_count, 1, memory_order_relaxed);
}

typedef struct {
    char *data;
    size_t len, cap;
    int failed;
} s_out_t;

static void s_printf(s_out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_printf(s_out_t *o, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2 && !o->failed; attempt++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->data + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->failed = 1;
            return;
        }
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = (o->cap + (size_t)n + 1) * 2;
        char *grown = realloc(o->data, cap);
        if (!grown) {
            o->failed = 1;
            return;
        }
        o->data = grown;
        o->cap = cap;
    }
}

static uint64_t s_load(atomic_uint_fast64_t *v)
{
    return (uint64_t)atomic_load_explicit(v, memory_order_relaxed);
}

static void s_render_requests(s_out_t *o)
{
    size_t count;
    const routes_route_t *table = routes_table(&count);
    s_printf(o, "# HELP bedrock_http_requests_total HTTP requests by route and status class.\n"
                "# TYPE bedrock_http_requests_total counter\n");
    for (size_t r = 0; r <= s_routes && s_requests; r++) {
        const char *method = r < count ? table[r].method : "";
        const char *route = r < count ? table[r].pattern : "none";
        for (int c = 0; c < FE_METRICS_CLASSES; c++) {
            uint64_t v = s_load(&s_requests[r * FE_METRICS_CLASSES + (size_t)c]);
            if (v)
                s_printf(o,
                         "bedrock_http_requests_total{method=\"%s\",route=\"%s\",status=\"%dxx\"}"
                         " %llu\n",
                         method, route, c + 1, (unsigned long long)v);
        }
    }
}

static void s_render_latency(s_out_t *o)
{
    s_printf(o, "# HELP bedrock_http_request_duration_seconds Time from request to response.\n"
                "# TYPE bedrock_http_request_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (int b = 0; b <= FE_METRICS_BUCKET_COUNT; b++) {
        cumulative += s_load(&s_buckets[b]);
        if (b < FE_METRICS_BUCKET_COUNT)
            s_printf(o, "bedrock_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                     s_bounds[b], (unsigned long long)cumulative);
        else
            s_printf(o, "bedrock_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                     (unsigned long long)cumulative);
    }
    s_printf(o, "bedrock_http_request_duration_seconds_sum %.6f\n",
             (double)s_load(&s_sum_us) / 1e6);
    s_printf(o, "bedrock_http_request_duration_seconds_count %llu\n",
             (unsigned long long)s_load(&s_count));
}

static void s_render_broker(s_out_t *o)
{
    bridge_stats_t st;
    bridge_stats(&st);
    s_printf(o,
             "# HELP bedrock_http_in_flight Requests being served.\n"
             "# TYPE bedrock_http_in_flight gauge\n"
             "bedrock_http_in_flight %lld\n",
             (long long)atomic_load_explicit(&s_in_flight, memory_order_relaxed));
    s_printf(o,
             "# HELP bedrock_frontend_broker_calls_total Requests sent to the broker.\n"
             "# TYPE bedrock_frontend_broker_calls_total counter\n"
             "bedrock_frontend_broker_calls_total %llu\n"
             "# HELP bedrock_frontend_broker_timeouts_total Calls with no reply by the deadline.\n"
             "# TYPE bedrock_frontend_broker_timeouts_total counter\n"
             "bedrock_frontend_broker_timeouts_total %llu\n"
             "# HELP bedrock_frontend_broker_unavailable_total Calls refused: no broker.\n"
             "# TYPE bedrock_frontend_broker_unavailable_total counter\n"
             "bedrock_frontend_broker_unavailable_total %llu\n"
             "# HELP bedrock_frontend_broker_late_replies_total Replies to timed-out requests.\n"
             "# TYPE bedrock_frontend_broker_late_replies_total counter\n"
             "bedrock_frontend_broker_late_replies_total %llu\n"
             "# HELP bedrock_frontend_broker_malformed_replies_total Replies dropped as invalid.\n"
             "# TYPE bedrock_frontend_broker_malformed_replies_total counter\n"
             "bedrock_frontend_broker_malformed_replies_total %llu\n",
             (unsigned long long)st.calls, (unsigned long long)st.timeouts,
             (unsigned long long)st.unavailable, (unsigned long long)st.late_replies,
             (unsigned long long)st.malformed_replies);
}

char *fe_metrics_render(size_t *len)
{
    s_out_t o = {0};
    o.cap = 8192;
    o.data = malloc(o.cap);
    if (!o.data)
        return NULL;
    o.data[0] = '\0';
    s_render_requests(&o);
    s_render_latency(&o);
    s_render_broker(&o);
    if (o.failed) {
        free(o.data);
        return NULL;
    }
    *len = o.len;
    return o.data;
}
