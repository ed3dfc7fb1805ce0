/* mpscan.c — allocation-free msgpack scanning for reply ids and statuses
 * (owned by the broker area; contract in mpscan.h). */
#include "mpscan.h"

#include <string.h>

typedef enum { MP_SCALAR, MP_INT, MP_UINT, MP_STR, MP_BIN, MP_ARRAY, MP_MAP } mp_kind_t;

typedef struct {
    const uint8_t *p, *end;
} mp_reader_t;

typedef struct {
    mp_kind_t kind;
    uint64_t u;         /* MP_UINT value; MP_ARRAY/MP_MAP element count */
    int64_t i;          /* MP_INT value */
    const uint8_t *ptr; /* MP_STR/MP_BIN bytes */
    uint32_t len;
} mp_item_t;

static int s_take(mp_reader_t *r, size_t n, const uint8_t **out)
{
    if ((size_t)(r->end - r->p) < n)
        return -1;
    *out = r->p;
    r->p += n;
    return 0;
}

/* Reads an n-byte big-endian unsigned integer. */
static int s_be(mp_reader_t *r, size_t n, uint64_t *out)
{
    const uint8_t *b;
    if (s_take(r, n, &b) < 0)
        return -1;
    *out = 0;
    for (size_t k = 0; k < n; k++)
        *out = (*out << 8) | b[k];
    return 0;
}

/* Payload of n bytes whose length is stored in lenbytes bytes; sets ptr/len. */
static int s_sized(mp_reader_t *r, size_t lenbytes, mp_item_t *it)
{
    uint64_t n;
    if (s_be(r, lenbytes, &n) < 0 || s_take(r, (size_t)n, &it->ptr) < 0)
        return -1;
    it->len = (uint32_t)n;
    return 0;
}

static int s_signed(mp_reader_t *r, size_t n, mp_item_t *it)
{
    uint64_t u;
    if (s_be(r, n, &u) < 0)
        return -1;
    unsigned shift = (unsigned)(64 - 8 * n);
    it->kind = MP_INT;
    it->i = shift ? (int64_t)(u << shift) >> shift : (int64_t)u;
    return 0;
}

/* Reads one item header; strings, bins, exts and scalars are consumed whole, arrays
 * and maps only by their header (it->u children follow). */
static int s_next(mp_reader_t *r, mp_item_t *it)
{
    const uint8_t *b;
    uint64_t n;
    if (s_take(r, 1, &b) < 0)
        return -1;
    uint8_t t = *b;
    memset(it, 0, sizeof *it);
    if (t <= 0x7f)
        return it->kind = MP_UINT, it->u = t, 0;
    if (t >= 0xe0)
        return it->kind = MP_INT, it->i = (int8_t)t, 0;
    if (t <= 0x8f)
        return it->kind = MP_MAP, it->u = t & 0x0f, 0;
    if (t <= 0x9f)
        return it->kind = MP_ARRAY, it->u = t & 0x0f, 0;
    if (t <= 0xbf)
        return it->kind = MP_STR, it->len = t & 0x1f, s_take(r, it->len, &it->ptr);
    switch (t) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
        return it->kind = MP_SCALAR, 0;
    case 0xc4:
    case 0xc5:
    case 0xc6:
        return it->kind = MP_BIN, s_sized(r, (size_t)1 << (t - 0xc4), it);
    case 0xc7:
    case 0xc8:
    case 0xc9: /* ext: length, then a type byte, then data */
        if (s_be(r, (size_t)1 << (t - 0xc7), &n) < 0)
            return -1;
        return it->kind = MP_SCALAR, s_take(r, (size_t)n + 1, &b);
    case 0xca:
        return it->kind = MP_SCALAR, s_take(r, 4, &b);
    case 0xcb:
        return it->kind = MP_SCALAR, s_take(r, 8, &b);
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
        return it->kind = MP_UINT, s_be(r, (size_t)1 << (t - 0xcc), &it->u);
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
        return s_signed(r, (size_t)1 << (t - 0xd0), it);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8: /* fixext: type + 2^k bytes */
        return it->kind = MP_SCALAR, s_take(r, ((size_t)1 << (t - 0xd4)) + 1, &b);
    case 0xd9:
    case 0xda:
    case 0xdb:
        return it->kind = MP_STR, s_sized(r, (size_t)1 << (t - 0xd9), it);
    case 0xdc:
    case 0xdd:
        return it->kind = MP_ARRAY, s_be(r, (size_t)2 << (t - 0xdc), &it->u);
    case 0xde:
    case 0xdf:
        return it->kind = MP_MAP, s_be(r, (size_t)2 << (t - 0xde), &it->u);
    default: /* 0xc1 is never used */
        return -1;
    }
}

/* Skips one complete value. Iterative: nesting depth costs nothing, and since every
 * item consumes at least one byte a lying element count runs into the buffer end. */
static int s_skip_pending(mp_reader_t *r, uint64_t pending)
{
    while (pending > 0) {
        mp_item_t it;
        if (s_next(r, &it) < 0)
            return -1;
        pending--;
        if (it.kind == MP_ARRAY)
            pending += it.u;
        else if (it.kind == MP_MAP)
            pending += 2 * it.u;
    }
    return 0;
}

static int s_skip(mp_reader_t *r)
{
    return s_skip_pending(r, 1);
}

/* Children of an item whose header was already read (nothing for a scalar). */
static int s_skip_children(mp_reader_t *r, const mp_item_t *it)
{
    if (it->kind == MP_ARRAY)
        return s_skip_pending(r, it->u);
    if (it->kind == MP_MAP)
        return s_skip_pending(r, 2 * it->u);
    return 0;
}

static bool s_is_key(const mp_item_t *it, const char *name)
{
    size_t n = strlen(name);
    return it->kind == MP_STR && it->len == n && memcmp(it->ptr, name, n) == 0;
}

/* Walks the root map; reads `id` and (when status is not NULL) `status`. Returns a bit
 * set of what was found (1 = id, 2 = status), or -1 on malformed input. */
static int s_scan(const void *buf, size_t len, uint8_t id[ENVELOPE_ID_SIZE], int *status)
{
    mp_reader_t r = {buf, (const uint8_t *)buf + len};
    mp_item_t root, key, val;
    int have = 0;
    if (!buf || s_next(&r, &root) < 0 || root.kind != MP_MAP)
        return -1;
    for (uint64_t i = 0; i < root.u; i++) {
        if (s_next(&r, &key) < 0)
            return -1;
        if (s_is_key(&key, "id")) {
            if (s_next(&r, &val) < 0 || val.kind != MP_BIN || val.len != ENVELOPE_ID_SIZE)
                return -1;
            memcpy(id, val.ptr, ENVELOPE_ID_SIZE);
            have |= 1;
        } else if (status && s_is_key(&key, "status")) {
            if (s_next(&r, &val) < 0 || val.kind != MP_UINT || val.u < 100 || val.u > 599)
                return -1;
            *status = (int)val.u;
            have |= 2;
        } else if (s_skip_children(&r, &key) < 0 || s_skip(&r) < 0) {
            return -1;
        }
    }
    return r.p == r.end ? have : -1;
}

int mpscan_reply(const void *buf, size_t len, uint8_t id[ENVELOPE_ID_SIZE], int *status)
{
    return s_scan(buf, len, id, status) == 3 ? 0 : -1;
}

int mpscan_id(const void *buf, size_t len, uint8_t id[ENVELOPE_ID_SIZE])
{
    int have = s_scan(buf, len, id, NULL);
    return have >= 0 && (have & 1) ? 0 : -1;
}
