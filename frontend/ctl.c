/* bedrockctl — the operators' and internal services' way into the broker.
 *
 *   bedrockctl call OP [--args JSON] [--body JSON]
 *                      [--auth-sub UUID --auth-role ROLE --auth-sid UUID]
 *                      [--noreply] [--timeout-ms MS]
 *   bedrockctl status
 *   bedrockctl ingest DIR [--batch N]   (ctl_ingest.h)
 *   bedrockctl user promote EMAIL [--role admin|user]   (ctl_user.h)
 *   bedrockctl purge [--older-than-days N]              (ctl_user.h)
 *
 * Prints the reply as {"status":..,"data":..,"error":..}; exit 0 when status < 400,
 * 1 otherwise (or no reply), 2 for usage or configuration errors. --noreply prints
 * nothing and exits 0 once the request is handed to the broker.
 *
 * Adding a command = one line in s_commands (its words, usage and function); the
 * function gets the arguments after the command words.
 */
#include "config.h"
#include "ctl_client.h"
#include "ctl_ingest.h"
#include "ctl_user.h"
#include "log.h"
#include "proto.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef int (*s_run_fn)(ctl_t *ctl, int argc, char **argv);

typedef struct {
    const char *name; /* one or more words: "status", "user promote" */
    const char *args; /* usage after the name */
    s_run_fn run;
} s_command_t;

static int s_cmd_call(ctl_t *ctl, int argc, char **argv);
static int s_cmd_status(ctl_t *ctl, int argc, char **argv);

static const s_command_t s_commands[] = {
    {"call",
     "OP [--args JSON] [--body JSON] [--auth-sub UUID --auth-role ROLE --auth-sid UUID] "
     "[--noreply] [--timeout-ms MS]",
     s_cmd_call},
    {"status", "", s_cmd_status},
    {"ingest", "DIR [--batch N]", ctl_ingest_run},
    {"user promote", "EMAIL [--role admin|user]", ctl_user_promote},
    {"purge", "[--older-than-days N]", ctl_user_purge},
};

static const size_t s_command_count = sizeof s_commands / sizeof s_commands[0];

static void s_usage(FILE *out)
{
    fprintf(out, "usage:\n");
    for (size_t i = 0; i < s_command_count; i++)
        fprintf(out, "  bedrockctl %s %s\n", s_commands[i].name, s_commands[i].args);
    fprintf(out,
            "environment: BEDROCK_BROKER_CLIENTS (default %s), BEDROCK_REQUEST_TIMEOUT_MS "
            "(default %d)\n",
            PROTO_DEFAULT_CLIENT_ENDPOINT, CTL_DEFAULT_TIMEOUT_MS);
}

static int s_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int s_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bedrockctl: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    s_usage(stderr);
    return CTL_EXIT_USAGE;
}

/* Number of argv words the command's name takes, or 0 when argv does not start with it. */
static int s_name_matches(const char *name, int argc, char **argv)
{
    int used = 0;
    const char *p = name;
    while (*p) {
        size_t len = strcspn(p, " ");
        if (used >= argc || strlen(argv[used]) != len || strncmp(argv[used], p, len) != 0)
            return 0;
        used++;
        p += len;
        p += strspn(p, " ");
    }
    return used;
}

static json_t *s_parse_json(const char *text, bool must_be_object)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
    if (v && must_be_object && !json_is_object(v)) {
        json_decref(v);
        return NULL;
    }
    return v;
}

typedef struct {
    ctl_call_t call;
    json_t *args;
    json_t *body;
} s_call_opts_t;

/* Parses the options of `call`; returns 0 or CTL_EXIT_USAGE (message printed). */
static int s_parse_call(int argc, char **argv, s_call_opts_t *o)
{
    if (argc < 1 || argv[0][0] == '-')
        return s_usage_error("call: %s", "OP is required");
    o->call.op = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--noreply") == 0) {
            o->call.noreply = true;
            continue;
        }
        if (i + 1 >= argc)
            return s_usage_error("%s needs a value", opt);
        const char *value = argv[++i];
        long ms;
        if (strcmp(opt, "--args") == 0) {
            json_decref(o->args);
            if (!(o->args = s_parse_json(value, true)))
                return s_usage_error("--args must be a JSON object: %s", value);
        } else if (strcmp(opt, "--body") == 0) {
            json_decref(o->body);
            if (!(o->body = s_parse_json(value, false)))
                return s_usage_error("--body must be JSON: %s", value);
        } else if (strcmp(opt, "--auth-sub") == 0) {
            o->call.auth_sub = value;
        } else if (strcmp(opt, "--auth-role") == 0) {
            o->call.auth_role = value;
        } else if (strcmp(opt, "--auth-sid") == 0) {
            o->call.auth_sid = value;
        } else if (strcmp(opt, "--timeout-ms") == 0) {
            if (config_parse_int(value, 10, 3600000, &ms) < 0)
                return s_usage_error("--timeout-ms must be an integer in 10..3600000: %s", value);
            o->call.timeout_ms = ms;
        } else {
            return s_usage_error("unknown option %s", opt);
        }
    }
    bool any = o->call.auth_sub || o->call.auth_role || o->call.auth_sid;
    bool all = o->call.auth_sub && o->call.auth_role && o->call.auth_sid;
    if (any && !all)
        return s_usage_error("%s", "--auth-sub, --auth-role and --auth-sid go together");
    if (strlen(o->call.op) >= ENVELOPE_OP_MAX)
        return s_usage_error("OP is too long: %s", o->call.op);
    o->call.args = o->args;
    o->call.body = o->body;
    return 0;
}

/* Runs one call and prints its reply; the exit code. */
static int s_call_and_print(ctl_t *ctl, const ctl_call_t *call)
{
    envelope_reply_t reply;
    int rc = ctl_call(ctl, call, &reply);
    int exit_code = (rc == 0 && call->noreply) ? CTL_EXIT_OK : ctl_print_reply(&reply, stdout);
    envelope_reply_clear(&reply);
    return exit_code;
}

static int s_cmd_call(ctl_t *ctl, int argc, char **argv)
{
    s_call_opts_t o;
    memset(&o, 0, sizeof o);
    int rc = s_parse_call(argc, argv, &o);
    if (rc == 0)
        rc = s_call_and_print(ctl, &o.call);
    json_decref(o.args);
    json_decref(o.body);
    return rc;
}

static int s_cmd_status(ctl_t *ctl, int argc, char **argv)
{
    (void)argv;
    if (argc != 0)
        return s_usage_error("status takes no arguments");
    ctl_call_t call = {.op = PROTO_OP_BROKER_STATUS};
    return s_call_and_print(ctl, &call);
}

int main(int argc, char **argv)
{
    log_init("bedrockctl");
    config_set_process("bedrockctl");
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        s_usage(stdout);
        return CTL_EXIT_OK;
    }
    for (size_t i = 0; i < s_command_count; i++) {
        int words = s_name_matches(s_commands[i].name, argc - 1, argv + 1);
        if (words == 0)
            continue;
        ctl_t ctl;
        if (ctl_init(&ctl) < 0)
            return CTL_EXIT_FAILED;
        int rc = s_commands[i].run(&ctl, argc - 1 - words, argv + 1 + words);
        ctl_shutdown(&ctl);
        return rc;
    }
    return s_usage_error("unknown command %s", argc >= 2 ? argv[1] : "(none)");
}
