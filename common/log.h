/* log — one JSON object per line on stderr.
 *
 * Every line carries the time, level, process name and, when the calling
 * thread has one set, the request id. Messages are printf-formatted; callers
 * must never pass secrets or password hashes.
 */
#ifndef BEDROCK_LOG_H
#define BEDROCK_LOG_H

/* Level names are LOG_LEVEL_*: <syslog.h> (pulled in by czmq.h) owns LOG_DEBUG, LOG_INFO... */

#include <stdarg.h>

typedef enum { LOG_LEVEL_DEBUG = 0, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR } log_level_t;

/* Sets the process name shown in every line and the minimum level, read from
 * BEDROCK_LOG_LEVEL (debug|info|warn|error, default info). Exits 2 on a
 * malformed level. Call once at start, before any thread starts. */
void log_init(const char *process);

void log_set_level(log_level_t level);

/* Request id of the calling thread, shown in its lines until cleared with NULL.
 * The string is copied (truncated to 63 bytes). */
void log_set_request_id(const char *request_id);

void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif
