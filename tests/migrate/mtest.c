#include "mtest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef BEDROCK_MIGRATE_BIN
#error "BEDROCK_MIGRATE_BIN must be the path of the bedrock-migrate binary"
#endif

/* Most arguments a test passes to bedrock-migrate. */
#define MTEST_ARGS_MAX 8

const char *mtest_database_url(void)
{
    const char *url = getenv("DATABASE_URL");
    if (!url || !*url) {
        fprintf(stderr, "FAIL: DATABASE_URL is not set. The \"db\" tests need a PostgreSQL "
                        "URL of a role that may CREATE DATABASE, e.g. "
                        "postgresql://bedrock@127.0.0.1:55432/bedrock_migrate\n");
        return NULL;
    }
    return url;
}

/* url with its database part replaced by name: a new string the caller frees. */
static char *s_url_with_db(const char *url, const char *name)
{
    const char *scheme_end = strstr(url, "://");
    const char *authority = scheme_end ? scheme_end + 3 : url;
    const char *path = authority + strcspn(authority, "/?");
    const char *query = path;
    if (*path == '/')
        query = path + 1 + strcspn(path + 1, "?");
    char *out = NULL;
    if (asprintf(&out, "%.*s/%s%s", (int)(path - url), url, name, query) < 0)
        return NULL;
    return out;
}

/* Server notices ("database does not exist, skipping") are expected here: not shown. */
static void s_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *mtest_connect(const char *url)
{
    PGconn *conn = PQconnectdb(url);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "mtest: cannot connect: %s", conn ? PQerrorMessage(conn) : "no memory\n");
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, s_quiet, NULL);
    return conn;
}

/* Runs CREATE/DROP DATABASE name on the DATABASE_URL database. verb is a fixed string. */
static int s_database_ddl(const char *verb, const char *name, const char *suffix)
{
    const char *url = mtest_database_url();
    if (!url)
        return -1;
    PGconn *conn = mtest_connect(url);
    if (!conn)
        return -1;
    char *ident = PQescapeIdentifier(conn, name, strlen(name));
    char *sql = NULL;
    int rc = -1;
    if (ident && asprintf(&sql, "%s %s%s", verb, ident, suffix) >= 0)
        rc = mtest_exec(conn, sql);
    free(sql);
    PQfreemem(ident);
    PQfinish(conn);
    return rc;
}

int mtest_db_create(mtest_db_t *db)
{
    static int counter;
    memset(db, 0, sizeof *db);
    const char *url = mtest_database_url();
    if (!url)
        return -1;
    snprintf(db->name, sizeof db->name, "bedrock_migrate_t%ld_%d", (long)getpid(), ++counter);
    if (s_database_ddl("DROP DATABASE IF EXISTS", db->name, " WITH (FORCE)") < 0 ||
        s_database_ddl("CREATE DATABASE", db->name, "") < 0)
        return -1;
    db->url = s_url_with_db(url, db->name);
    return db->url ? 0 : -1;
}

void mtest_db_drop(mtest_db_t *db)
{
    if (db->name[0] && s_database_ddl("DROP DATABASE IF EXISTS", db->name, " WITH (FORCE)") < 0)
        fprintf(stderr, "mtest: could not drop scratch database %s\n", db->name);
    free(db->url);
    memset(db, 0, sizeof *db);
}

char *mtest_value(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    char *value = NULL;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fprintf(stderr, "mtest: query failed: %s: %s", sql, PQerrorMessage(conn));
    else if (PQntuples(res) > 0)
        value = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return value;
}

long mtest_number(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    char *value = mtest_value(conn, sql, nparams, params);
    long n = (value && *value) ? strtol(value, NULL, 10) : -1;
    free(value);
    return n;
}

int mtest_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "mtest: %s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    return ok ? 0 : -1;
}

static void s_child(int out_fd, int err_fd, const char *url, const char *dir,
                    const char *const *args)
{
    char *argv[MTEST_ARGS_MAX + 2] = {BEDROCK_MIGRATE_BIN};
    for (int i = 0; args && args[i] && i < MTEST_ARGS_MAX; i++)
        argv[i + 1] = (char *)args[i];
    if ((url ? setenv("DATABASE_URL", url, 1) : unsetenv("DATABASE_URL")) < 0 ||
        (dir ? setenv("BEDROCK_MIGRATIONS_DIR", dir, 1) : unsetenv("BEDROCK_MIGRATIONS_DIR")) < 0 ||
        dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
        _exit(127);
    execv(argv[0], argv);
    _exit(127);
}

int mtest_start(mtest_proc_t *proc, const char *url, const char *dir, const char *const *args)
{
    snprintf(proc->out_path, sizeof proc->out_path, "/tmp/mtest_out_XXXXXX");
    snprintf(proc->err_path, sizeof proc->err_path, "/tmp/mtest_err_XXXXXX");
    int out_fd = mkstemp(proc->out_path);
    int err_fd = out_fd >= 0 ? mkstemp(proc->err_path) : -1;
    if (out_fd < 0 || err_fd < 0) {
        perror("mtest: mkstemp");
        if (out_fd >= 0)
            close(out_fd);
        return -1;
    }
    fflush(NULL);
    proc->pid = fork();
    if (proc->pid == 0)
        s_child(out_fd, err_fd, url, dir, args);
    close(out_fd);
    close(err_fd);
    if (proc->pid < 0) {
        perror("mtest: fork");
        return -1;
    }
    return 0;
}

/* The whole file as a new string ("" when unreadable), then removes it. */
static char *s_slurp_and_remove(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    FILE *mem = open_memstream(&text, &len);
    if (f && mem) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, mem);
    }
    if (f)
        fclose(f);
    if (mem)
        fclose(mem);
    unlink(path);
    return text ? text : strdup("");
}

int mtest_wait(mtest_proc_t *proc, mtest_result_t *result)
{
    int status = 0;
    const struct timespec tick = {0, 5 * 1000 * 1000};
    long waited_ms = 0;
    pid_t got;
    while ((got = waitpid(proc->pid, &status, WNOHANG)) == 0 &&
           waited_ms < MTEST_PROCESS_TIMEOUT_MS) {
        nanosleep(&tick, NULL);
        waited_ms += 5;
    }
    if (got == 0) {
        fprintf(stderr, "mtest: bedrock-migrate still running after %d ms: killed\n",
                MTEST_PROCESS_TIMEOUT_MS);
        kill(proc->pid, SIGKILL);
        waitpid(proc->pid, &status, 0);
        status = -1;
    }
    result->exit_code = (got > 0 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    result->out = s_slurp_and_remove(proc->out_path);
    result->err = s_slurp_and_remove(proc->err_path);
    return got > 0 ? 0 : -1;
}

int mtest_run(mtest_result_t *result, const char *url, const char *dir, ...)
{
    const char *args[MTEST_ARGS_MAX + 1] = {0};
    va_list ap;
    va_start(ap, dir);
    for (int i = 0; i < MTEST_ARGS_MAX; i++)
        if (!(args[i] = va_arg(ap, const char *)))
            break;
    va_end(ap);
    mtest_proc_t proc;
    memset(result, 0, sizeof *result);
    result->exit_code = -1;
    if (mtest_start(&proc, url, dir, args) < 0)
        return -1;
    return mtest_wait(&proc, result);
}

void mtest_result_free(mtest_result_t *result)
{
    free(result->out);
    free(result->err);
    result->out = result->err = NULL;
}

int mtest_count_lines(const char *text, const char *needle)
{
    int count = 0;
    while (text && *text) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) : strlen(text);
        char *line = strndup(text, len);
        if (line && strstr(line, needle))
            count++;
        free(line);
        text += len + (end ? 1 : 0);
    }
    return count;
}

static int s_copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    int rc = (in && out) ? 0 : -1;
    char buf[8192];
    size_t n;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            rc = -1;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    return rc;
}

char *mtest_copy_migrations(const char *src, int max_version)
{
    char *dir = strdup("/tmp/mtest_mig_XXXXXX");
    DIR *d = NULL;
    if (!dir || !mkdtemp(dir) || !(d = opendir(src))) {
        fprintf(stderr, "mtest: cannot copy %s: %s\n", src, strerror(errno));
        free(dir);
        return NULL;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 4 || strcmp(de->d_name + len - 4, ".sql") != 0)
            continue;
        if (max_version < 0 || (max_version > 0 && atoi(de->d_name) > max_version))
            continue;
        char *from = NULL, *to = NULL;
        if (asprintf(&from, "%s/%s", src, de->d_name) < 0 ||
            asprintf(&to, "%s/%s", dir, de->d_name) < 0 || s_copy_file(from, to) < 0)
            rc = -1;
        free(from);
        free(to);
    }
    closedir(d);
    if (rc < 0) {
        mtest_remove_dir(dir);
        free(dir);
        return NULL;
    }
    return dir;
}

static int s_write(const char *dir, const char *name, const char *text, const char *mode)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return -1;
    FILE *f = fopen(path, mode);
    free(path);
    if (!f)
        return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

int mtest_write_file(const char *dir, const char *name, const char *text)
{
    return s_write(dir, name, text, "wb");
}

int mtest_append_file(const char *dir, const char *name, const char *text)
{
    return s_write(dir, name, text, "ab");
}

void mtest_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char *path = NULL;
            if (asprintf(&path, "%s/%s", dir, de->d_name) >= 0)
                unlink(path);
            free(path);
        }
        closedir(d);
    }
    rmdir(dir);
}
