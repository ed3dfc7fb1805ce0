/* disc_data — the replay data directory, the Chinook ingest and the ISRC fixture of
 * disc_env (disc_env.h). */
#include "disc_env.h"

#include "proc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_PATH 512
#define S_INGEST_TIMEOUT_MS 60000

/* A Deezer track recording made from track__3135556.json: "I Want to Live" by Borislav
 * Slavov on "Baldur's Gate 3 (Original Game Soundtrack)", 233 s, ids of its own (no
 * ISRC), so that nothing else in the catalog is touched. */
static json_t *s_live_track(void)
{
    json_t *doc = json_load_file(DISC_REPLAY_DATA "/deezer/track__3135556.json", 0, NULL);
    if (!doc)
        return NULL;
    json_t *artist =
        json_pack("{s:i, s:s, s:s}", "id", 777200002, "name", "Borislav Slavov", "type", "artist");
    json_object_set_new(doc, "id", json_integer(777200001));
    json_object_set_new(doc, "title", json_string("I Want to Live"));
    json_object_set_new(doc, "title_short", json_string("I Want to Live"));
    json_object_set_new(doc, "duration", json_integer(233));
    json_object_del(doc, "isrc");
    json_object_set_new(doc, "contributors", json_pack("[O]", artist));
    json_object_set_new(doc, "artist", artist);
    json_t *album = json_object_get(doc, "album");
    json_object_set_new(album, "id", json_integer(777200003));
    json_object_set_new(album, "title", json_string("Baldur's Gate 3 (Original Game Soundtrack)"));
    return doc;
}

static int s_write_json(const char *dir, const char *name, json_t *doc)
{
    char path[S_PATH];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = doc ? json_dump_file(doc, path, JSON_COMPACT) : -1;
    json_decref(doc);
    return rc;
}

/* dir/<provider> -> tests/data/providers/<provider>, plus a top-level manifest. */
int disc_data_dir(const char *dir)
{
    static const char *const providers[] = {"deezer", "spotify", "musicbrainz",
                                            "lrclib", "itunes",  NULL};
    for (const char *const *p = providers; *p; p++) {
        char from[S_PATH], to[S_PATH];
        snprintf(from, sizeof from, "%s/%s", DISC_REPLAY_DATA, *p);
        snprintf(to, sizeof to, "%s/%s", dir, *p);
        if (symlink(from, to) < 0)
            return -1;
    }
    json_t *entry =
        json_pack("{s:s, s:{s:s, s:s, s:s, s:[]}, s:{s:i, s:s}}", "file", "dz_live.json", "request",
                  "method", "GET", "base", "https://api.deezer.com", "path", "/track/777200001",
                  "query", "response", "status", 200, "content_type", "application/json");
    json_t *manifest = json_pack("{s:s, s:[o]}", "description",
                                 "discovery tests: extra deezer recording", "entries", entry);
    if (s_write_json(dir, "dz_live.json", s_live_track()) < 0)
        return -1;
    return s_write_json(dir, "manifest.json", manifest);
}

static char *s_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    char chunk[4096];
    size_t got;
    while (mem && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, got, mem);
    fclose(f);
    if (mem)
        fclose(mem);
    return buf;
}

int disc_ctl(disc_env_t *env, const char *const *argv, char **out)
{
    char clients[160], out_path[S_PATH], err_path[S_PATH];
    char *args[24] = {DISC_CTL_BIN};
    size_t n = 1;
    for (; argv[n - 1] && n < sizeof args / sizeof args[0] - 1; n++)
        args[n] = (char *)argv[n - 1];
    args[n] = NULL;
    snprintf(clients, sizeof clients, "BEDROCK_BROKER_CLIENTS=%s",
             cluster_clients_endpoint(env->cluster));
    snprintf(out_path, sizeof out_path, "%s/ctl.out", env->dir);
    snprintf(err_path, sizeof err_path, "%s/ctl.err", env->dir);
    (void)unlink(out_path);
    const char *sets[] = {clients, NULL};
    const char *const *lists[] = {sets};
    char **penv = proc_env_build(lists, 1);
    pid_t pid = proc_spawn(DISC_CTL_BIN, args, penv, out_path, err_path);
    proc_env_free(&penv);
    int status = 0;
    if (pid < 0 || proc_wait(pid, S_INGEST_TIMEOUT_MS, &status) < 0) {
        if (pid > 0)
            (void)proc_kill(pid, SIGKILL, 1000);
        return -1;
    }
    if (out)
        *out = s_slurp(out_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int disc_env_chinook(disc_env_t *env)
{
    if (disc_sql_int(env,
                     "SELECT count(*) FROM tracks WHERE platform = 'local'"
                     " AND native_id = '3503'",
                     NULL) == 1)
        return 0;
    char clients[160], out[S_PATH];
    snprintf(clients, sizeof clients, "BEDROCK_BROKER_CLIENTS=%s",
             cluster_clients_endpoint(env->cluster));
    snprintf(out, sizeof out, "%s/ingest.log", env->dir);
    const char *sets[] = {clients, NULL};
    const char *const *lists[] = {sets};
    char **penv = proc_env_build(lists, 1);
    char *argv[] = {DISC_CTL_BIN, "ingest", DISC_CHINOOK_DIR, "--batch", "200", NULL};
    pid_t pid = proc_spawn(DISC_CTL_BIN, argv, penv, out, out);
    proc_env_free(&penv);
    int status = 0;
    if (pid < 0 || proc_wait(pid, S_INGEST_TIMEOUT_MS, &status) < 0) {
        if (pid > 0)
            (void)proc_kill(pid, SIGKILL, 1000);
        fprintf(stderr, "disc_env: bedrockctl ingest did not finish (%s)\n", out);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "disc_env: bedrockctl ingest failed (%s)\n", out);
        return -1;
    }
    return 0;
}

int disc_env_isrc_fixture(disc_env_t *env, bool on)
{
    const char *native = strchr(DISC_UPTOWN_LOCAL, ':') + 1;
    const char *params[] = {on ? DISC_UPTOWN_FUNK_ISRC : NULL, native, NULL};
    /* A NULL first parameter ends the list early: written out instead. */
    long long n = on ? disc_sql_int(env,
                                    "UPDATE tracks SET isrc = $1 WHERE platform = 'local'"
                                    " AND native_id = $2",
                                    params)
                     : disc_sql_int(env,
                                    "UPDATE tracks SET isrc = NULL WHERE platform = 'local'"
                                    " AND native_id = $1",
                                    (const char *[]){native, NULL});
    return n == 1 ? 0 : -1;
}
