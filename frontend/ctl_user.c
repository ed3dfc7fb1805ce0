/* ctl_user — see ctl_user.h. */
#include "ctl_user.h"

#include "config.h"

#include <stdio.h>
#include <string.h>

static int s_usage(const char *message)
{
    fprintf(stderr, "bedrockctl: %s\n", message);
    fprintf(stderr, "usage:\n  bedrockctl user promote EMAIL [--role admin|user]\n"
                    "  bedrockctl purge [--older-than-days N]\n");
    return CTL_EXIT_USAGE;
}

/* Sends op with body and prints the reply; the exit code. body is released. */
static int s_call(ctl_t *ctl, const char *op, json_t *body, long timeout_ms)
{
    if (!body)
        return s_usage("out of memory");
    ctl_call_t call = {.op = op, .body = body, .timeout_ms = timeout_ms};
    envelope_reply_t reply;
    (void)ctl_call(ctl, &call, &reply);
    int rc = ctl_print_reply(&reply, stdout);
    envelope_reply_clear(&reply);
    json_decref(body);
    return rc;
}

int ctl_user_promote(ctl_t *ctl, int argc, char **argv)
{
    const char *email = NULL, *role = "admin";
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else if (argv[i][0] != '-' && !email)
            email = argv[i];
        else
            return s_usage("user promote takes EMAIL and an optional --role admin|user");
    }
    if (!email)
        return s_usage("user promote needs the account's EMAIL");
    if (strcmp(role, "admin") != 0 && strcmp(role, "user") != 0)
        return s_usage("--role must be admin or user");
    return s_call(ctl, "users.promote", json_pack("{s:s, s:s}", "email", email, "role", role), 0);
}

/* Adds the counters of one users.purge reply to total. */
static void s_add_counts(json_t *total, const json_t *data)
{
    const char *keys[] = {"purged", "inactivated"};
    for (int i = 0; i < 2; i++) {
        json_int_t sum = json_integer_value(json_object_get(total, keys[i])) +
                         json_integer_value(json_object_get(data, keys[i]));
        if (json_object_set_new(total, keys[i], json_integer(sum)) < 0)
            fprintf(stderr, "bedrockctl: out of memory\n");
    }
}

/* users.purge until it says there is no more to do (each call is bounded by the
 * worker's BEDROCK_PURGE_BUDGET_MS); prints one reply with the summed counters. */
static int s_purge_all(ctl_t *ctl, json_t *body)
{
    ctl_call_t call = {.op = "users.purge", .body = body, .timeout_ms = CTL_USER_PURGE_TIMEOUT_MS};
    envelope_reply_t reply;
    json_t *total = json_object();
    int rc = CTL_EXIT_FAILED;
    for (int i = 0; total && i < CTL_USER_PURGE_CALLS_MAX; i++) {
        if (i > 0)
            envelope_reply_clear(&reply);
        (void)ctl_call(ctl, &call, &reply); /* on failure, reply holds the error */
        if (reply.status >= 400 || !json_is_object(reply.data))
            break;
        s_add_counts(total, reply.data);
        if (!json_is_true(json_object_get(reply.data, "more"))) {
            json_object_update_missing(total, reply.data);
            json_decref(reply.data);
            reply.data = total;
            total = NULL;
            break;
        }
    }
    rc = ctl_print_reply(&reply, stdout);
    envelope_reply_clear(&reply);
    json_decref(total);
    return rc;
}

int ctl_user_purge(ctl_t *ctl, int argc, char **argv)
{
    json_t *body = json_object();
    if (!body)
        return s_usage("out of memory");
    for (int i = 0; i < argc; i++) {
        long days;
        if (strcmp(argv[i], "--older-than-days") != 0 || i + 1 >= argc ||
            config_parse_int(argv[i + 1], 0, CTL_USER_DAYS_MAX, &days) < 0) {
            json_decref(body);
            return s_usage("purge takes only --older-than-days N (N in 0..36500)");
        }
        i++;
        if (json_object_set_new(body, "older_than_days", json_integer(days)) < 0) {
            json_decref(body);
            return s_usage("out of memory");
        }
    }
    int rc = s_purge_all(ctl, body);
    json_decref(body);
    return rc;
}
