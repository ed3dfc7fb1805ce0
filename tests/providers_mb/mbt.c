#include "mbt.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MBT_DATA_DIR
#error "MBT_DATA_DIR must be defined (tests/data/providers)"
#endif

/* How long the replay server may take to say it listens, and to stop. */
#define MBT_START_TIMEOUT_MS 10000
#define MBT_STOP_TIMEOUT_MS 5000
/* Timeout of one control request to the replay server. */
#define MBT_HTTP_TIMEOUT_MS 10000

const char *mbt_shared_dir(void)
{
    return MBT_DATA_DIR;
}

const char *mbt_walk_dir(void)
{
    const char *env = getenv("BEDROCK_PROVIDERS_DATA_DIR");
    return (env && *env) ? env : MBT_DATA_DIR;
}

char *mbt_read(const char *dir, const char *provider, const char *file, size_t *len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s/%s", dir, provider, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        abort();
    }
    size_t cap = 65536, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        abort();
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

json_t *mbt_manifest(const char *dir, const char *provider)
{
    size_t len;
    char *text = mbt_read(dir, provider, "manifest.json", &len);
    json_error_t jerr;
    json_t *m = json_loadb(text, len, 0, &jerr);
    free(text);
    json_t *entries = json_incref(json_object_get(m, "entries"));
    json_decref(m);
    if (!json_is_array(entries)) {
        fprintf(stderr, "%s/%s/manifest.json: no entries (%s)\n", dir, provider, jerr.text);
        abort();
    }
    return entries;
}

long mbt_entry_status(const json_t *entry)
{
    json_t *status = json_object_get(json_object_get(entry, "response"), "status");
    return json_is_integer(status) ? (long)json_integer_value(status) : 200;
}

/* ---- bedrock-replay ---- */

static long long s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void s_child(int out_fd, const char *binary, const char *dir, const char *log_path)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int log_fd = open(log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (dup2(out_fd, STDOUT_FILENO) < 0 || (log_fd >= 0 && dup2(log_fd, STDERR_FILENO) < 0))
        _exit(127);
    char *argv[] = {(char *)binary, "--data", (char *)dir, "--listen", "127.0.0.1:0", NULL};
    execv(binary, argv);
    _exit(127);
}

/* Reads the child's stdout until the listening line arrives; 0 or -1. */
static int s_read_port(mbt_replay_t *self, int fd)
{
    char line[256];
    size_t n = 0;
    long long deadline = s_now_ms() + MBT_START_TIMEOUT_MS;
    while (n < sizeof line - 1) {
        long long left = deadline - s_now_ms();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return -1;
        ssize_t got = read(fd, line + n, 1);
        if (got <= 0)
            return -1;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    int port = 0;
    if (sscanf(line, "listening http://127.0.0.1:%d", &port) != 1 || port <= 0)
        return -1;
    snprintf(self->base, sizeof self->base, "http://127.0.0.1:%d", port);
    return 0;
}

int mbt_replay_start(mbt_replay_t *self, const char *binary, const char *dir, const char *log_path)
{
    memset(self, 0, sizeof *self);
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        s_child(fds[1], binary, dir, log_path);
    }
    close(fds[1]);
    self->pid = pid;
    int rc = s_read_port(self, fds[0]);
    close(fds[0]);
    if (rc < 0) {
        fprintf(stderr, "%s did not report a listening port\n", binary);
        (void)mbt_replay_stop(self);
        return -1;
    }
    return 0;
}

int mbt_replay_stop(mbt_replay_t *self)
{
    if (self->pid <= 0)
        return -1;
    kill(self->pid, SIGTERM);
    long long deadline = s_now_ms() + MBT_STOP_TIMEOUT_MS;
    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(self->pid, &status, WNOHANG)) == 0 && s_now_ms() < deadline) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (done == 0) {
        kill(self->pid, SIGKILL);
        waitpid(self->pid, &status, 0);
        status = -1;
    }
    self->pid = 0;
    return (done > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : -1;
}

typedef struct {
    char *data;
    size_t len;
} s_buf_t;

static size_t s_collect(char *ptr, size_t size, size_t nmemb, void *ud)
{
    s_buf_t *b = ud;
    size_t n = size * nmemb;
    char *grown = realloc(b->data, b->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, ptr, n);
    b->data = grown;
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

long mbt_http(const mbt_replay_t *self, const char *method, const char *path, const char *json_body,
              char **body_out)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", self->base, path);
    CURL *curl = curl_easy_init();
    if (!curl)
        abort();
    s_buf_t buf = {0};
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)MBT_HTTP_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buf);
    if (json_body)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_body);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    if (body_out)
        *body_out = buf.data;
    else
        free(buf.data);
    return status;
}

json_t *mbt_stats(const mbt_replay_t *self)
{
    char *body = NULL;
    long status = mbt_http(self, "GET", "/_replay/stats", NULL, &body);
    json_t *stats = (status == 200 && body) ? json_loads(body, 0, NULL) : NULL;
    free(body);
    if (!json_is_object(stats)) {
        fprintf(stderr, "GET /_replay/stats failed (HTTP %ld)\n", status);
        abort();
    }
    return stats;
}
