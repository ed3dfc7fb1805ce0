/* migrate — the bedrock-migrate runner: up, down N, status, redo.
 *
 * What a run does, whatever the command:
 *   1. loads and checks the migration directory (migrations_dir.h: no gaps, no
 *      duplicates, well-named files);
 *   2. connects (migrate_db_connect) and, for commands that change the database, takes
 *      the advisory lock MIGRATE_LOCK_KEY, so that two runners never interleave: the
 *      second waits, then sees what the first applied and has nothing left to do;
 *   3. compares schema_migrations with the files, and refuses to change anything when an
 *      applied .up.sql changed (checksum), an applied version has no file any more, or a
 *      pending version is older than an applied one;
 *   4. runs each step in its own transaction with its schema_migrations row
 *      (migrate_db_run): a failed step leaves nothing of itself behind and stops the run;
 *      the steps before it stay applied.
 *
 * Output: results go to opt->out (one line per applied or reverted migration with its
 * time; the status table); reasons for a failure go to opt->err as lines starting with
 * "bedrock-migrate: ". Diagnostics (settings, lock waits, server notices) go to log.h.
 */
#ifndef BEDROCK_MIGRATE_H
#define BEDROCK_MIGRATE_H

#include <stdint.h>
#include <stdio.h>

/* The advisory lock every bedrock-migrate takes: "bdrkmigr" in ASCII. Fixed, so that
 * runners of any version exclude each other. */
#define MIGRATE_LOCK_KEY ((int64_t)0x6264726b6d696772LL)
/* connect_timeout used when DATABASE_URL sets none, in seconds. */
#define MIGRATE_CONNECT_TIMEOUT_S 5
/* Directory used when BEDROCK_MIGRATIONS_DIR is unset. */
#define MIGRATE_DEFAULT_DIR BEDROCK_SOURCE_DIR "/schema/migrations"

typedef enum {
    MIGRATE_UP,     /* apply every pending migration */
    MIGRATE_DOWN,   /* revert the last n applied migrations */
    MIGRATE_STATUS, /* print applied and pending migrations; changes nothing */
    MIGRATE_REDO    /* revert the last applied migration and apply it again */
} migrate_command_t;

/* Everything a run needs. Strings and streams are borrowed for the duration of the call. */
typedef struct {
    const char *database_url;
    const char *migrations_dir;
    int connect_timeout_s; /* used when the URL sets no connect_timeout */
    int64_t lock_key;
    FILE *out; /* results */
    FILE *err; /* why a run failed */
} migrate_options_t;

/* Fills opt with the defaults above (out = stdout, err = stderr); the caller still sets
 * database_url and migrations_dir. */
void migrate_options_default(migrate_options_t *opt);

/* Runs cmd; n is the count for MIGRATE_DOWN (>= 1) and ignored otherwise. Returns 0 on
 * success and -1 on any failure, whose reason was written to opt->err. */
int migrate_run(const migrate_options_t *opt, migrate_command_t cmd, int n)
    __attribute__((warn_unused_result));

#endif
