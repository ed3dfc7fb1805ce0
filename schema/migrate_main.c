/* bedrock-migrate — applies and reverts the numbered SQL migrations of schema/migrations.
 *
 *   bedrock-migrate up | down [N] | status | redo
 *
 * Environment: DATABASE_URL (required), BEDROCK_MIGRATIONS_DIR (default
 * BEDROCK_SOURCE_DIR/schema/migrations), BEDROCK_LOG_LEVEL.
 * Exit status: 0 done, 1 the run failed (reason on stderr), 2 usage or configuration error.
 * Results (one line per migration, the status table) go to stdout; reasons for a failure
 * are plain lines on stderr; diagnostics are JSON log lines on stderr (log.h).
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "migrate.h"
#include "migrations_dir.h"

#define MIGRATE_USAGE_EXIT 2

static void s_usage(FILE *to)
{
    fprintf(to,
            "usage: bedrock-migrate up | down [N] | status | redo\n"
            "  up        apply every pending migration, in order\n"
            "  down [N]  revert the last N applied migrations, newest first (default 1)\n"
            "  status    list the migrations: applied (when, how long) and pending\n"
            "  redo      revert the last applied migration and apply it again\n"
            "environment: DATABASE_URL (required), BEDROCK_MIGRATIONS_DIR (default %s)\n",
            MIGRATE_DEFAULT_DIR);
}

/* Parses argv into *cmd and *n. Returns 0, 1 for --help, -1 on a usage error. */
static int s_parse_args(int argc, char **argv, migrate_command_t *cmd, int *n)
{
    *n = 1;
    if (argc < 2)
        return -1;
    const char *verb = argv[1];
    if (!strcmp(verb, "-h") || !strcmp(verb, "--help") || !strcmp(verb, "help"))
        return argc == 2 ? 1 : -1;
    if (!strcmp(verb, "down")) {
        *cmd = MIGRATE_DOWN;
        if (argc == 2)
            return 0;
        long value;
        if (argc != 3 || config_parse_int(argv[2], 1, MIGRATIONS_DIR_VERSION_MAX, &value) < 0)
            return -1;
        *n = (int)value;
        return 0;
    }
    if (argc != 2)
        return -1;
    if (!strcmp(verb, "up"))
        *cmd = MIGRATE_UP;
    else if (!strcmp(verb, "status"))
        *cmd = MIGRATE_STATUS;
    else if (!strcmp(verb, "redo"))
        *cmd = MIGRATE_REDO;
    else
        return -1;
    return 0;
}

/* DATABASE_URL passed config.h's shape check; libpq must also be able to parse it. */
static void s_check_url(const char *url)
{
    char *why = NULL;
    PQconninfoOption *options = PQconninfoParse(url, &why);
    if (!options) {
        char expected[512];
        snprintf(expected, sizeof expected,
                 "must be a valid postgresql://user:pass@host:port/db URL (%.400s)",
                 why ? strtok(why, "\n") : "out of memory");
        PQfreemem(why);
        config_fail("DATABASE_URL", expected);
    }
    PQconninfoFree(options);
}

static void s_check_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, R_OK | X_OK) < 0)
        config_fail("BEDROCK_MIGRATIONS_DIR", "must name a readable directory of NNN_name.up.sql "
                                              "files");
}

int main(int argc, char **argv)
{
    config_set_process("bedrock-migrate");
    log_init("bedrock-migrate");
    migrate_command_t cmd = MIGRATE_STATUS;
    int n = 1;
    int parsed = s_parse_args(argc, argv, &cmd, &n);
    if (parsed != 0) {
        s_usage(parsed > 0 ? stdout : stderr);
        return parsed > 0 ? 0 : MIGRATE_USAGE_EXIT;
    }

    migrate_options_t opt;
    migrate_options_default(&opt);
    opt.database_url = config_get_database_url("DATABASE_URL", true);
    s_check_url(opt.database_url);
    opt.migrations_dir = config_get_string("BEDROCK_MIGRATIONS_DIR", MIGRATE_DEFAULT_DIR);
    s_check_dir(opt.migrations_dir);
    log_info("settings: command=%s migrations_dir=%s connect_timeout_s=%d (when DATABASE_URL "
             "sets none) lock_key=%lld",
             argv[1], opt.migrations_dir, opt.connect_timeout_s, (long long)opt.lock_key);

    return migrate_run(&opt, cmd, n) == 0 ? 0 : 1;
}
