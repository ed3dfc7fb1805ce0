/* ctl_ingest — see ctl_ingest.h. Owner: catalog engineer (C1). */
#include "ctl_ingest.h"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_PATH_MAX 4096

/* Ingest order: what a file refers to is loaded before it. */
static const char *const s_kinds[] = {"genres", "media_types", "artists",
                                      "albums", "tracks",      "playlists"};

typedef struct {
    long inserted, updated, unchanged, rejected;
} s_counts_t;

typedef struct {
    ctl_t *ctl;
    int batch_max;
    bool tty;
    bool failed;
    s_counts_t total;
} s_run_t;

/* One file being read: the batch in hand and the line of each item. */
typedef struct {
    const char *kind;
    const char *name; /* "tracks.jsonl" */
    json_t *items;
    long *lines;
    long done, count;
    s_counts_t counts;
} s_file_t;

static long s_field(const json_t *data, const char *key)
{
    json_t *v = json_object_get(data, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

static void s_progress(const s_run_t *run, const s_file_t *f, bool last)
{
    if (!run->tty)
        return;
    printf("\r%-12s %ld/%ld", f->kind, f->done, f->count);
    if (last)
        printf("\n");
    fflush(stdout);
}

static void s_print_rejected(const s_file_t *f, long line, const json_t *id, const char *reason)
{
    char idtext[64] = "?";
    if (json_is_integer(id))
        snprintf(idtext, sizeof idtext, "%lld", (long long)json_integer_value(id));
    fprintf(stderr, "%s:%ld: id %s rejected: %s\n", f->name, line, idtext, reason);
}

/* Sends the batch (retried once on 503/504: catalog.ingest is idempotent). */
static int s_send(s_run_t *run, s_file_t *f)
{
    json_t *body = json_pack("{s:s, s:O}", "kind", f->kind, "items", f->items);
    if (!body)
        return -1;
    ctl_call_t call = {.op = "catalog.ingest", .body = body, .timeout_ms = CTL_INGEST_TIMEOUT_MS};
    envelope_reply_t reply;
    int rc = -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        (void)ctl_call(run->ctl, &call, &reply);
        bool again = attempt == 0 && (reply.status == 503 || reply.status == 504);
        if (reply.status < 400 && json_is_object(reply.data)) {
            json_t *rej = json_object_get(reply.data, "rejected"), *r;
            size_t i;
            f->counts.inserted += s_field(reply.data, "inserted");
            f->counts.updated += s_field(reply.data, "updated");
            f->counts.unchanged += s_field(reply.data, "unchanged");
            json_array_foreach(rej, i, r)
            {
                long index = s_field(r, "index");
                long line =
                    index >= 0 && (size_t)index < json_array_size(f->items) ? f->lines[index] : 0;
                s_print_rejected(f, line, json_object_get(r, "id"),
                                 json_string_value(json_object_get(r, "reason")));
                f->counts.rejected++;
            }
            rc = 0;
        } else if (!again) {
            fprintf(stderr, "%s: a batch of %zu failed: %d %s (%s)\n", f->name,
                    json_array_size(f->items), reply.status, reply.error_code, reply.error_message);
        }
        envelope_reply_clear(&reply);
        if (!again || rc == 0)
            break;
    }
    json_decref(body);
    f->done += (long)json_array_size(f->items);
    (void)json_array_clear(f->items);
    s_progress(run, f, false);
    return rc;
}

/* Lines of a file, for the progress total. */
static long s_count_lines(FILE *in)
{
    long n = 0;
    int c, prev = '\n';
    while ((c = getc(in)) != EOF) {
        if (c == '\n' && prev != '\n')
            n++;
        prev = c;
    }
    if (prev != '\n')
        n++;
    rewind(in);
    return n;
}

/* Adds one line to the batch (a line that is not JSON is rejected here). */
static int s_line(s_run_t *run, s_file_t *f, char *text, long lineno)
{
    json_error_t jerr;
    text[strcspn(text, "\r\n")] = '\0';
    if (text[strspn(text, " \t")] == '\0')
        return 0;
    json_t *item = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (!item) {
        char why[256];
        snprintf(why, sizeof why, "not JSON: %s", jerr.text);
        s_print_rejected(f, lineno, NULL, why);
        f->counts.rejected++;
        f->done++;
        return 0;
    }
    f->lines[json_array_size(f->items)] = lineno;
    if (json_array_append_new(f->items, item) < 0)
        return -1;
    if ((int)json_array_size(f->items) >= run->batch_max)
        return s_send(run, f);
    return 0;
}

static void s_add(s_counts_t *into, const s_counts_t *c)
{
    into->inserted += c->inserted;
    into->updated += c->updated;
    into->unchanged += c->unchanged;
    into->rejected += c->rejected;
}

/* Ingests one file; 1 when it does not exist, 0 when read, -1 when a batch failed. */
static int s_file(s_run_t *run, const char *dir, const char *kind)
{
    char path[S_PATH_MAX], name[64];
    snprintf(name, sizeof name, "%s.jsonl", kind);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *in = fopen(path, "r");
    if (!in)
        return errno == ENOENT ? 1 : (fprintf(stderr, "%s: %s\n", path, strerror(errno)), -1);
    s_file_t f = {.kind = kind, .name = name, .items = json_array()};
    f.lines = calloc((size_t)run->batch_max, sizeof *f.lines);
    f.count = s_count_lines(in);
    int rc = (f.items && f.lines) ? 0 : -1;
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    s_progress(run, &f, false);
    while (rc == 0 && getline(&line, &cap, in) >= 0)
        rc = s_line(run, &f, line, ++lineno);
    if (rc == 0 && json_array_size(f.items) > 0)
        rc = s_send(run, &f);
    s_progress(run, &f, true);
    printf("%s: %ld records: %ld inserted, %ld updated, %ld unchanged, %ld rejected%s\n", name,
           f.done, f.counts.inserted, f.counts.updated, f.counts.unchanged, f.counts.rejected,
           rc == 0 ? "" : " (stopped: a batch failed)");
    s_add(&run->total, &f.counts);
    free(line);
    free(f.lines);
    json_decref(f.items);
    fclose(in);
    return rc;
}

static int s_args(int argc, char **argv, const char **dir, int *batch)
{
    *dir = NULL;
    *batch = CTL_INGEST_BATCH;
    for (int i = 0; i < argc; i++) {
        long v;
        if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
            if (config_parse_int(argv[++i], 1, CTL_INGEST_BATCH_MAX, &v) < 0)
                return -1;
            *batch = (int)v;
        } else if (!*dir && argv[i][0] != '-') {
            *dir = argv[i];
        } else {
            return -1;
        }
    }
    return *dir ? 0 : -1;
}

int ctl_ingest_run(ctl_t *ctl, int argc, char **argv)
{
    s_run_t run = {.ctl = ctl, .tty = isatty(STDOUT_FILENO) == 1};
    const char *dir;
    if (s_args(argc, argv, &dir, &run.batch_max) < 0) {
        fprintf(stderr, "usage: bedrockctl ingest DIR [--batch 1..%d]\n", CTL_INGEST_BATCH_MAX);
        return CTL_EXIT_USAGE;
    }
    int files = 0;
    for (size_t i = 0; i < sizeof s_kinds / sizeof s_kinds[0] && !run.failed; i++) {
        int rc = s_file(&run, dir, s_kinds[i]);
        files += rc != 1;
        run.failed = rc < 0;
    }
    if (files == 0) {
        fprintf(stderr, "bedrockctl: no catalog files (genres.jsonl ... playlists.jsonl) in %s\n",
                dir);
        return CTL_EXIT_FAILED;
    }
    const s_counts_t *t = &run.total;
    long all = t->inserted + t->updated + t->unchanged + t->rejected;
    printf("summary: %ld records: %ld inserted, %ld updated, %ld unchanged, %ld rejected%s%s\n",
           all, t->inserted, t->updated, t->unchanged, t->rejected,
           (!run.failed && all > 0 && t->unchanged == all) ? " (all unchanged)" : "",
           run.failed ? " (stopped: a batch failed)" : "");
    return (run.failed || t->rejected > 0) ? CTL_EXIT_FAILED : CTL_EXIT_OK;
}
