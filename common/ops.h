/* ops — facts about operations that more than one process needs. */
#ifndef BEDROCK_OPS_H
#define BEDROCK_OPS_H

#include <stdbool.h>

/* True when op only reads the database, so a worker may run it on the read replica. */
bool ops_is_read_only(const char *op);

/* True when running op twice has no effect beyond running it once, so the broker may
 * retry it on another worker when the first one died mid-request: every read-only op,
 * and the provider pool's ops ("provider." + a catalog read), which write only what
 * they fetched (an idempotent upsert) and must therefore run on the primary. */
bool ops_is_retryable(const char *op);

#endif
