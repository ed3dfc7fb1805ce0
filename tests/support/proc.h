/* proc — child processes for the tests: spawn with a chosen environment, bounded waits,
 * and a safety net so that no child outlives the test program.
 *
 * Every spawned child is tracked until it is reaped. The children get
 * PR_SET_PDEATHSIG=SIGKILL (they die with the thread that forked them: fork from the
 * main thread), and proc_install_safety_net() kills every tracked child at exit(),
 * on SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGABRT and when the watchdog fires.
 */
#ifndef BEDROCK_TEST_PROC_H
#define BEDROCK_TEST_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A new environment (NULL-terminated, caller frees with proc_env_free): the current
 * environ without the variables Bedrock reads (BEDROCK_*, DATABASE_URL,
 * DATABASE_REPLICA_URL, REDIS_URL), then each list in order; an entry "NAME=value" sets
 * NAME (replacing an earlier value), an entry "NAME" without '=' removes it. Lists are
 * NULL-terminated; a NULL list is skipped. */
char **proc_env_build(const char *const *const *lists, size_t n_lists);
void proc_env_free(char ***env_p);

/* Starts path with argv (argv[0] = path when argv is NULL) and env. stdout and stderr
 * are appended to out_path and err_path (the same path is fine; NULL = /dev/null).
 * Returns the pid (tracked), or -1 with a message on stderr. */
pid_t proc_spawn(const char *path, char *const argv[], char *const env[], const char *out_path,
                 const char *err_path);

/* Waits up to timeout_ms for pid to exit and reaps it. Returns 0 and the raw wait
 * status in *wstatus, or -1 when it is still running after timeout_ms. */
int proc_wait(pid_t pid, int timeout_ms, int *wstatus);

/* True while pid runs; when it has exited, reaps it and stores the wait status. */
bool proc_alive(pid_t pid, int *wstatus);

/* Sends sig, waits up to grace_ms, then SIGKILLs and reaps. Returns the wait status,
 * or -1 when pid is not a child any more. */
int proc_kill(pid_t pid, int sig, int grace_ms);

/* "exit 2", "signal 9 (Killed)", ... for messages; returns buf. */
const char *proc_describe(int wstatus, char *buf, size_t size);

typedef struct {
    bool timed_out;    /* killed after timeout_ms */
    bool exited;       /* WIFEXITED */
    int exit_code;     /* when exited */
    int term_signal;   /* when killed by a signal, else 0 */
    double elapsed_ms; /* spawn to exit (or to the timeout) */
    char *out;         /* captured stdout, NUL-terminated, caller frees (proc_result_clear) */
    char *err;         /* captured stderr, same */
} proc_result_t;

/* Runs path to completion (at most timeout_ms, then SIGKILL) with env from
 * proc_env_build(&sets, 1). Returns 0 when it could be started, -1 otherwise. */
int proc_run(const char *path, const char *const *sets, int timeout_ms, proc_result_t *out);
void proc_result_clear(proc_result_t *r);

/* Registers a log file the safety net prints (its tail) when the watchdog fires. */
void proc_register_log(const char *path);
void proc_unregister_log(const char *path);

/* Installs the atexit hook and signal handlers (idempotent). */
void proc_install_safety_net(void);

/* After seconds, print the registered logs' tails, kill every child and exit 3. */
void proc_watchdog(unsigned seconds);

/* Milliseconds on a monotonic clock. */
double proc_now_ms(void);

/* Sleeps ms milliseconds (EINTR-safe). */
void proc_sleep_ms(int ms);

#endif
