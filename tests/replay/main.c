/* bedrock-replay — serves recorded provider API responses (Deezer, Spotify,
 * MusicBrainz, LRCLIB, iTunes) on 127.0.0.1, for tests on machines that
 * cannot reach the real APIs.
 *
 *   bedrock-replay --data DIR [--listen 127.0.0.1:PORT]
 *
 * Prints exactly one line "listening http://127.0.0.1:PORT" on stdout once
 * ready (PORT 0 or no --listen = any free port), logs JSON lines on stderr,
 * exits 0 on SIGTERM/SIGINT, 2 on bad arguments or settings, 1 when the data
 * cannot be loaded or the port cannot be bound.
 */
#include "config.h"
#include "control.h"
#include "log.h"
#include "recordings.h"
#include "replay.h"
#include "server.h"

#include <civetweb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAIN_PROCESS "bedrock-replay"
#define MAIN_USAGE "usage: bedrock-replay --data DIR [--listen 127.0.0.1:PORT]\n"
#define MAIN_LISTEN_EXPECTED "must be 127.0.0.1:PORT, localhost:PORT, :PORT or PORT (0..65535)"

typedef struct {
    const char *data_dir;
    server_settings_t server;
    control_settings_t control;
    size_t max_control_body;
    int max_delay_ms;
} main_settings_t;

/* Port of a --listen value; only loopback hosts are accepted. -1 when malformed. */
static long s_parse_listen(const char *value)
{
    const char *colon = strrchr(value, ':');
    const char *port = colon ? colon + 1 : value;
    if (colon) {
        size_t hlen = (size_t)(colon - value);
        bool loopback = hlen == 0 || (hlen == 9 && strncmp(value, "127.0.0.1", 9) == 0) ||
                        (hlen == 9 && strncmp(value, "localhost", 9) == 0);
        if (!loopback)
            return -1;
    }
    long n;
    if (config_parse_int(port, 0, 65535, &n) != 0)
        return -1;
    return n;
}

static void s_parse_args(int argc, char **argv, main_settings_t *s)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(MAIN_USAGE, stdout);
            exit(0);
        } else if (strcmp(arg, "--data") == 0 && value) {
            s->data_dir = value;
            i++;
        } else if (strcmp(arg, "--listen") == 0 && value) {
            long port = s_parse_listen(value);
            if (port < 0)
                config_fail("--listen", MAIN_LISTEN_EXPECTED);
            s->server.port = (int)port;
            i++;
        } else {
            fputs(MAIN_USAGE, stderr);
            exit(CONFIG_EXIT_CODE);
        }
    }
    if (!s->data_dir)
        config_fail("--data", "is required (a directory of <provider>/manifest.json)");
}

static void s_read_settings(main_settings_t *s)
{
    s->server.threads = (int)config_get_int("BEDROCK_REPLAY_THREADS", 128, 128, 4096);
    s->server.keepalive_ms = (int)config_get_int("BEDROCK_REPLAY_KEEPALIVE_MS", 1000, 0, 600000);
    s->control.hold_ms = (int)config_get_int("BEDROCK_REPLAY_HOLD_MS", 30000, 0, 600000);
    s->control.max_paths = (size_t)config_get_int("BEDROCK_REPLAY_MAX_PATHS", 10000, 1, 1000000);
    s->max_delay_ms = (int)config_get_int("BEDROCK_REPLAY_MAX_DELAY_MS", 60000, 0, 600000);
    s->max_control_body =
        (size_t)config_get_int("BEDROCK_REPLAY_MAX_CONTROL_BODY", 65536, 64, 1048576);
    log_info("replay: settings data=%s port=%d threads=%d keepalive_ms=%d hold_ms=%d "
             "max_paths=%zu max_delay_ms=%d max_control_body=%zu",
             s->data_dir, s->server.port, s->server.threads, s->server.keepalive_ms,
             s->control.hold_ms, s->control.max_paths, s->max_delay_ms, s->max_control_body);
}

/* Blocks the stop signals in this thread and, through inheritance, in every
 * civetweb thread, so that only sigwait in main receives them. */
static void s_block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    /* A shell starts background jobs with SIGINT ignored; an ignored signal never
     * reaches sigwait, and harnesses stop us with SIGINT too. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    if (pthread_sigmask(SIG_BLOCK, set, NULL) != 0) {
        log_error("replay: cannot block signals");
        exit(1);
    }
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    log_init(MAIN_PROCESS);
    config_set_process(MAIN_PROCESS);
    main_settings_t s = {0};
    s_parse_args(argc, argv, &s);
    s_read_settings(&s);

    recordings_t *recordings = recordings_load(s.data_dir);
    if (!recordings)
        return 1;
    log_info("replay: %zu recordings loaded from %s", recordings_count(recordings), s.data_dir);

    sigset_t stop_signals;
    s_block_signals(&stop_signals);
    mg_init_library(0);
    control_t *control = control_new(&s.control);
    replay_t replay = {recordings, control, s.max_control_body, s.max_delay_ms};
    server_t *server = server_start(&s.server, &replay);
    if (!server) {
        control_destroy(&control);
        recordings_destroy(&recordings);
        mg_exit_library();
        return 1;
    }
    printf("listening http://127.0.0.1:%d\n", server_port(server));
    fflush(stdout);
    log_info("replay: listening on 127.0.0.1:%d", server_port(server));

    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0)
        ;
    log_info("replay: signal %d, stopping", sig);
    server_stop(&server);
    control_destroy(&control);
    recordings_destroy(&recordings);
    mg_exit_library();
    log_info("replay: stopped");
    return 0;
}
