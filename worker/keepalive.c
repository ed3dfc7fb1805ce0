/* keepalive — see keepalive.h. Owner: catalog engineer (C1). */
#include "keepalive.h"

#include <stddef.h>

static keepalive_fn s_fn = NULL;
static void *s_arg = NULL;

void keepalive_set(keepalive_fn fn, void *arg)
{
    s_fn = fn;
    s_arg = arg;
}

void keepalive_tick(void)
{
    if (s_fn)
        s_fn(s_arg);
}
