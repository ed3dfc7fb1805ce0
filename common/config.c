#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_process = "bedrock";

void config_set_process(const char *process)
{
    s_process = process;
}

void config_fail(const char *name, const char *expected)
{
    fprintf(stderr, "%s: configuration error: %s %s\n", s_process, name, expected);
    exit(CONFIG_EXIT_CODE);
}

int config_parse_int(const char *value, long min, long max, long *out)
{
    if (!value || !*value)
        return -1;
    errno = 0;
    char *end = NULL;
    long n = strtol(value, &end, 10);
    if (errno || *end != '\0' || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

static int s_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int s_has_space(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s))
            return 1;
    return 0;
}

int config_parse_database_url(const char *value)
{
    if (!value || s_has_space(value))
        return -1;
    const char *rest = NULL;
    if (s_starts_with(value, "postgresql://"))
        rest = value + strlen("postgresql://");
    else if (s_starts_with(value, "postgres://"))
        rest = value + strlen("postgres://");
    else
        return -1;
    return *rest ? 0 : -1;
}

static int s_parse_port(const char *s, size_t len, int *port)
{
    char buf[8];
    long n;
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (config_parse_int(buf, 1, 65535, &n) < 0)
        return -1;
    *port = (int)n;
    return 0;
}

int config_parse_redis_url(const char *value, char *host_out, int host_size, int *port_out,
                           int *db_out)
{
    if (!value || !s_starts_with(value, "redis://") || s_has_space(value))
        return -1;
    const char *p = value + strlen("redis://");
    const char *at = strchr(p, '@');
    if (at)
        p = at + 1;
    const char *slash = strchr(p, '/');
    const char *end = slash ? slash : p + strlen(p);
    const char *colon = memchr(p, ':', (size_t)(end - p));
    const char *host_end = colon ? colon : end;
    size_t host_len = (size_t)(host_end - p);
    if (host_len == 0 || (int)host_len >= host_size)
        return -1;
    memcpy(host_out, p, host_len);
    host_out[host_len] = '\0';
    *port_out = 6379;
    if (colon && s_parse_port(colon + 1, (size_t)(end - colon - 1), port_out) < 0)
        return -1;
    *db_out = 0;
    if (slash && slash[1]) {
        long db;
        if (config_parse_int(slash + 1, 0, 1024, &db) < 0)
            return -1;
        *db_out = (int)db;
    }
    return 0;
}

int config_parse_endpoint(const char *value)
{
    if (!value || s_has_space(value))
        return -1;
    if (s_starts_with(value, "ipc://"))
        return value[6] ? 0 : -1;
    if (!s_starts_with(value, "tcp://"))
        return -1;
    const char *host = value + 6;
    const char *colon = strrchr(host, ':');
    if (!colon || colon == host)
        return -1;
    if (strcmp(colon + 1, "*") == 0)
        return 0;
    int port;
    return s_parse_port(colon + 1, strlen(colon + 1), &port);
}

int config_parse_http_addr(const char *value)
{
    if (!value || s_has_space(value))
        return -1;
    const char *colon = strrchr(value, ':');
    if (!colon)
        return -1;
    int port;
    return s_parse_port(colon + 1, strlen(colon + 1), &port);
}

int config_parse_http_url(const char *value)
{
    if (!value || s_has_space(value))
        return -1;
    const char *rest;
    if (s_starts_with(value, "http://"))
        rest = value + 7;
    else if (s_starts_with(value, "https://"))
        rest = value + 8;
    else
        return -1;
    return (*rest && *rest != '/') ? 0 : -1;
}

static const char *s_env(const char *name)
{
    const char *v = getenv(name);
    return (v && *v) ? v : NULL;
}

const char *config_get_database_url(const char *name, bool required)
{
    const char *v = s_env(name);
    if (!v) {
        if (required)
            config_fail(name, "is required (postgresql://user:pass@host:port/db)");
        return NULL;
    }
    if (config_parse_database_url(v) < 0)
        config_fail(name, "must be a postgresql:// URL (postgresql://user:pass@host:port/db)");
    return v;
}

const char *config_get_redis_url(const char *name, const char *def)
{
    const char *v = s_env(name);
    if (!v)
        v = def;
    char host[256];
    int port, db;
    if (config_parse_redis_url(v, host, sizeof host, &port, &db) < 0)
        config_fail(name, "must be a redis:// URL (redis://host:port[/db])");
    return v;
}

const char *config_get_endpoint(const char *name, const char *def)
{
    const char *v = s_env(name);
    if (!v)
        v = def;
    if (config_parse_endpoint(v) < 0)
        config_fail(name, "must be a ZeroMQ endpoint (tcp://host:port or ipc://path)");
    return v;
}

const char *config_get_http_addr(const char *name, const char *def)
{
    const char *v = s_env(name);
    if (!v)
        v = def;
    if (config_parse_http_addr(v) < 0)
        config_fail(name, "must be host:port with a port in 1..65535");
    return v;
}

const char *config_get_http_url(const char *name, const char *def)
{
    const char *v = s_env(name);
    if (!v)
        v = def;
    if (config_parse_http_url(v) < 0)
        config_fail(name, "must be an http:// or https:// URL");
    return v;
}

long config_get_int(const char *name, long def, long min, long max)
{
    const char *v = s_env(name);
    if (!v)
        return def;
    long n;
    if (config_parse_int(v, min, max, &n) < 0) {
        char expected[96];
        snprintf(expected, sizeof expected, "must be an integer in %ld..%ld", min, max);
        config_fail(name, expected);
    }
    return n;
}

const char *config_get_secret(const char *name, const char *def, int min_len)
{
    const char *v = s_env(name);
    if (!v)
        v = def;
    if (!v)
        config_fail(name, "is required");
    if ((int)strlen(v) < min_len) {
        char expected[64];
        snprintf(expected, sizeof expected, "must be at least %d bytes long", min_len);
        config_fail(name, expected);
    }
    return v;
}

const char *config_get_string(const char *name, const char *def)
{
    const char *v = s_env(name);
    return v ? v : def;
}

bool config_get_bool(const char *name, bool def)
{
    const char *v = s_env(name);
    if (!v)
        return def;
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "yes"))
        return true;
    if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no"))
        return false;
    config_fail(name, "must be true or false");
}
