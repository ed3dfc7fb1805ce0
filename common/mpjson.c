#include "mpjson.h"

#include <string.h>

static int s_pack(msgpack_packer *pk, const json_t *v, int depth)
{
    if (depth > MPJSON_MAX_DEPTH)
        return -1;
    if (!v)
        return msgpack_pack_nil(pk);
    switch (json_typeof(v)) {
    case JSON_NULL:
        return msgpack_pack_nil(pk);
    case JSON_TRUE:
        return msgpack_pack_true(pk);
    case JSON_FALSE:
        return msgpack_pack_false(pk);
    case JSON_INTEGER:
        return msgpack_pack_int64(pk, json_integer_value(v));
    case JSON_REAL:
        return msgpack_pack_double(pk, json_real_value(v));
    case JSON_STRING:
        return msgpack_pack_str_with_body(pk, json_string_value(v), json_string_length(v));
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        if (msgpack_pack_array(pk, n) < 0)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (s_pack(pk, json_array_get(v, i), depth + 1) < 0)
                return -1;
        return 0;
    }
    case JSON_OBJECT: {
        if (msgpack_pack_map(pk, json_object_size(v)) < 0)
            return -1;
        const char *key;
        json_t *item;
        json_object_foreach((json_t *)v, key, item) {
            if (msgpack_pack_str_with_body(pk, key, strlen(key)) < 0)
                return -1;
            if (s_pack(pk, item, depth + 1) < 0)
                return -1;
        }
        return 0;
    }
    }
    return -1;
}

int mpjson_pack(msgpack_packer *pk, const json_t *value)
{
    return s_pack(pk, value, 0);
}

static json_t *s_from(const msgpack_object *o, int depth);

static json_t *s_from_map(const msgpack_object_map *map, int depth)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    for (uint32_t i = 0; i < map->size; i++) {
        const msgpack_object *k = &map->ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR || memchr(k->via.str.ptr, 0, k->via.str.size))
            goto fail;
        char key[256];
        if (k->via.str.size >= sizeof key)
            goto fail;
        memcpy(key, k->via.str.ptr, k->via.str.size);
        key[k->via.str.size] = '\0';
        json_t *val = s_from(&map->ptr[i].val, depth + 1);
        if (!val || json_object_set_new(obj, key, val) < 0)
            goto fail;
    }
    return obj;
fail:
    json_decref(obj);
    return NULL;
}

static json_t *s_from(const msgpack_object *o, int depth)
{
    if (depth > MPJSON_MAX_DEPTH)
        return NULL;
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return json_null();
    case MSGPACK_OBJECT_BOOLEAN:
        return json_boolean(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > (uint64_t)INT64_MAX)
            return NULL;
        return json_integer((json_int_t)o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return json_integer((json_int_t)o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return json_real(o->via.f64);
    case MSGPACK_OBJECT_STR:
        return json_stringn(o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_ARRAY: {
        json_t *arr = json_array();
        for (uint32_t i = 0; arr && i < o->via.array.size; i++) {
            json_t *item = s_from(&o->via.array.ptr[i], depth + 1);
            if (!item || json_array_append_new(arr, item) < 0) {
                json_decref(arr);
                return NULL;
            }
        }
        return arr;
    }
    case MSGPACK_OBJECT_MAP:
        return s_from_map(&o->via.map, depth);
    default:
        return NULL;
    }
}

json_t *mpjson_from_object(const msgpack_object *obj)
{
    return s_from(obj, 0);
}
