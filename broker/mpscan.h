/* mpscan — reads a few top-level fields of a msgpack map without building objects
 * (owned by the broker area).
 *
 * The broker forwards every reply and must know its request id and status, but never
 * needs the payload: a forward-only scan that skips values by their headers costs a
 * few nanoseconds per byte of header and allocates nothing, where unpacking would
 * build the whole document. Input is untrusted: every length is checked against the
 * buffer end and a truncated or malformed buffer is refused.
 */
#ifndef BEDROCK_BROKER_MPSCAN_H
#define BEDROCK_BROKER_MPSCAN_H

#include "envelope.h"

#include <stddef.h>
#include <stdint.h>

/* A reply envelope: one map spanning the whole buffer with `id` (bin 16) and an integer
 * `status` in 100..599. Returns 0 with id and *status set, or -1. */
int mpscan_reply(const void *buf, size_t len, uint8_t id[ENVELOPE_ID_SIZE], int *status)
    __attribute__((warn_unused_result));

/* The `id` (bin 16) of a map that is otherwise not a valid request, so that the broker
 * can still answer 400 bad_request. Returns 0 with id set, or -1. */
int mpscan_id(const void *buf, size_t len, uint8_t id[ENVELOPE_ID_SIZE])
    __attribute__((warn_unused_result));

#endif
