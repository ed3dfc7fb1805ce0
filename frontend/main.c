/* bedrock-frontend — the HTTP front door (DESIGN §1). Reads its settings, starts
 * civetweb, and runs until SIGTERM or SIGINT, then stops cleanly and exits 0.
 * Exit 2: bad configuration (config.h prints the variable). Exit 1: cannot listen. */
#include "config.h"
#include "fe_settings.h"
#include "log.h"
#include "server.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#define PROCESS_NAME "bedrock-frontend"

/* Blocks the stop signals in this thread and, by inheritance, in every thread civetweb
 * and ZeroMQ start, so that only sigwait below sees them. */
static int s_block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        return -1;
    return pthread_sigmask(SIG_BLOCK, set, NULL) == 0 ? 0 : -1;
}

int main(void)
{
    log_init(PROCESS_NAME);
    config_set_process(PROCESS_NAME);
    fe_settings_t settings;
    fe_settings_load(&settings);
    fe_settings_log(&settings);

    sigset_t set;
    if (s_block_signals(&set) < 0) {
        log_error("cannot set up signal handling");
        return 1;
    }
    char err[384];
    server_t *server = server_start(&settings, err, sizeof err);
    if (!server) {
        log_error("%s", err);
        return 1;
    }
    log_info("listening on %s, broker %s", settings.http_addr, settings.broker_endpoint);
    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    log_info("signal %d: stopping", sig);
    server_stop(&server);
    log_info("stopped");
    return 0;
}
