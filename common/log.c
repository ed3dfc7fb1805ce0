#include "log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *s_process = "bedrock";
static log_level_t s_level = LOG_LEVEL_INFO;
static _Thread_local char s_request_id[64];

static const char *s_level_names[] = {"debug", "info", "warn", "error"};

void log_init(const char *process)
{
    s_process = process;
    const char *value = getenv("BEDROCK_LOG_LEVEL");
    if (!value || !*value)
        return;
    for (int i = LOG_LEVEL_DEBUG; i <= LOG_LEVEL_ERROR; i++) {
        if (strcmp(value, s_level_names[i]) == 0) {
            s_level = (log_level_t)i;
            return;
        }
    }
    fprintf(stderr, "%s: BEDROCK_LOG_LEVEL must be one of debug|info|warn|error\n", process);
    exit(2);
}

void log_set_level(log_level_t level)
{
    s_level = level;
}

void log_set_request_id(const char *request_id)
{
    if (!request_id) {
        s_request_id[0] = '\0';
        return;
    }
    snprintf(s_request_id, sizeof s_request_id, "%s", request_id);
}

void log_msg(log_level_t level, const char *fmt, ...)
{
    if (level < s_level)
        return;
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char stamp[96];
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);

    /* jansson does the escaping; if it cannot allocate we still say something. */
    json_t *line = json_pack("{s:s, s:s, s:s, s:s}", "ts", stamp, "level", s_level_names[level],
                             "proc", s_process, "msg", text);
    if (line && s_request_id[0])
        json_object_set_new(line, "request_id", json_string(s_request_id));
    char *out = line ? json_dumps(line, JSON_COMPACT) : NULL;
    if (out) {
        fprintf(stderr, "%s\n", out);
        free(out);
    } else {
        fprintf(stderr, "{\"level\":\"%s\",\"msg\":\"(log line lost: out of memory)\"}\n",
                s_level_names[level]);
    }
    json_decref(line);
}
