#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PROC_MAX_CHILDREN 128
#define PROC_MAX_LOGS 64
#define PROC_LOG_PATH_MAX 512
#define PROC_TAIL_BYTES 3000
#define PROC_POLL_MS 5

/* Read by signal handlers: plain arrays, written under s_lock by normal code. */
static volatile pid_t s_children[PROC_MAX_CHILDREN];
static char s_logs[PROC_MAX_LOGS][PROC_LOG_PATH_MAX];
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t s_installed;
static volatile unsigned s_watchdog_seconds;

double proc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void proc_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ---- environment ---------------------------------------------------------- */

static bool s_is_bedrock_var(const char *entry)
{
    static const char *const exact[] = {
        "DATABASE_URL=", "DATABASE_REPLICA_URL=", "REDIS_URL=", NULL};
    if (strncmp(entry, "BEDROCK_", 8) == 0)
        return true;
    for (const char *const *p = exact; *p; p++)
        if (strncmp(entry, *p, strlen(*p)) == 0)
            return true;
    return false;
}

static size_t s_name_len(const char *entry)
{
    const char *eq = strchr(entry, '=');
    return eq ? (size_t)(eq - entry) : strlen(entry);
}

/* Removes NAME from env (n entries), returns the new count. */
static size_t s_env_remove(char **env, size_t n, const char *name, size_t name_len)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s_name_len(env[i]) == name_len && strncmp(env[i], name, name_len) == 0)
            free(env[i]);
        else
            env[w++] = env[i];
    }
    return w;
}

char **proc_env_build(const char *const *const *lists, size_t n_lists)
{
    size_t cap = 16, n = 0;
    for (char **e = environ; e && *e; e++)
        cap++;
    for (size_t l = 0; l < n_lists; l++)
        for (const char *const *p = lists[l]; p && *p; p++)
            cap++;
    char **env = calloc(cap, sizeof *env);
    if (!env)
        abort();
    for (char **e = environ; e && *e; e++)
        if (!s_is_bedrock_var(*e) && !(env[n++] = strdup(*e)))
            abort();
    for (size_t l = 0; l < n_lists; l++) {
        for (const char *const *p = lists[l]; p && *p; p++) {
            n = s_env_remove(env, n, *p, s_name_len(*p));
            if (strchr(*p, '=') && !(env[n++] = strdup(*p)))
                abort();
        }
    }
    env[n] = NULL;
    return env;
}

void proc_env_free(char ***env_p)
{
    if (!env_p || !*env_p)
        return;
    for (char **e = *env_p; *e; e++)
        free(*e);
    free(*env_p);
    *env_p = NULL;
}

/* ---- tracking and the safety net ------------------------------------------ */

static void s_track(pid_t pid)
{
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < PROC_MAX_CHILDREN; i++)
        if (s_children[i] == 0) {
            s_children[i] = pid;
            break;
        }
    pthread_mutex_unlock(&s_lock);
}

static void s_untrack(pid_t pid)
{
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < PROC_MAX_CHILDREN; i++)
        if (s_children[i] == pid)
            s_children[i] = 0;
    pthread_mutex_unlock(&s_lock);
}

static void s_kill_all(void)
{
    for (int i = 0; i < PROC_MAX_CHILDREN; i++) {
        pid_t pid = s_children[i];
        if (pid > 0)
            kill(pid, SIGKILL);
    }
}

static void s_write_str(const char *s)
{
    ssize_t rc = write(STDERR_FILENO, s, strlen(s));
    (void)rc;
}

/* Async-signal-safe: open/lseek/read/write only. */
static void s_print_log_tails(void)
{
    char buf[PROC_TAIL_BYTES];
    for (int i = 0; i < PROC_MAX_LOGS; i++) {
        if (!s_logs[i][0])
            continue;
        int fd = open(s_logs[i], O_RDONLY);
        if (fd < 0)
            continue;
        off_t size = lseek(fd, 0, SEEK_END);
        lseek(fd, size > PROC_TAIL_BYTES ? size - PROC_TAIL_BYTES : 0, SEEK_SET);
        ssize_t got = read(fd, buf, sizeof buf);
        close(fd);
        s_write_str("\n==== tail of ");
        s_write_str(s_logs[i]);
        s_write_str(" ====\n");
        if (got > 0) {
            ssize_t rc = write(STDERR_FILENO, buf, (size_t)got);
            (void)rc;
        }
    }
}

static void s_on_fatal_signal(int sig)
{
    if (sig == SIGALRM) {
        s_write_str("\n**** watchdog: the test program ran too long; killing its cluster ****\n");
        s_print_log_tails();
        s_kill_all();
        _exit(3);
    }
    s_kill_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void s_at_exit(void)
{
    s_kill_all();
    for (int i = 0; i < PROC_MAX_CHILDREN; i++) {
        pid_t pid = s_children[i];
        if (pid > 0)
            waitpid(pid, NULL, 0);
    }
}

void proc_install_safety_net(void)
{
    if (s_installed)
        return;
    s_installed = 1;
    atexit(s_at_exit);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = s_on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
    /* A peer closing a socket must fail a write, not kill the test. */
    signal(SIGPIPE, SIG_IGN);
}

void proc_watchdog(unsigned seconds)
{
    proc_install_safety_net();
    s_watchdog_seconds = seconds;
    alarm(seconds);
}

void proc_register_log(const char *path)
{
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < PROC_MAX_LOGS; i++)
        if (strcmp(s_logs[i], path) == 0)
            goto done;
    for (int i = 0; i < PROC_MAX_LOGS; i++)
        if (!s_logs[i][0]) {
            snprintf(s_logs[i], sizeof s_logs[i], "%s", path);
            break;
        }
done:
    pthread_mutex_unlock(&s_lock);
}

void proc_unregister_log(const char *path)
{
    pthread_mutex_lock(&s_lock);
    for (int i = 0; i < PROC_MAX_LOGS; i++)
        if (strcmp(s_logs[i], path) == 0)
            s_logs[i][0] = '\0';
    pthread_mutex_unlock(&s_lock);
}

/* ---- spawning and waiting -------------------------------------------------- */

static int s_open_out(const char *path)
{
    return open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

pid_t proc_spawn(const char *path, char *const argv[], char *const env[], const char *out_path,
                 const char *err_path)
{
    proc_install_safety_net();
    if (access(path, X_OK) < 0) {
        fprintf(stderr, "proc: cannot execute %s: %s (is the binary built?)\n", path,
                strerror(errno));
        return -1;
    }
    int out_fd = s_open_out(out_path), err_fd = s_open_out(err_path);
    if (out_fd < 0 || err_fd < 0) {
        fprintf(stderr, "proc: cannot open the log files for %s: %s\n", path, strerror(errno));
        if (out_fd >= 0)
            close(out_fd);
        if (err_fd >= 0)
            close(err_fd);
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* Die with the test program even when it is SIGKILLed (e.g. by ctest). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        dup2(out_fd, STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        char *const default_argv[] = {(char *)path, NULL};
        execve(path, argv ? argv : default_argv, env);
        dprintf(STDERR_FILENO, "proc: execve %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    if (pid < 0) {
        fprintf(stderr, "proc: fork: %s\n", strerror(errno));
        return -1;
    }
    s_track(pid);
    return pid;
}

int proc_wait(pid_t pid, int timeout_ms, int *wstatus)
{
    double end = proc_now_ms() + timeout_ms;
    for (;;) {
        int st = 0;
        pid_t rc = waitpid(pid, &st, WNOHANG);
        if (rc == pid || (rc < 0 && errno == ECHILD)) {
            s_untrack(pid);
            if (wstatus)
                *wstatus = rc == pid ? st : -1;
            return 0;
        }
        if (proc_now_ms() >= end)
            return -1;
        proc_sleep_ms(PROC_POLL_MS);
    }
}

bool proc_alive(pid_t pid, int *wstatus)
{
    int st = 0;
    pid_t rc = waitpid(pid, &st, WNOHANG);
    if (rc == 0)
        return true;
    s_untrack(pid);
    if (wstatus)
        *wstatus = rc == pid ? st : -1;
    return false;
}

int proc_kill(pid_t pid, int sig, int grace_ms)
{
    int st = -1;
    if (pid <= 0)
        return -1;
    kill(pid, sig);
    if (proc_wait(pid, grace_ms, &st) == 0)
        return st;
    kill(pid, SIGKILL);
    if (proc_wait(pid, 5000, &st) < 0)
        fprintf(stderr, "proc: pid %d survives SIGKILL?\n", (int)pid);
    return st;
}

const char *proc_describe(int wstatus, char *buf, size_t size)
{
    if (wstatus == -1)
        snprintf(buf, size, "not a child");
    else if (WIFEXITED(wstatus))
        snprintf(buf, size, "exit %d", WEXITSTATUS(wstatus));
    else if (WIFSIGNALED(wstatus))
        snprintf(buf, size, "signal %d (%s)", WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    else
        snprintf(buf, size, "wait status 0x%x", (unsigned)wstatus);
    return buf;
}

/* ---- run to completion ----------------------------------------------------- */

static char *s_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        text = calloc(1, size > 0 ? (size_t)size + 1 : 1);
        if (!text)
            abort();
        len = size > 0 ? fread(text, 1, (size_t)size, f) : 0;
        text[len] = '\0';
        fclose(f);
    } else if (!(text = calloc(1, 1))) {
        abort();
    }
    return text;
}

int proc_run(const char *path, const char *const *sets, int timeout_ms, proc_result_t *out)
{
    memset(out, 0, sizeof *out);
    char dir[] = "/tmp/bedrock-proc-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "proc: mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    char out_path[PROC_LOG_PATH_MAX], err_path[PROC_LOG_PATH_MAX];
    snprintf(out_path, sizeof out_path, "%s/stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    const char *const *lists[] = {sets};
    char **env = proc_env_build(lists, 1);
    double start = proc_now_ms();
    pid_t pid = proc_spawn(path, NULL, env, out_path, err_path);
    proc_env_free(&env);
    int rc = -1;
    if (pid > 0) {
        int st = 0;
        if (proc_wait(pid, timeout_ms, &st) < 0) {
            out->timed_out = true;
            st = proc_kill(pid, SIGKILL, 1000);
        }
        out->elapsed_ms = proc_now_ms() - start;
        out->exited = st != -1 && WIFEXITED(st);
        out->exit_code = out->exited ? WEXITSTATUS(st) : -1;
        out->term_signal = (st != -1 && WIFSIGNALED(st)) ? WTERMSIG(st) : 0;
        rc = 0;
    }
    out->out = s_slurp(out_path);
    out->err = s_slurp(err_path);
    unlink(out_path);
    unlink(err_path);
    rmdir(dir);
    return rc;
}

void proc_result_clear(proc_result_t *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}
