#include "test_replay_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a freshly started server may take to print its listening line. */
#define TREPLAY_START_TIMEOUT_MS 10000

long long treplay_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads one line from fd (unbuffered, so nothing after it is consumed). */
static int s_read_line(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t len = 0;
    long long until = treplay_now_ms() + timeout_ms;
    while (len + 1 < size) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)(until - treplay_now_ms());
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return -1;
        ssize_t n = read(fd, buf + len, 1);
        if (n <= 0)
            return -1;
        if (buf[len] == '\n')
            break;
        len++;
    }
    buf[len] = '\0';
    return 0;
}

int treplay_start(treplay_proc_t *proc, char *const argv[])
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    char line[128];
    int rc = s_read_line(fds[0], line, sizeof line, TREPLAY_START_TIMEOUT_MS);
    close(fds[0]);
    proc->pid = pid;
    if (rc != 0 || sscanf(line, "listening http://127.0.0.1:%d", &proc->port) != 1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        proc->pid = 0;
        return -1;
    }
    snprintf(proc->base, sizeof proc->base, "http://127.0.0.1:%d", proc->port);
    return 0;
}

/* Waits for pid up to timeout_ms. Returns the exit status, -1 on timeout or signal. */
static int s_wait(pid_t pid, int timeout_ms)
{
    long long until = treplay_now_ms() + timeout_ms;
    for (;;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (r < 0 || treplay_now_ms() > until)
            return -1;
        usleep(10000);
    }
}

int treplay_run(char *const argv[], int timeout_ms)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    int rc = s_wait(pid, timeout_ms);
    if (rc < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return rc;
}

int treplay_stop(treplay_proc_t *proc, int timeout_ms)
{
    if (proc->pid <= 0)
        return -1;
    kill(proc->pid, SIGTERM);
    int rc = s_wait(proc->pid, timeout_ms);
    if (rc < 0) {
        kill(proc->pid, SIGKILL);
        waitpid(proc->pid, NULL, 0);
    }
    proc->pid = 0;
    return rc;
}

static size_t s_collect(char *data, size_t size, size_t n, void *user)
{
    treplay_reply_t *reply = user;
    size_t add = size * n;
    char *grown = realloc(reply->body, reply->len + add + 1);
    if (!grown)
        return 0;
    memcpy(grown + reply->len, data, add);
    reply->len += add;
    grown[reply->len] = '\0';
    reply->body = grown;
    return add;
}

void treplay_http(const char *method, const char *url, const char *post_body, long timeout_ms,
                  treplay_reply_t *reply)
{
    memset(reply, 0, sizeof *reply);
    CURL *curl = curl_easy_init();
    if (!curl) {
        reply->code = CURLE_FAILED_INIT;
        return;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (post_body)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
    reply->code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
    char *type = NULL;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
        reply->content_type = strdup(type);
    if (!reply->body)
        reply->body = calloc(1, 1);
    curl_easy_cleanup(curl);
}

void treplay_reply_free(treplay_reply_t *reply)
{
    free(reply->body);
    free(reply->content_type);
    memset(reply, 0, sizeof *reply);
}

char *treplay_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = (cap + 4096) * 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        size_t n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n < 4096)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    *len_out = len;
    return buf;
}
