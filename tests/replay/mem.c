#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *s_check(void *p)
{
    if (!p) {
        fputs("bedrock-replay: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *mem_alloc(size_t size)
{
    return s_check(malloc(size ? size : 1));
}

void *mem_calloc(size_t count, size_t size)
{
    return s_check(calloc(count ? count : 1, size ? size : 1));
}

void *mem_realloc(void *p, size_t size)
{
    return s_check(realloc(p, size ? size : 1));
}

char *mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}

char *mem_strndup(const char *s, size_t len)
{
    char *copy = mem_alloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}
