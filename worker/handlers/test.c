/* test.* — ops for the fault tests, served only with BEDROCK_TEST_OPS=true.
 *
 * test.sleep blocks the (single-threaded) worker on purpose: no heartbeats go out
 * meanwhile, which is what the broker's timeout and worker_lost tests rely on.
 */
#include "handlers.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define S_SLEEP_MAX_MS 600000

/* args.ms as an integer, or as a decimal string (path and query parameters arrive as
 * strings from the frontend). -1 when absent or malformed. */
static long s_ms_arg(const json_t *args)
{
    const json_t *v = json_is_object(args) ? json_object_get(args, "ms") : NULL;
    if (json_is_integer(v))
        return json_integer_value(v);
    if (!json_is_string(v) || !json_string_value(v)[0])
        return -1;
    char *end = NULL;
    errno = 0;
    long ms = strtol(json_string_value(v), &end, 10);
    return (errno || *end) ? -1 : ms;
}

static void s_sleep_ms(long ms)
{
    struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) < 0 && errno == EINTR)
        ;
}

int handle_test_sleep(handler_ctx_t *ctx)
{
    long ms = s_ms_arg(ctx->req->args);
    if (ms < 0 || ms > S_SLEEP_MAX_MS)
        return handler_invalid(ctx, "ms", "ms must be an integer in 0..600000");
    s_sleep_ms(ms);
    return handler_ok(ctx, 200,
                      json_pack("{s:i, s:I}", "pid", (int)getpid(), "slept_ms", (json_int_t)ms));
}

static json_t *s_or_null(json_t *v)
{
    return v ? json_incref(v) : json_null();
}

int handle_test_echo(handler_ctx_t *ctx)
{
    const envelope_request_t *req = ctx->req;
    json_t *auth = req->has_auth ? json_pack("{s:s, s:s, s:s}", "sub", req->auth_sub, "role",
                                             req->auth_role, "sid", req->auth_sid)
                                 : json_null();
    json_t *data =
        json_pack("{s:i, s:s, s:o, s:o, s:o}", "pid", (int)getpid(), "op", req->op, "args",
                  s_or_null(req->args), "body", s_or_null(req->body), "auth", auth);
    return data ? handler_ok(ctx, 200, data) : -1;
}
