/* ops — facts about operations that more than one process needs. */
#ifndef BEDROCK_OPS_H
#define BEDROCK_OPS_H

#include <stdbool.h>

/* True when running op twice has no effect beyond running it once, so the broker may
 * retry it on another worker when the first one died mid-request. */
bool ops_is_read_only(const char *op);

#endif
