/* mpjson — msgpack <-> jansson values.
 *
 * Handlers, the frontend and bedrockctl work with jansson values; on the wire the
 * same values travel as msgpack. Maps must have string keys; bin and ext values
 * are refused when decoding (they have no JSON form).
 */
#ifndef BEDROCK_MPJSON_H
#define BEDROCK_MPJSON_H

#include <jansson.h>
#include <msgpack.h>

#define MPJSON_MAX_DEPTH 64

/* Packs value (NULL packs nil). Returns 0, or -1 when the packer fails. */
int mpjson_pack(msgpack_packer *pk, const json_t *value) __attribute__((warn_unused_result));

/* Converts obj to a new jansson value; the caller owns the result (json_decref).
 * Returns NULL for an unsupported type, a non-string map key, invalid UTF-8 or
 * nesting deeper than MPJSON_MAX_DEPTH. A msgpack nil becomes json_null(). */
json_t *mpjson_from_object(const msgpack_object *obj);

#endif
