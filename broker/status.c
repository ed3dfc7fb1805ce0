/* status.c — per-op counters and latency histograms, and the broker.status document
 * (owned by the broker area; contract in status.h). */
#include "status.h"

#include "queue.h"
#include "workers.h"

#include "log.h"

#include <czmq.h>
#include <math.h>

#define STATUS_BUCKETS 128 /* 8 exact + 4 per octave from 8 us up to 2^32 us */
#define STATUS_OTHER_OP "(other)"

typedef struct {
    uint64_t count, errors;
    uint64_t forwarded; /* handed to another op's pool: not finished, not in count */
    uint64_t hist[STATUS_BUCKETS];
} op_stats_t;

struct status {
    zhashx_t *ops; /* op name -> op_stats_t (owned) */
};

static void s_free_item(void **item)
{
    free(*item);
    *item = NULL;
}

status_t *status_new(void)
{
    status_t *self = broker_alloc(sizeof *self);
    self->ops = zhashx_new();
    if (!self->ops) {
        log_error("out of memory creating the stats table");
        abort();
    }
    zhashx_set_destructor(self->ops, s_free_item);
    return self;
}

void status_destroy(status_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy(&(*self_p)->ops);
    free(*self_p);
    *self_p = NULL;
}

static int s_bucket(int64_t us)
{
    if (us < 8)
        return us < 0 ? 0 : (int)us;
    int msb = 63 - __builtin_clzll((unsigned long long)us);
    int idx = 8 + (msb - 3) * 4 + (int)((us >> (msb - 2)) & 3);
    return idx < STATUS_BUCKETS ? idx : STATUS_BUCKETS - 1;
}

/* Middle of a bucket, in microseconds. */
static double s_bucket_value(int idx)
{
    if (idx < 8)
        return idx;
    int msb = 3 + (idx - 8) / 4, sub = (idx - 8) % 4;
    double lower = (double)(4 + sub) * (double)(1ULL << (msb - 2));
    return lower + (double)(1ULL << (msb - 2)) / 2;
}

static op_stats_t *s_lookup(status_t *self, const char *op)
{
    op_stats_t *st = zhashx_lookup(self->ops, op);
    if (st)
        return st;
    if (zhashx_size(self->ops) >= BROKER_STATS_OPS_MAX) {
        op = STATUS_OTHER_OP;
        st = zhashx_lookup(self->ops, op);
        if (st)
            return st;
    }
    st = broker_alloc(sizeof *st);
    if (zhashx_insert(self->ops, op, st) != 0) {
        free(st);
        return NULL;
    }
    return st;
}

void status_record(status_t *self, const char *op, int status, int64_t latency_us)
{
    op_stats_t *st = s_lookup(self, op[0] ? op : STATUS_OTHER_OP);
    if (!st)
        return;
    st->count++;
    if (status >= 500)
        st->errors++;
    st->hist[s_bucket(latency_us)]++;
}

void status_record_forward(status_t *self, const char *op)
{
    op_stats_t *st = s_lookup(self, op[0] ? op : STATUS_OTHER_OP);
    if (st)
        st->forwarded++;
}

static double s_percentile_ms(const op_stats_t *st, double p)
{
    if (st->count == 0)
        return 0;
    uint64_t rank = (uint64_t)ceil(p * (double)st->count), seen = 0;
    if (rank == 0)
        rank = 1;
    for (int i = 0; i < STATUS_BUCKETS; i++) {
        seen += st->hist[i];
        if (seen >= rank)
            return round(s_bucket_value(i)) / 1000.0;
    }
    return s_bucket_value(STATUS_BUCKETS - 1) / 1000.0;
}

static json_t *s_ops_json(status_t *self)
{
    json_t *ops = json_object();
    for (op_stats_t *st = zhashx_first(self->ops); ops && st; st = zhashx_next(self->ops)) {
        const char *name = zhashx_cursor(self->ops);
        json_t *one =
            json_pack("{s:I, s:I, s:I, s:f, s:f}", "count", (json_int_t)st->count, "errors",
                      (json_int_t)st->errors, "forwarded", (json_int_t)st->forwarded, "p50_ms",
                      s_percentile_ms(st, 0.50), "p99_ms", s_percentile_ms(st, 0.99));
        if (!one || json_object_set_new(ops, name, one) < 0) {
            json_decref(ops);
            return NULL;
        }
    }
    return ops;
}

static json_t *s_worker_json(const worker_t *w, int64_t now_us)
{
    json_t *ops = json_array();
    for (size_t i = 0; ops && i < w->info.ops_count; i++)
        if (json_array_append_new(ops, json_string(w->info.ops[i])) < 0)
            json_decref(ops), ops = NULL;
    if (!ops)
        return NULL;
    return json_pack(
        "{s:s, s:I, s:s, s:o, s:b, s:i, s:I, s:I, s:I, s:I, s:I}", "id", w->id_hex, "pid",
        (json_int_t)w->info.pid, "host", w->info.host, "ops", ops, "busy", w->in_flight > 0,
        "in_flight", w->in_flight, "credit", (json_int_t)w->info.credit, "last_heartbeat_ms_ago",
        (json_int_t)((now_us - w->last_seen_us) / 1000), "handled", (json_int_t)w->handled,
        "errors", (json_int_t)w->errors, "forwarded", (json_int_t)w->forwarded);
}

typedef struct {
    json_int_t handled, errors, cache_bypass, db_up, db_down, redis_up, redis_down, reporting;
} hb_sum_t;

static void s_add_hb(hb_sum_t *sum, const worker_hb_stats_t *hb)
{
    if (!hb->present)
        return;
    sum->reporting++;
    sum->handled += hb->handled;
    sum->errors += hb->errors;
    sum->cache_bypass += hb->cache_bypass;
    sum->db_up += strcmp(hb->db, "up") == 0;
    sum->db_down += strcmp(hb->db, "down") == 0;
    sum->redis_up += strcmp(hb->redis, "up") == 0;
    sum->redis_down += strcmp(hb->redis, "down") == 0;
}

static json_t *s_hb_json(const hb_sum_t *s)
{
    return json_pack("{s:I, s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I}, s:I}", "handled", s->handled,
                     "errors", s->errors, "cache_bypass", s->cache_bypass, "db", "up", s->db_up,
                     "down", s->db_down, "redis", "up", s->redis_up, "down", s->redis_down,
                     "reporting", s->reporting);
}

static json_t *s_counters_json(const broker_t *b, int64_t now_us)
{
    const broker_counters_t *c = &b->counters;
    json_t *j = json_pack("{s:I, s:I, s:I}", "uptime_ms",
                          (json_int_t)((now_us - b->started_us) / 1000), "heartbeat_ms",
                          (json_int_t)b->cfg.heartbeat_ms, "liveness", (json_int_t)b->cfg.liveness);
    struct {
        const char *name;
        uint64_t value;
    } fields[] = {
        {"requests", c->requests},
        {"client_malformed", c->client_malformed},
        {"worker_malformed", c->worker_malformed},
        {"unknown_worker", c->unknown_worker},
        {"late_replies", c->late_replies},
        {"timeouts", c->timeouts},
        {"overloaded", c->overloaded},
        {"no_worker", c->no_worker},
        {"worker_lost", c->worker_lost},
        {"retried", c->retried},
        {"workers_died", c->workers_died},
        {"forwarded", c->forwarded},
        {"forward_unmatched", c->forward_unmatched},
        {"forward_loops", c->forward_loops},
    };
    for (size_t i = 0; j && i < sizeof fields / sizeof fields[0]; i++)
        if (json_object_set_new(j, fields[i].name, json_integer((json_int_t)fields[i].value)) < 0)
            json_decref(j), j = NULL;
    return j;
}

json_t *status_build(broker_t *b)
{
    int64_t now_us = broker_mono_us();
    int64_t window_us = b->cfg.heartbeat_ms * b->cfg.liveness * 1000;
    json_t *workers = json_array();
    hb_sum_t sum = {0};
    json_int_t live = 0;
    size_t n = workers_count(b->workers);
    for (size_t i = 0; workers && i < n; i++) {
        const worker_t *w = workers_at(b->workers, i);
        live += now_us - w->last_seen_us <= window_us;
        s_add_hb(&sum, &w->hb);
        if (json_array_append_new(workers, s_worker_json(w, now_us)) < 0)
            json_decref(workers), workers = NULL;
    }
    json_t *ops = s_ops_json(b->status);
    if (!workers || !ops) {
        json_decref(workers);
        json_decref(ops);
        return NULL;
    }
    return json_pack("{s:o, s:I, s:I, s:o, s:I, s:I, s:o*, s:o*}", "workers", workers,
                     "queue_depth", (json_int_t)queue_depth(b->queue), "queue_max",
                     (json_int_t)queue_max(b->queue), "ops", ops, "workers_total", (json_int_t)n,
                     "workers_live", live, "stats", s_hb_json(&sum), "broker",
                     s_counters_json(b, now_us));
}
