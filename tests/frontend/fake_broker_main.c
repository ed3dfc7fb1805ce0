/* frontend-fake-broker ENDPOINT — runs tests/frontend/fake_broker.c until killed, for trying
 * bedrock-frontend and bedrockctl by hand without a cluster. */
#include "fake_broker.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: frontend-fake-broker tcp://127.0.0.1:PORT\n");
        return 2;
    }
    fake_broker_t *fb = fake_broker_start(argv[1]);
    if (!fb)
        return 1;
    signal(SIGTERM, s_on_signal);
    signal(SIGINT, s_on_signal);
    while (!s_stop)
        pause();
    fake_broker_stop(&fb);
    return 0;
}
