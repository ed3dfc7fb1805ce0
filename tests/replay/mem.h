/* mem — allocation that never returns NULL.
 *
 * bedrock-replay is a test server: when memory runs out there is nothing
 * useful left to do, so these print one line and abort instead of making
 * every caller carry an error path. The caller frees what they return.
 */
#ifndef BEDROCK_REPLAY_MEM_H
#define BEDROCK_REPLAY_MEM_H

#include <stddef.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *p, size_t size);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t len);

#endif
