#include "fake_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define S_MAX_CONN 16
#define S_MAX_REQUESTS 256
#define S_BUF 32768

typedef struct {
    int fd;
    char buf[S_BUF];
    size_t len;
} s_conn_t;

struct fake_http {
    int listen_fd;
    int port;
    int wake[2];
    pthread_t thread;
    pthread_mutex_t lock;
    fake_handler_t handler;
    void *ud;
    s_conn_t conns[S_MAX_CONN];
    fake_request_t *requests; /* S_MAX_REQUESTS */
    int n_requests;
    int n_connections;
};

static void s_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static void s_close(s_conn_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->len = 0;
}

static void s_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

/* Parses one complete request at the start of c->buf; returns its length or 0. */
static size_t s_parse(const s_conn_t *c, fake_request_t *req)
{
    const char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head_len = (size_t)(end - c->buf) + 4;
    memset(req, 0, sizeof *req);
    char line[2200];
    size_t line_len = strcspn(c->buf, "\r");
    snprintf(line, sizeof line, "%.*s", (int)line_len, c->buf);
    sscanf(line, "%15s %2047s", req->method, req->target);
    size_t hdr_len = head_len - line_len - 4;
    snprintf(req->headers, sizeof req->headers, "%.*s", (int)hdr_len, c->buf + line_len + 2);
    char value[32];
    size_t body_len = 0;
    if (fake_http_header(req, "Content-Length", value, sizeof value) == 0)
        body_len = (size_t)strtoul(value, NULL, 10);
    if (c->len < head_len + body_len)
        return 0;
    snprintf(req->body, sizeof req->body, "%.*s", (int)body_len, c->buf + head_len);
    return head_len + body_len;
}

static void s_answer(fake_http_t *self, s_conn_t *c, const fake_request_t *req)
{
    fake_reply_t reply = {.status = 200};
    pthread_mutex_lock(&self->lock);
    if (self->n_requests < S_MAX_REQUESTS)
        self->requests[self->n_requests] = *req;
    self->n_requests++;
    self->handler(self->ud, req, &reply);
    pthread_mutex_unlock(&self->lock);
    if (reply.delay_ms > 0)
        s_sleep_ms(reply.delay_ms);
    if (reply.status == 0) {
        s_close(c);
    } else {
        char head[256];
        int n = snprintf(head, sizeof head,
                         "HTTP/1.1 %ld Fake\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n",
                         reply.status, reply.body_len);
        s_write_all(c->fd, head, (size_t)n);
        if (reply.body_len)
            s_write_all(c->fd, reply.body, reply.body_len);
    }
    if (reply.owned)
        free(reply.body);
}

static void s_readable(fake_http_t *self, s_conn_t *c)
{
    ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len - 1, 0);
    if (n <= 0) {
        s_close(c);
        return;
    }
    c->len += (size_t)n;
    fake_request_t req;
    size_t used;
    while (c->fd >= 0 && (used = s_parse(c, &req)) > 0) {
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
        s_answer(self, c, &req);
    }
}

static void s_accept(fake_http_t *self)
{
    int fd = accept(self->listen_fd, NULL, NULL);
    if (fd < 0)
        return;
    for (int i = 0; i < S_MAX_CONN; i++) {
        if (self->conns[i].fd < 0) {
            self->conns[i].fd = fd;
            self->conns[i].len = 0;
            pthread_mutex_lock(&self->lock);
            self->n_connections++;
            pthread_mutex_unlock(&self->lock);
            return;
        }
    }
    close(fd);
}

static void *s_run(void *arg)
{
    fake_http_t *self = arg;
    for (;;) {
        struct pollfd fds[S_MAX_CONN + 2];
        int map[S_MAX_CONN + 2];
        int n = 0;
        fds[n] = (struct pollfd){.fd = self->wake[0], .events = POLLIN};
        map[n++] = -2;
        fds[n] = (struct pollfd){.fd = self->listen_fd, .events = POLLIN};
        map[n++] = -1;
        for (int i = 0; i < S_MAX_CONN; i++) {
            if (self->conns[i].fd >= 0) {
                fds[n] = (struct pollfd){.fd = self->conns[i].fd, .events = POLLIN};
                map[n++] = i;
            }
        }
        if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR)
            break;
        if (fds[0].revents)
            break;
        for (int k = 1; k < n; k++) {
            if (!fds[k].revents)
                continue;
            if (map[k] == -1)
                s_accept(self);
            else
                s_readable(self, &self->conns[map[k]]);
        }
    }
    return NULL;
}

fake_http_t *fake_http_start(fake_handler_t handler, void *ud)
{
    fake_http_t *self = calloc(1, sizeof *self);
    if (!self)
        abort();
    self->requests = calloc(S_MAX_REQUESTS, sizeof *self->requests);
    if (!self->requests)
        abort();
    self->handler = handler;
    self->ud = ud;
    for (int i = 0; i < S_MAX_CONN; i++)
        self->conns[i].fd = -1;
    pthread_mutex_init(&self->lock, NULL);
    self->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t addr_len = sizeof addr;
    if (self->listen_fd < 0 || bind(self->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        listen(self->listen_fd, 16) < 0 ||
        getsockname(self->listen_fd, (struct sockaddr *)&addr, &addr_len) < 0 ||
        pipe(self->wake) < 0) {
        perror("fake_http");
        abort();
    }
    self->port = ntohs(addr.sin_port);
    if (pthread_create(&self->thread, NULL, s_run, self) != 0)
        abort();
    return self;
}

void fake_http_stop(fake_http_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    fake_http_t *self = *self_p;
    if (write(self->wake[1], "x", 1) != 1)
        abort();
    pthread_join(self->thread, NULL);
    for (int i = 0; i < S_MAX_CONN; i++)
        s_close(&self->conns[i]);
    close(self->listen_fd);
    close(self->wake[0]);
    close(self->wake[1]);
    pthread_mutex_destroy(&self->lock);
    free(self->requests);
    free(self);
    *self_p = NULL;
}

int fake_http_port(const fake_http_t *self)
{
    return self->port;
}

int fake_http_count(fake_http_t *self, int *connections)
{
    pthread_mutex_lock(&self->lock);
    int n = self->n_requests;
    if (connections)
        *connections = self->n_connections;
    pthread_mutex_unlock(&self->lock);
    return n;
}

int fake_http_request(fake_http_t *self, int i, fake_request_t *out)
{
    pthread_mutex_lock(&self->lock);
    int ok = i >= 0 && i < self->n_requests && i < S_MAX_REQUESTS;
    if (ok)
        *out = self->requests[i];
    pthread_mutex_unlock(&self->lock);
    return ok ? 0 : -1;
}

int fake_http_header(const fake_request_t *req, const char *name, char *out, size_t size)
{
    size_t name_len = strlen(name);
    const char *line = req->headers;
    while (*line) {
        size_t len = strcspn(line, "\r");
        if (len > name_len && strncasecmp(line, name, name_len) == 0 && line[name_len] == ':') {
            const char *v = line + name_len + 1;
            while (*v == ' ')
                v++;
            snprintf(out, size, "%.*s", (int)(len - (size_t)(v - line)), v);
            return 0;
        }
        line += len;
        while (*line == '\r' || *line == '\n')
            line++;
    }
    return -1;
}
