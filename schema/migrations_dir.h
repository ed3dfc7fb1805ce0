/* migrations_dir — the numbered migration files of one directory, listed and checked.
 *
 * A migration is NNN_name.up.sql with an optional NNN_name.down.sql beside it:
 * NNN is a decimal version (leading zeros allowed, 1..MIGRATIONS_DIR_VERSION_MAX) and
 * name is made of letters, digits and '_'. Loading refuses the directory (and says why
 * in one line) when:
 *   - a *.sql file does not follow that pattern (a typo would otherwise be skipped),
 *   - two files claim the same version and direction (duplicate),
 *   - a .down.sql has no .up.sql of the same version and name,
 *   - the versions are not exactly 1, 2, ..., N (a gap),
 *   - a file cannot be read or is not a regular file.
 * Files not ending in ".sql" (README, editor backups) and hidden files are ignored.
 *
 * Every .up.sql is read at load time and its SHA-256 kept, because each command needs
 * to compare them with what the database recorded. .down.sql files are read on demand.
 */
#ifndef BEDROCK_MIGRATIONS_DIR_H
#define BEDROCK_MIGRATIONS_DIR_H

#include <stddef.h>

#include "checksum.h"

/* Highest version accepted; keeps versions in an int and file names readable. */
#define MIGRATIONS_DIR_VERSION_MAX 999999
/* Longest name part accepted (the "users" of 001_users.up.sql). */
#define MIGRATIONS_DIR_NAME_MAX 128
/* Largest migration file read, so a stray huge file is refused instead of loaded. */
#define MIGRATIONS_DIR_FILE_MAX (64L * 1024 * 1024)

/* One migration. Every pointer is owned by the migrations_dir_t it came from. */
typedef struct {
    int version;
    const char *name;      /* "users" */
    const char *up_file;   /* "001_users.up.sql" (base name, for messages) */
    const char *up_path;   /* dir + "/" + up_file */
    const char *down_file; /* "001_users.down.sql", or NULL when there is none */
    const char *down_path; /* or NULL */
    const char *up_sql;    /* the .up.sql bytes, NUL-terminated (the NUL is not counted) */
    size_t up_len;
    char checksum[CHECKSUM_HEX_LEN + 1]; /* SHA-256 hex of the up_len bytes of up_sql */
} migration_t;

typedef struct migrations_dir migrations_dir_t;

/* Lists and checks dir. On success returns 0 and a new set in *out (free it with
 * migrations_dir_destroy). On failure returns -1, *out is NULL and err holds one line
 * (no trailing newline) saying which file is wrong and why.
 */
int migrations_dir_load(const char *dir, migrations_dir_t **out, char *err, size_t err_size)
    __attribute__((warn_unused_result));

/* Frees the set and sets *self_p to NULL; safe to call with NULL or twice. */
void migrations_dir_destroy(migrations_dir_t **self_p);

/* The directory the set was loaded from (borrowed). */
const char *migrations_dir_path(const migrations_dir_t *self);

size_t migrations_dir_count(const migrations_dir_t *self);

/* The index-th migration in version order (index < count), borrowed from the set. */
const migration_t *migrations_dir_at(const migrations_dir_t *self, size_t index);

/* The migration with this version, or NULL. Borrowed from the set. */
const migration_t *migrations_dir_find(const migrations_dir_t *self, int version);

/* Reads a whole file into a new NUL-terminated buffer (*data_out, the caller frees) and
 * its length (without the NUL) into *len_out. Returns 0, or -1 with one line in err.
 */
int migrations_dir_read_file(const char *path, char **data_out, size_t *len_out, char *err,
                             size_t err_size) __attribute__((warn_unused_result));

#endif
