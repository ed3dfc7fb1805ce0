#include "control.h"

#include "mem.h"
#include "providers.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct control {
    control_settings_t settings;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* broadcast on reset and stop */
    bool stopping;       /* set once by control_stop */
    uint64_t generation; /* bumped by reset: releases held requests */
    control_fault_t faults[PROVIDERS_COUNT];
    long long requests[PROVIDERS_COUNT];
    long long unmatched;
    json_t *by_path; /* {path: integer}; guarded by lock */
};

static const char *s_mode_names[] = {
    [CONTROL_NORMAL] = "normal",   [CONTROL_ERROR500] = "error500",
    [CONTROL_TIMEOUT] = "timeout", [CONTROL_MALFORMED] = "malformed",
    [CONTROL_STATUS] = "status",
};

int control_mode_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof s_mode_names / sizeof s_mode_names[0]; i++) {
        if (strcmp(s_mode_names[i], name) == 0)
            return (int)i;
    }
    return -1;
}

const char *control_mode_name(control_mode_t mode)
{
    if ((size_t)mode >= sizeof s_mode_names / sizeof s_mode_names[0])
        return "?";
    return s_mode_names[mode];
}

/* pthread failures here are programmer errors (bad attributes), not input. */
static void s_check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "bedrock-replay: %s: %s\n", what, strerror(rc));
        abort();
    }
}

control_t *control_new(const control_settings_t *settings)
{
    control_t *self = mem_calloc(1, sizeof *self);
    self->settings = *settings;
    s_check(pthread_mutex_init(&self->lock, NULL), "mutex init");
    pthread_condattr_t attr;
    s_check(pthread_condattr_init(&attr), "condattr init");
    /* Monotonic, so that a clock change does not stretch a delay. */
    s_check(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC), "condattr clock");
    s_check(pthread_cond_init(&self->wake, &attr), "cond init");
    pthread_condattr_destroy(&attr);
    self->by_path = json_object();
    if (!self->by_path) {
        fputs("bedrock-replay: out of memory\n", stderr);
        abort();
    }
    return self;
}

void control_destroy(control_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    control_t *self = *self_p;
    json_decref(self->by_path);
    pthread_cond_destroy(&self->wake);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

void control_set(control_t *self, int provider, const control_fault_t *fault)
{
    pthread_mutex_lock(&self->lock);
    for (int id = 0; id < PROVIDERS_COUNT; id++) {
        if (provider < 0 || provider == id)
            self->faults[id] = *fault;
    }
    pthread_mutex_unlock(&self->lock);
}

control_fault_t control_get(control_t *self, int provider)
{
    control_fault_t fault = {0};
    if (provider < 0 || provider >= PROVIDERS_COUNT)
        return fault;
    pthread_mutex_lock(&self->lock);
    fault = self->faults[provider];
    pthread_mutex_unlock(&self->lock);
    return fault;
}

void control_count(control_t *self, int provider, const char *path)
{
    pthread_mutex_lock(&self->lock);
    if (provider >= 0 && provider < PROVIDERS_COUNT)
        self->requests[provider]++;
    json_t *count = json_object_get(self->by_path, path);
    if (count) {
        json_integer_set(count, json_integer_value(count) + 1);
    } else if (json_object_size(self->by_path) < self->settings.max_paths) {
        /* Fails only for a path that is not UTF-8; such a request is simply not listed. */
        (void)json_object_set_new(self->by_path, path, json_integer(1));
    }
    pthread_mutex_unlock(&self->lock);
}

void control_count_unmatched(control_t *self)
{
    pthread_mutex_lock(&self->lock);
    self->unmatched++;
    pthread_mutex_unlock(&self->lock);
}

void control_reset(control_t *self)
{
    pthread_mutex_lock(&self->lock);
    memset(self->faults, 0, sizeof self->faults);
    memset(self->requests, 0, sizeof self->requests);
    self->unmatched = 0;
    json_object_clear(self->by_path);
    self->generation++;
    pthread_cond_broadcast(&self->wake);
    pthread_mutex_unlock(&self->lock);
}

json_t *control_stats(control_t *self)
{
    json_t *requests = json_object();
    pthread_mutex_lock(&self->lock);
    for (int id = 0; id < PROVIDERS_COUNT; id++)
        json_object_set_new(requests, providers_name(id), json_integer(self->requests[id]));
    json_t *out =
        json_pack("{s:o, s:o, s:I}", "requests", requests, "by_path", json_deep_copy(self->by_path),
                  "unmatched", (json_int_t)self->unmatched);
    pthread_mutex_unlock(&self->lock);
    return out;
}

json_t *control_modes(control_t *self)
{
    json_t *out = json_object();
    pthread_mutex_lock(&self->lock);
    for (int id = 0; id < PROVIDERS_COUNT; id++) {
        const control_fault_t *f = &self->faults[id];
        json_object_set_new(out, providers_name(id),
                            json_pack("{s:s, s:i, s:i, s:i}", "mode", control_mode_name(f->mode),
                                      "status", f->status, "delay_ms", f->delay_ms, "retry_after_s",
                                      f->retry_after_s));
    }
    pthread_mutex_unlock(&self->lock);
    return out;
}

static struct timespec s_deadline(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* Waits until ms pass, stop, or (when on_reset) a reset. Returns 0 when the time ran out. */
static int s_wait(control_t *self, int ms, bool on_reset)
{
    if (ms <= 0)
        return 0;
    struct timespec until = s_deadline(ms);
    int rc = 0;
    pthread_mutex_lock(&self->lock);
    uint64_t generation = self->generation;
    while (!self->stopping && !(on_reset && generation != self->generation)) {
        if (pthread_cond_timedwait(&self->wake, &self->lock, &until) == ETIMEDOUT)
            break;
    }
    if (self->stopping || (on_reset && generation != self->generation))
        rc = -1;
    pthread_mutex_unlock(&self->lock);
    return rc;
}

int control_sleep(control_t *self, int ms)
{
    return s_wait(self, ms, false);
}

void control_hold(control_t *self)
{
    (void)s_wait(self, self->settings.hold_ms, true);
}

void control_stop(control_t *self)
{
    pthread_mutex_lock(&self->lock);
    self->stopping = true;
    pthread_cond_broadcast(&self->wake);
    pthread_mutex_unlock(&self->lock);
}
