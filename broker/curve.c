/* curve.c — CURVE settings, their start-up checks, the zauth actor and the socket options
 * (owned by the broker area; contract in curve.h). */
#include "curve.h"

#include "config.h"
#include "log.h"

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CURVE_KEY_SIZE 32
#define CURVE_Z85_SIZE 40 /* Z85 text of a key, without the NUL */
#define CURVE_FAIL_MAX 768
#define CURVE_FILE_MAX 65536 /* a certificate is a few hundred bytes */

struct curve {
    const char *secret_file; /* borrowed from the environment */
    const char *allow_dir;
    uint8_t public_key[CURVE_KEY_SIZE];
    uint8_t secret_key[CURVE_KEY_SIZE];
    char public_txt[CURVE_Z85_SIZE + 1];
    size_t allowed;         /* public certificates found in allow_dir at start */
    bool secret_file_loose; /* readable by group or others */
    zactor_t *auth;
};

/* config_fail with a formatted message (it names paths, which are not secret). */
__attribute__((noreturn, format(printf, 2, 3))) static void s_fail_path(const char *name,
                                                                        const char *fmt, ...)
{
    char msg[CURVE_FAIL_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    config_fail(name, msg);
}

/* Decodes the Z85 key at path in root into out. Returns 0, or -1 when it is missing or
 * not 40 valid Z85 characters. */
static int s_key(zconfig_t *root, const char *path, uint8_t out[CURVE_KEY_SIZE])
{
    const char *txt = zconfig_get(root, path, NULL);
    if (!txt || strlen(txt) != CURVE_Z85_SIZE)
        return -1;
    return zmq_z85_decode(out, txt) ? 0 : -1;
}

/* The whole of a regular file of at most CURVE_FILE_MAX bytes, NUL-terminated (the
 * caller frees it), or NULL. */
static char *s_slurp(const char *path)
{
    struct stat st;
    FILE *f = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= CURVE_FILE_MAX
                  ? fopen(path, "r")
                  : NULL;
    if (!f)
        return NULL;
    char *text = broker_alloc(CURVE_FILE_MAX + 1);
    size_t n = fread(text, 1, CURVE_FILE_MAX, f);
    bool ok = !ferror(f) && (fgetc(f) == EOF); /* grown past the limit since stat: refuse */
    fclose(f);
    if (!ok) {
        free(text);
        return NULL;
    }
    text[n] = '\0';
    return text;
}

/* A ZPL certificate file, or NULL. Not zconfig_load, which leaks its file handle when
 * parsing fails in czmq 4.2. The parser prints its errors on stdout itself (zclock_log,
 * whatever zsys's log settings), and a bad setting must print only the one config_fail
 * line: stdout is muted meanwhile. Start-up only, when no other thread prints. */
static zconfig_t *s_load(const char *path)
{
    char *text = s_slurp(path);
    if (!text)
        return NULL;
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    bool muted = saved >= 0 && devnull >= 0 && dup2(devnull, STDOUT_FILENO) >= 0;
    zconfig_t *root = zconfig_str_load(text);
    if (muted) {
        fflush(stdout);
        if (dup2(saved, STDOUT_FILENO) < 0)
            log_warn("could not restore stdout after reading %s", path);
    }
    if (saved >= 0)
        close(saved);
    if (devnull >= 0)
        close(devnull);
    explicit_bzero(text, CURVE_FILE_MAX); /* it may hold the secret key */
    free(text);
    return root;
}

/* czmq logs on stdout in its own format and installs SIGINT/SIGTERM handlers in
 * zsys_init; the broker keeps its JSON log and its own handlers. */
static void s_quiet_czmq(void)
{
    zsys_handler_set(NULL);
    zsys_init();
    zsys_set_logstream(NULL);
}

static void s_read_secret(curve_t *self)
{
    const char *name = CURVE_ENV_SECRET_FILE;
    zconfig_t *root = s_load(self->secret_file);
    if (!root)
        s_fail_path(name,
                    "must name a readable czmq certificate file with a secret key (the "
                    "<name>_secret file zcert_save writes); %s is not one",
                    self->secret_file);
    int rc = s_key(root, "curve/secret-key", self->secret_key);
    rc = rc < 0 ? -1 : s_key(root, "curve/public-key", self->public_key);
    zconfig_destroy(&root);
    if (rc < 0)
        s_fail_path(name,
                    "must hold a valid curve public-key and secret-key (Z85, 40 characters "
                    "each); %s does not",
                    self->secret_file);
    char secret_txt[CURVE_Z85_SIZE + 1], derived[CURVE_Z85_SIZE + 1];
    if (!zmq_z85_encode(secret_txt, self->secret_key, CURVE_KEY_SIZE) ||
        !zmq_z85_encode(self->public_txt, self->public_key, CURVE_KEY_SIZE) ||
        zmq_curve_public(derived, secret_txt) != 0 || strcmp(derived, self->public_txt) != 0)
        s_fail_path(name, "must hold a public-key that belongs to its secret-key; %s does not",
                    self->secret_file);
    explicit_bzero(secret_txt, sizeof secret_txt);
    struct stat st;
    self->secret_file_loose = stat(self->secret_file, &st) == 0 && (st.st_mode & 077) != 0;
}

/* Checks one file of the allow-list; keys (public key text -> "") catches duplicates. */
static void s_check_allowed(const char *path, zhashx_t *keys)
{
    const char *name = CURVE_ENV_ALLOW_DIR;
    zconfig_t *root = s_load(path);
    uint8_t key[CURVE_KEY_SIZE];
    if (!root || s_key(root, "curve/public-key", key) < 0) {
        zconfig_destroy(&root);
        s_fail_path(name,
                    "must hold only czmq public certificates (curve/public-key, Z85); %s is "
                    "not one",
                    path);
    }
    bool has_secret = zconfig_get(root, "curve/secret-key", NULL) != NULL;
    zconfig_destroy(&root);
    if (has_secret)
        s_fail_path(name,
                    "must hold public certificates only; %s holds a secret key (copy the "
                    "public <name> file, never <name>_secret)",
                    path);
    char txt[CURVE_Z85_SIZE + 1];
    if (!zmq_z85_encode(txt, key, CURVE_KEY_SIZE) || zhashx_insert(keys, txt, (void *)"") != 0)
        s_fail_path(name,
                    "must hold each public key once (czmq aborts on a duplicate); %s repeats "
                    "one",
                    path);
}

/* The same files zauth's certificate store reads: zdir's walk (no dot-names, recursive),
 * regular files only. Returns how many certificates were checked. */
static size_t s_read_allow_dir(const char *dir_path)
{
    struct stat st;
    zdir_t *dir = stat(dir_path, &st) == 0 && S_ISDIR(st.st_mode) ? zdir_new(dir_path, NULL) : NULL;
    zhashx_t *keys = dir ? zhashx_new() : NULL;
    zfile_t **files = keys ? zdir_flatten(dir) : NULL;
    if (!files) {
        zhashx_destroy(&keys);
        zdir_destroy(&dir);
        s_fail_path(CURVE_ENV_ALLOW_DIR,
                    "must name a readable directory of czmq public certificates; %s is not one",
                    dir_path);
    }
    size_t n = 0;
    for (size_t i = 0; files[i]; i++) {
        if (!zfile_is_regular(files[i]))
            continue;
        s_check_allowed(zfile_filename(files[i], NULL), keys);
        n++;
    }
    zdir_flatten_free(&files);
    zhashx_destroy(&keys);
    zdir_destroy(&dir);
    return n;
}

curve_t *curve_from_env(void)
{
    const char *secret_file = config_get_string(CURVE_ENV_SECRET_FILE, NULL);
    const char *allow_dir = config_get_string(CURVE_ENV_ALLOW_DIR, NULL);
    if (!secret_file && !allow_dir)
        return NULL;
    /* One without the other is a mistake, never a reason to fall back to plain TCP. */
    if (!secret_file)
        config_fail(CURVE_ENV_SECRET_FILE, "must be set when BEDROCK_CURVE_ALLOW_DIR is (CURVE)");
    if (!allow_dir)
        config_fail(CURVE_ENV_ALLOW_DIR, "must be set when BEDROCK_CURVE_SECRET_FILE is (CURVE)");
    s_quiet_czmq();
    curve_t *self = broker_alloc(sizeof *self);
    self->secret_file = secret_file;
    self->allow_dir = allow_dir;
    s_read_secret(self);
    self->allowed = s_read_allow_dir(allow_dir);
    return self;
}

void curve_log(const curve_t *self)
{
    if (!self) {
        log_info("security: plain TCP on both sockets (%s and %s unset): every peer that "
                 "reaches them is trusted",
                 CURVE_ENV_SECRET_FILE, CURVE_ENV_ALLOW_DIR);
        return;
    }
    log_info("setting %s=%s", CURVE_ENV_SECRET_FILE, self->secret_file);
    log_info("setting %s=%s", CURVE_ENV_ALLOW_DIR, self->allow_dir);
    log_info("security: CURVE on both sockets, broker public key %s, %zu allowed public "
             "key(s) in %s",
             self->public_txt, self->allowed, self->allow_dir);
    if (self->secret_file_loose)
        log_warn("%s (%s) is readable by group or others; make it mode 0600", CURVE_ENV_SECRET_FILE,
                 self->secret_file);
    if (self->allowed == 0)
        log_warn("%s holds no certificate: every connection is refused until one is added",
                 CURVE_ENV_ALLOW_DIR);
}

void *curve_start(curve_t *self)
{
    void *ctx = zsys_init();
    self->auth = ctx ? zactor_new(zauth, NULL) : NULL;
    if (!self->auth) {
        log_error("cannot start the zauth actor");
        return NULL;
    }
    if (zstr_sendx(self->auth, "CURVE", self->allow_dir, NULL) < 0 || zsock_wait(self->auth) < 0) {
        log_error("cannot configure the zauth actor: %s", zmq_strerror(errno));
        return NULL;
    }
    return ctx;
}

int curve_apply(const curve_t *self, void *sock)
{
    int on = 1;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &on, sizeof on) < 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, self->secret_key, CURVE_KEY_SIZE) < 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, self->public_key, CURVE_KEY_SIZE) < 0) {
        log_error("cannot make a socket a CURVE server: %s", zmq_strerror(errno));
        return -1;
    }
    return 0;
}

void curve_destroy(curve_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    curve_t *self = *self_p;
    zactor_destroy(&self->auth);
    zsys_shutdown();
    explicit_bzero(self->secret_key, sizeof self->secret_key);
    free(self);
    *self_p = NULL;
}
