#include "migrations_dir.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A file name as found in the directory, before up/down pairing. */
typedef struct {
    int version;
    int is_down;
    char *file; /* owned */
} s_entry_t;

/* migration_t plus the storage its const pointers point into. */
typedef struct {
    migration_t pub;
    char *name, *up_file, *up_path, *down_file, *down_path, *up_sql;
} s_item_t;

struct migrations_dir {
    char *dir;
    s_item_t *items;
    size_t count;
};

static char *s_strdup(const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        abort(); /* out of memory never propagates (STYLE.md) */
    return copy;
}

static char *s_join(const char *dir, const char *file)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, file) < 0)
        abort();
    return path;
}

static int s_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Parses "NNN_name.up.sql" / "NNN_name.down.sql". Returns 0 on a match. name_out gets the
 * name part (MIGRATIONS_DIR_NAME_MAX + 1 bytes). */
static int s_parse_file_name(const char *file, int *version, char *name_out, int *is_down)
{
    const char *p = file;
    long v = 0;
    if (!isdigit((unsigned char)*p))
        return -1;
    for (; isdigit((unsigned char)*p); p++) {
        v = v * 10 + (*p - '0');
        if (v > MIGRATIONS_DIR_VERSION_MAX)
            return -1;
    }
    if (v < 1 || *p != '_')
        return -1;
    const char *name = ++p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    size_t name_len = (size_t)(p - name);
    if (name_len == 0 || name_len > MIGRATIONS_DIR_NAME_MAX)
        return -1;
    if (strcmp(p, ".up.sql") == 0)
        *is_down = 0;
    else if (strcmp(p, ".down.sql") == 0)
        *is_down = 1;
    else
        return -1;
    memcpy(name_out, name, name_len);
    name_out[name_len] = '\0';
    *version = (int)v;
    return 0;
}

static int s_entry_cmp(const void *a, const void *b)
{
    const s_entry_t *x = a, *y = b;
    if (x->version != y->version)
        return x->version < y->version ? -1 : 1;
    if (x->is_down != y->is_down)
        return x->is_down - y->is_down;
    return strcmp(x->file, y->file);
}

static void s_entries_free(s_entry_t *entries, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(entries[i].file);
    free(entries);
}

/* Collects the *.sql files of dir into a sorted array (*out, *count_out). */
static int s_list(const char *dir, s_entry_t **out, size_t *count_out, char *err, size_t err_size)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_size, "cannot open migrations directory %s: %s", dir, strerror(errno));
        return -1;
    }
    s_entry_t *entries = NULL;
    size_t count = 0, cap = 0;
    char name[MIGRATIONS_DIR_NAME_MAX + 1];
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !s_ends_with(de->d_name, ".sql"))
            continue;
        s_entry_t e = {0};
        if (s_parse_file_name(de->d_name, &e.version, name, &e.is_down) < 0) {
            snprintf(err, err_size,
                     "%s/%s: not a migration file name (expected NNN_name.up.sql or "
                     "NNN_name.down.sql, NNN from 1 to %d, name of letters, digits and _)",
                     dir, de->d_name, MIGRATIONS_DIR_VERSION_MAX);
            rc = -1;
            break;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            entries = realloc(entries, cap * sizeof *entries);
            if (!entries)
                abort();
        }
        e.file = s_strdup(de->d_name);
        entries[count++] = e;
    }
    closedir(d);
    if (rc < 0) {
        s_entries_free(entries, count);
        return -1;
    }
    if (count > 1)
        qsort(entries, count, sizeof *entries, s_entry_cmp);
    *out = entries;
    *count_out = count;
    return 0;
}

/* The name part of "NNN_name.up.sql": after the first '_', before the first '.'. */
static char *s_name_of(const char *file)
{
    const char *start = strchr(file, '_') + 1;
    return strndup(start, strcspn(start, "."));
}

/* Pairs sorted entries into items, refusing duplicates, orphan downs and gaps. */
static int s_pair(migrations_dir_t *self, const s_entry_t *e, size_t n, char *err, size_t err_size)
{
    self->items = calloc(n ? n : 1, sizeof *self->items);
    if (!self->items)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && e[i].version == e[i - 1].version && e[i].is_down == e[i - 1].is_down) {
            snprintf(err, err_size, "duplicate migration version %03d in %s: %s and %s",
                     e[i].version, self->dir, e[i - 1].file, e[i].file);
            return -1;
        }
        s_item_t *last = self->count ? &self->items[self->count - 1] : NULL;
        if (!e[i].is_down) {
            s_item_t *it = &self->items[self->count++];
            it->pub.version = e[i].version;
            it->up_file = s_strdup(e[i].file);
            if (!(it->name = s_name_of(e[i].file)))
                abort();
            continue;
        }
        char *name = s_name_of(e[i].file);
        if (!name)
            abort();
        int paired = last && last->pub.version == e[i].version && strcmp(last->name, name) == 0;
        free(name);
        if (!paired) {
            snprintf(err, err_size, "%s/%s has no matching .up.sql (same number and name)",
                     self->dir, e[i].file);
            return -1;
        }
        last->down_file = s_strdup(e[i].file);
    }
    for (size_t i = 0; i < self->count; i++) {
        if (self->items[i].pub.version != (int)i + 1) {
            snprintf(err, err_size,
                     "migration versions must run 1, 2, 3, ... without gaps: version %03zu is "
                     "missing in %s (found %s)",
                     i + 1, self->dir, self->items[i].up_file);
            return -1;
        }
    }
    return 0;
}

static int s_check_regular(const char *path, char *err, size_t err_size)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_size, "%s is not a regular file", path);
        return -1;
    }
    return 0;
}

/* Fills paths, reads every .up.sql and computes its checksum. */
static int s_load_items(migrations_dir_t *self, char *err, size_t err_size)
{
    for (size_t i = 0; i < self->count; i++) {
        s_item_t *it = &self->items[i];
        it->up_path = s_join(self->dir, it->up_file);
        if (it->down_file) {
            it->down_path = s_join(self->dir, it->down_file);
            if (s_check_regular(it->down_path, err, err_size) < 0)
                return -1;
        }
        if (migrations_dir_read_file(it->up_path, &it->up_sql, &it->pub.up_len, err, err_size) < 0)
            return -1;
        if (checksum_sha256_hex(it->up_sql, it->pub.up_len, it->pub.checksum) < 0) {
            snprintf(err, err_size, "cannot compute the SHA-256 of %s", it->up_path);
            return -1;
        }
        it->pub.name = it->name;
        it->pub.up_file = it->up_file;
        it->pub.up_path = it->up_path;
        it->pub.down_file = it->down_file;
        it->pub.down_path = it->down_path;
        it->pub.up_sql = it->up_sql;
    }
    return 0;
}

int migrations_dir_load(const char *dir, migrations_dir_t **out, char *err, size_t err_size)
{
    *out = NULL;
    s_entry_t *entries = NULL;
    size_t n = 0;
    if (s_list(dir, &entries, &n, err, err_size) < 0)
        return -1;
    migrations_dir_t *self = calloc(1, sizeof *self);
    if (!self)
        abort();
    self->dir = s_strdup(dir);
    int rc = s_pair(self, entries, n, err, err_size);
    s_entries_free(entries, n);
    if (rc == 0)
        rc = s_load_items(self, err, err_size);
    if (rc < 0) {
        migrations_dir_destroy(&self);
        return -1;
    }
    *out = self;
    return 0;
}

void migrations_dir_destroy(migrations_dir_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    migrations_dir_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        s_item_t *it = &self->items[i];
        free(it->name);
        free(it->up_file);
        free(it->up_path);
        free(it->down_file);
        free(it->down_path);
        free(it->up_sql);
    }
    free(self->items);
    free(self->dir);
    free(self);
    *self_p = NULL;
}

const char *migrations_dir_path(const migrations_dir_t *self)
{
    return self->dir;
}

size_t migrations_dir_count(const migrations_dir_t *self)
{
    return self->count;
}

const migration_t *migrations_dir_at(const migrations_dir_t *self, size_t index)
{
    return index < self->count ? &self->items[index].pub : NULL;
}

const migration_t *migrations_dir_find(const migrations_dir_t *self, int version)
{
    /* Versions are exactly 1..count once loaded. */
    if (version < 1 || (size_t)version > self->count)
        return NULL;
    return &self->items[version - 1].pub;
}

int migrations_dir_read_file(const char *path, char **data_out, size_t *len_out, char *err,
                             size_t err_size)
{
    *data_out = NULL;
    *len_out = 0;
    if (s_check_regular(path, err, err_size) < 0)
        return -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char *data = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            if (!(data = realloc(data, cap)))
                abort();
        }
        size_t got = fread(data + len, 1, cap - len - 1, f);
        len += got;
        if (len > (size_t)MIGRATIONS_DIR_FILE_MAX) {
            snprintf(err, err_size, "%s is larger than %ld bytes", path, MIGRATIONS_DIR_FILE_MAX);
            rc = -1;
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
                rc = -1;
            }
            break;
        }
    }
    fclose(f);
    if (rc < 0) {
        free(data);
        return -1;
    }
    data[len] = '\0';
    *data_out = data;
    *len_out = len;
    return 0;
}
