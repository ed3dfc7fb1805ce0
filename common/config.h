/* config — environment variables, validated at start.
 *
 * The config_parse_* functions are pure: they return 0 when the value is
 * well-formed and -1 otherwise, and are what the unit tests exercise.
 * The config_get_* functions read the environment and, on a missing or
 * malformed value, print one line naming the variable and what is expected,
 * then exit with status 2. They never return an invalid value.
 * Strings returned by config_get_* are borrowed from the environment (or are the
 * default passed in) and live for the whole process.
 */
#ifndef BEDROCK_CONFIG_H
#define BEDROCK_CONFIG_H

#include <stdbool.h>

#define CONFIG_EXIT_CODE 2

/* Integer in [min, max], decimal, no trailing garbage. */
int config_parse_int(const char *value, long min, long max, long *out);

/* postgres:// or postgresql:// URL with a host or a database part. */
int config_parse_database_url(const char *value);

/* redis://[user:pass@]host[:port][/db]; host and port are returned.
 * host_out receives at most host_size-1 bytes. */
int config_parse_redis_url(const char *value, char *host_out, int host_size, int *port_out,
                           int *db_out);

/* ZeroMQ endpoint: tcp://host:port (port 1..65535, or * when binding) or ipc://path. */
int config_parse_endpoint(const char *value);

/* HTTP listen address host:port, port 1..65535. */
int config_parse_http_addr(const char *value);

/* http:// or https:// base URL. */
int config_parse_http_url(const char *value);

/* The process name used in the one-line failure message. */
void config_set_process(const char *process);

void config_fail(const char *name, const char *expected) __attribute__((noreturn));

const char *config_get_database_url(const char *name, bool required);
const char *config_get_redis_url(const char *name, const char *def);
const char *config_get_endpoint(const char *name, const char *def);
const char *config_get_http_addr(const char *name, const char *def);
const char *config_get_http_url(const char *name, const char *def);
long config_get_int(const char *name, long def, long min, long max);
/* Required secret of at least min_len bytes; def is used when unset (NULL = required). */
const char *config_get_secret(const char *name, const char *def, int min_len);
const char *config_get_string(const char *name, const char *def);
bool config_get_bool(const char *name, bool def);

#endif
