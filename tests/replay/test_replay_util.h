/* test_replay_util — helpers of test_replay: run the real bedrock-replay
 * binary, make HTTP requests with libcurl, read files.
 */
#ifndef BEDROCK_TEST_REPLAY_UTIL_H
#define BEDROCK_TEST_REPLAY_UTIL_H

#include <curl/curl.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    int port;
    char base[64]; /* "http://127.0.0.1:PORT" */
} treplay_proc_t;

/* Starts binary with argv (NULL-terminated, argv[0] included) and waits for
 * its "listening http://127.0.0.1:PORT" line. Returns 0, or -1 when the
 * process exited or printed something else first. */
int treplay_start(treplay_proc_t *proc, char *const argv[]);

/* Runs binary with argv to completion (stdout/stderr discarded); returns its
 * exit status, or -1 when it did not end within timeout_ms. */
int treplay_run(char *const argv[], int timeout_ms);

/* SIGTERM, then waits up to timeout_ms. Returns the exit status (0 = clean),
 * or -1 when it had to be killed or did not exit normally. */
int treplay_stop(treplay_proc_t *proc, int timeout_ms);

typedef struct {
    CURLcode code; /* transport result */
    long status;   /* HTTP status, 0 without a reply */
    char *body;    /* NUL-terminated, owned: free with treplay_reply_free */
    size_t len;
    char *content_type; /* owned, NULL when absent */
} treplay_reply_t;

/* One request. method "GET"/"POST"; post_body may be NULL; timeout_ms 0 =
 * 10 s. The reply is always filled (check code). */
void treplay_http(const char *method, const char *url, const char *post_body, long timeout_ms,
                  treplay_reply_t *reply);

void treplay_reply_free(treplay_reply_t *reply);

/* Whole file into a NUL-terminated buffer the caller frees; NULL on error. */
char *treplay_read_file(const char *path, size_t *len_out);

/* Milliseconds of a monotonic clock. */
long long treplay_now_ms(void);

#endif
