/* mbt — helpers of the MusicBrainz and LRCLIB provider tests: the recorded answers of
 * tests/data/providers, the bedrock-replay process and small HTTP calls to it.
 *
 * Recordings are read from MBT_DATA_DIR (a compile definition: the source tree's
 * tests/data/providers). mbt_set_dir() switches to another directory of the same shape
 * (the held-back acceptance set, BEDROCK_PROVIDERS_DATA_DIR) for the manifest-driven
 * tests. Failures to read abort the test program.
 */
#ifndef BEDROCK_TEST_MBT_H
#define BEDROCK_TEST_MBT_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/* The shared recordings (borrowed, never NULL). */
const char *mbt_shared_dir(void);

/* The recordings the manifest-driven tests walk: BEDROCK_PROVIDERS_DATA_DIR when set,
 * else the shared ones (borrowed). */
const char *mbt_walk_dir(void);

/* The bytes of dir/provider/file, NUL-terminated (*len may be NULL). Caller frees. */
char *mbt_read(const char *dir, const char *provider, const char *file, size_t *len);

/* dir/provider/manifest.json's "entries" array. Caller owns the reference. */
json_t *mbt_manifest(const char *dir, const char *provider);

/* The recorded HTTP status of a manifest entry (200 when not recorded). */
long mbt_entry_status(const json_t *entry);

/* ---- bedrock-replay ---- */

typedef struct {
    pid_t pid;
    char base[64]; /* "http://127.0.0.1:PORT", no trailing '/' */
} mbt_replay_t;

/* Starts binary --data dir --listen 127.0.0.1:0 and waits (up to 10 s) for its
 * "listening http://127.0.0.1:PORT" line; its log goes to log_path (NULL = discarded).
 * The child dies with the test (PR_SET_PDEATHSIG). Returns 0 or -1. */
int mbt_replay_start(mbt_replay_t *self, const char *binary, const char *dir, const char *log_path);

/* SIGTERM, then SIGKILL after 5 s. Returns 0 when it exited cleanly (status 0). */
int mbt_replay_stop(mbt_replay_t *self);

/* method base+path with an optional JSON body; returns the status (0 = no answer) and,
 * when body_out is not NULL, the body (caller frees). */
long mbt_http(const mbt_replay_t *self, const char *method, const char *path, const char *json_body,
              char **body_out);

/* GET /_replay/stats parsed (caller owns it); aborts the test on failure. */
json_t *mbt_stats(const mbt_replay_t *self);

#endif
