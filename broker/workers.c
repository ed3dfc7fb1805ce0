/* workers.c — the worker registry: READY parsing, op matching, LRU/credit routing,
 * in-flight slots and liveness lookup (owned by the broker area; contract in workers.h). */
#include "workers.h"

#include "log.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

struct workers {
    worker_t **items;
    size_t count, cap;
    uint64_t seq; /* LRU clock: bumped on every registration and assignment */
};

workers_t *workers_new(void)
{
    return broker_alloc(sizeof(workers_t));
}

void workers_destroy(workers_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    workers_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++)
        worker_destroy(&self->items[i]);
    free(self->items);
    free(self);
    *self_p = NULL;
}

size_t workers_count(const workers_t *self)
{
    return self->count;
}

worker_t *workers_at(workers_t *self, size_t i)
{
    return i < self->count ? self->items[i] : NULL;
}

worker_t *workers_find(workers_t *self, const void *identity, size_t size)
{
    /* A linear scan: tens of workers, and it touches no allocator. */
    for (size_t i = 0; i < self->count; i++) {
        worker_t *w = self->items[i];
        if (w->identity_size == size && memcmp(w->identity, identity, size) == 0)
            return w;
    }
    return NULL;
}

/* ---- READY ---------------------------------------------------------------- */

static bool s_key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
           memcmp(k->via.str.ptr, name, n) == 0;
}

static int s_get_int(const msgpack_object *o, long *out)
{
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= (uint64_t)INT32_MAX)
        *out = (long)o->via.u64;
    else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && o->via.i64 >= INT32_MIN)
        *out = (long)o->via.i64;
    else
        return -1;
    return 0;
}

static int s_copy_str(const msgpack_object *o, char *out, size_t size)
{
    if (o->type != MSGPACK_OBJECT_STR || o->via.str.size >= size ||
        memchr(o->via.str.ptr, 0, o->via.str.size))
        return -1;
    memcpy(out, o->via.str.ptr, o->via.str.size);
    out[o->via.str.size] = '\0';
    return 0;
}

static int s_copy_str_cut(const msgpack_object *o, char *out, size_t size)
{
    if (o->type != MSGPACK_OBJECT_STR)
        return -1;
    size_t n = o->via.str.size < size ? o->via.str.size : size - 1;
    memcpy(out, o->via.str.ptr, n);
    out[n] = '\0';
    return 0;
}

static int s_parse_ops(const msgpack_object *o, worker_info_t *out)
{
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size == 0 ||
        o->via.array.size > BROKER_WORKER_OPS_MAX || out->ops)
        return -1;
    out->ops = broker_alloc(o->via.array.size * sizeof(char *));
    for (uint32_t i = 0; i < o->via.array.size; i++) {
        char op[ENVELOPE_OP_MAX];
        if (s_copy_str(&o->via.array.ptr[i], op, sizeof op) < 0 || !op[0])
            return -1;
        out->ops[out->ops_count] = broker_alloc(strlen(op) + 1);
        memcpy(out->ops[out->ops_count++], op, strlen(op) + 1);
    }
    return 0;
}

static int s_ready_field(const msgpack_object *k, const msgpack_object *v, worker_info_t *out)
{
    if (s_key_is(k, "pid"))
        return s_get_int(v, &out->pid);
    if (s_key_is(k, "host")) /* only shown in status and logs: a long one is cut, not refused */
        return s_copy_str_cut(v, out->host, sizeof out->host);
    if (s_key_is(k, "ops"))
        return s_parse_ops(v, out);
    if (s_key_is(k, "credit"))
        return s_get_int(v, &out->credit) < 0 || out->credit < 1 ? -1 : 0;
    return 0; /* newer workers may announce more */
}

int workers_parse_ready(const void *buf, size_t len, worker_info_t *out)
{
    memset(out, 0, sizeof *out);
    out->credit = 1;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    int rc = -1;
    if (buf && len > 0 && msgpack_unpack_next(&up, buf, len, &off) == MSGPACK_UNPACK_SUCCESS &&
        off == len && up.data.type == MSGPACK_OBJECT_MAP) {
        const msgpack_object_map *map = &up.data.via.map;
        rc = 0;
        for (uint32_t i = 0; rc == 0 && i < map->size; i++)
            rc = s_ready_field(&map->ptr[i].key, &map->ptr[i].val, out);
    }
    msgpack_unpacked_destroy(&up);
    if (rc == 0 && out->ops_count == 0)
        rc = -1;
    if (rc < 0)
        worker_info_clear(out);
    if (out->credit > BROKER_CREDIT_MAX)
        out->credit = BROKER_CREDIT_MAX;
    return rc;
}

void worker_info_clear(worker_info_t *info)
{
    for (size_t i = 0; i < info->ops_count; i++)
        free(info->ops[i]);
    free(info->ops);
    memset(info, 0, sizeof *info);
    info->credit = 1;
}

/* ---- registry ------------------------------------------------------------- */

worker_t *workers_add(workers_t *self, const void *identity, size_t size, worker_info_t *info)
{
    if (self->count >= BROKER_WORKERS_MAX || size == 0 || size > BROKER_IDENTITY_MAX)
        return NULL;
    if (self->count == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 16;
        worker_t **items = realloc(self->items, cap * sizeof *items);
        if (!items) {
            log_error("out of memory growing the worker registry");
            abort();
        }
        self->items = items;
        self->cap = cap;
    }
    worker_t *w = broker_alloc(sizeof *w);
    memcpy(w->identity, identity, size);
    w->identity_size = size;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < size; i++) {
        w->id_hex[2 * i] = hex[w->identity[i] >> 4];
        w->id_hex[2 * i + 1] = hex[w->identity[i] & 15];
    }
    w->info = *info;
    memset(info, 0, sizeof *info);
    w->slots = broker_alloc((size_t)w->info.credit * sizeof *w->slots);
    w->slot_used = broker_alloc((size_t)w->info.credit * sizeof *w->slot_used);
    for (long i = 0; i < w->info.credit; i++)
        broker_req_init(&w->slots[i]);
    w->last_used = ++self->seq;
    w->last_seen_us = w->registered_us = broker_mono_us();
    self->items[self->count++] = w;
    return w;
}

void workers_remove(workers_t *self, worker_t *w)
{
    for (size_t i = 0; i < self->count; i++) {
        if (self->items[i] == w) {
            self->items[i] = self->items[--self->count];
            return;
        }
    }
}

void worker_destroy(worker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    worker_t *w = *self_p;
    for (long i = 0; w->slots && i < w->info.credit; i++)
        broker_req_close(&w->slots[i]);
    free(w->slots);
    free(w->slot_used);
    worker_info_clear(&w->info);
    free(w);
    *self_p = NULL;
}

/* ---- routing -------------------------------------------------------------- */

bool worker_serves(const worker_t *w, const char *op)
{
    for (size_t i = 0; i < w->info.ops_count; i++) {
        const char *entry = w->info.ops[i];
        size_t n = strlen(entry);
        if (entry[n - 1] == '.' ? strncmp(op, entry, n) == 0 : strcmp(op, entry) == 0)
            return true;
    }
    return false;
}

bool workers_serve_any(workers_t *self, const char *op)
{
    for (size_t i = 0; i < self->count; i++)
        if (worker_serves(self->items[i], op))
            return true;
    return false;
}

worker_t *workers_pick(workers_t *self, const char *op)
{
    worker_t *best = NULL;
    for (size_t i = 0; i < self->count; i++) {
        worker_t *w = self->items[i];
        if (w->in_flight >= w->info.credit)
            continue;
        if (best && (w->in_flight > best->in_flight ||
                     (w->in_flight == best->in_flight && w->last_used > best->last_used)))
            continue;
        if (worker_serves(w, op))
            best = w;
    }
    return best;
}

broker_req_t *workers_assign(workers_t *self, worker_t *w, broker_req_t *req)
{
    for (long i = 0; i < w->info.credit; i++) {
        if (w->slot_used[i])
            continue;
        w->slot_used[i] = true;
        w->in_flight++;
        w->last_used = ++self->seq;
        broker_req_move(&w->slots[i], req);
        return &w->slots[i];
    }
    log_error("workers_assign on worker %s without credit left", w->id_hex);
    abort(); /* a caller bug: workers_pick only returns workers with a free slot */
}

int worker_slot_find(const worker_t *w, const uint8_t id[ENVELOPE_ID_SIZE])
{
    for (long i = 0; i < w->info.credit; i++)
        if (w->slot_used[i] && memcmp(w->slots[i].peek.id, id, ENVELOPE_ID_SIZE) == 0)
            return (int)i;
    return -1;
}

int worker_slot_find_client(const worker_t *w, const void *client, size_t size,
                            const uint8_t id[ENVELOPE_ID_SIZE])
{
    for (long i = 0; i < w->info.credit; i++) {
        if (!w->slot_used[i] || memcmp(w->slots[i].peek.id, id, ENVELOPE_ID_SIZE) != 0)
            continue;
        zmq_msg_t *held = (zmq_msg_t *)&w->slots[i].client; /* zmq_msg_* take non-const */
        if (zmq_msg_size(held) == size && memcmp(zmq_msg_data(held), client, size) == 0)
            return (int)i;
    }
    return -1;
}

void worker_slot_take(worker_t *w, int index, broker_req_t *out)
{
    broker_req_move(out, &w->slots[index]);
    w->slot_used[index] = false;
    w->in_flight--;
}

/* ---- heartbeats and liveness ---------------------------------------------- */

static int s_hb_field(const msgpack_object *k, const msgpack_object *v, worker_hb_stats_t *hb)
{
    int64_t *dst = s_key_is(k, "handled")        ? &hb->handled
                   : s_key_is(k, "errors")       ? &hb->errors
                   : s_key_is(k, "cache_bypass") ? &hb->cache_bypass
                                                 : NULL;
    if (dst) {
        if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER || v->via.u64 > (uint64_t)INT64_MAX)
            return -1;
        *dst = (int64_t)v->via.u64;
        return 0;
    }
    if (s_key_is(k, "db"))
        return s_copy_str(v, hb->db, sizeof hb->db);
    if (s_key_is(k, "redis"))
        return s_copy_str(v, hb->redis, sizeof hb->redis);
    return 0;
}

int worker_parse_heartbeat(worker_t *w, const void *buf, size_t len)
{
    worker_hb_stats_t hb = {.present = true};
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    int rc = -1;
    if (msgpack_unpack_next(&up, buf, len, &off) == MSGPACK_UNPACK_SUCCESS && off == len &&
        up.data.type == MSGPACK_OBJECT_MAP) {
        const msgpack_object_map *map = &up.data.via.map;
        rc = 0;
        for (uint32_t i = 0; rc == 0 && i < map->size; i++)
            rc = s_hb_field(&map->ptr[i].key, &map->ptr[i].val, &hb);
    }
    msgpack_unpacked_destroy(&up);
    if (rc == 0)
        w->hb = hb;
    return rc;
}

worker_t *workers_find_silent(workers_t *self, int64_t before_us)
{
    for (size_t i = 0; i < self->count; i++)
        if (self->items[i]->last_seen_us < before_us)
            return self->items[i];
    return NULL;
}
