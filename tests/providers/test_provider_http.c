/* provider_http over real HTTP against recorded_server (fake_http on 127.0.0.1):
 * URLs and headers, keep-alive, timeouts, transport failures, the body limit, the
 * circuit breaker and the rate limit (fake clock, fake shared store), and the
 * configuration checks (exit 2 naming the variable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "log.h"
#include "provider.h"
#include "provider_http.h"
#include "recorded_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern const provider_t provider_deezer, provider_spotify, provider_itunes;

static int s_setup(void **state)
{
    (void)state;
    rs_start();
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    rs_stop();
    return 0;
}

static void test_basics(void **state)
{
    (void)state;
    rs_reset();
    /* A trailing slash on the base is dropped: base + "/track/..." is one slash. */
    char url[128];
    snprintf(url, sizeof url, "BEDROCK_DEEZER_URL=http://127.0.0.1:%d/deezer/", rs_port());
    const char *extra[] = {url, NULL};
    provider_http_t *http = rs_http(extra, NULL);
    char base[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/deezer", rs_port());
    assert_string_equal(provider_http_base(http, "deezer"), base);
    int conns_before;
    fake_http_count(rs_server(), &conns_before);
    provider_response_t resp = {0};
    provider_err_t err;
    const char *headers[] = {"X-Test: 1", NULL};
    assert_int_equal(provider_http_get(http, "deezer", "/track/3135556", headers, &resp, &err),
                     PROVIDER_OK);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Harder Better Faster Stronger"));
    assert_int_equal(resp.body_len, strlen(resp.body));
    fake_request_t req;
    rs_last_request(&req);
    assert_string_equal(req.target, "/deezer/track/3135556");
    char value[256];
    assert_int_equal(fake_http_header(&req, "User-Agent", value, sizeof value), 0);
    assert_string_equal(value, "Bedrock/0.1 (+https://github.com/bedrock-music)");
    assert_int_equal(fake_http_header(&req, "X-Test", value, sizeof value), 0);
    assert_int_equal(fake_http_header(&req, "Accept", value, sizeof value), 0);
    assert_string_equal(value, "application/json");
    /* Keep-alive: the second request reuses the connection. */
    assert_int_equal(provider_http_get(http, "deezer", "/nothing", NULL, &resp, &err), PROVIDER_OK);
    assert_int_equal(resp.status, 404);
    int conns_after;
    fake_http_count(rs_server(), &conns_after);
    assert_int_equal(conns_after - conns_before, 1);
    provider_response_clear(&resp);
    provider_response_clear(&resp); /* twice is fine */
    /* Unknown platforms are refused without a request. */
    int before = rs_count();
    assert_int_equal(provider_http_get(http, "napster", "/x", NULL, &resp, &err),
                     PROVIDER_UNSUPPORTED);
    assert_int_equal(rs_count(), before);
    assert_null(provider_http_base(http, "napster"));
    assert_false(provider_http_configured(http, "napster"));
    assert_true(provider_http_configured(http, "deezer"));
    assert_false(provider_http_configured(http, "spotify")); /* no credentials */
    char *escaped = provider_http_escape(http, "artist:\"Lou Doillon\"");
    assert_string_equal(escaped, "artist%3A%22Lou%20Doillon%22");
    free(escaped);
    provider_http_destroy(&http);
    assert_null(http);
    provider_http_destroy(&http);

    /* The User-Agent is a setting. */
    const char *ua[] = {"BEDROCK_USER_AGENT=TestAgent/9", NULL};
    http = rs_http(ua, NULL);
    assert_int_equal(provider_http_get(http, "itunes", "/x", NULL, &resp, &err), PROVIDER_OK);
    rs_last_request(&req);
    assert_int_equal(fake_http_header(&req, "User-Agent", value, sizeof value), 0);
    assert_string_equal(value, "TestAgent/9");
    provider_response_clear(&resp);
    provider_http_destroy(&http);
}

/* The requests the providers make are exactly the recorded ones. */
static void test_upstream_failures(void **state)
{
    (void)state;
    rs_reset();
    const char *extra[] = {"BEDROCK_PROVIDER_TIMEOUT_MS=300", "BEDROCK_BREAKER_FAILURES=100", NULL};
    provider_http_t *http = rs_http(extra, NULL);
    json_t *out;
    provider_err_t err;
    rs_faults.force_status = 500;
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_UPSTREAM);
    assert_non_null(strstr(err.message, "500"));
    assert_int_equal(provider_itunes.get_album(http, "1", &out, &err), PROVIDER_UPSTREAM);
    rs_faults.force_status = 0;
    rs_faults.malformed = true;
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_UPSTREAM);
    assert_non_null(strstr(err.message, "malformed"));
    rs_faults.malformed = false;
    rs_faults.delay_ms = 1500;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 250 && ms < 1400); /* the timeout, not the late answer */
    assert_null(out);
    rs_faults.delay_ms = 0;
    usleep(1400 * 1000); /* the one-threaded fake server is still sleeping on that answer */
    provider_http_state_t st;
    assert_int_equal(provider_http_state(http, "deezer", &st), 0);
    assert_int_equal(st.consecutive_failures, 3);
    assert_int_equal(st.state, PROVIDER_BREAKER_CLOSED);
    assert_non_null(strstr(st.last_error, "300 ms"));
    assert_true(st.last_checked_ms > 0);
    /* A clean answer resets the count. */
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_OK);
    json_decref(out);
    assert_int_equal(provider_http_state(http, "deezer", &st), 0);
    assert_int_equal(st.consecutive_failures, 0);
    assert_true(st.last_latency_ms >= 0);
    assert_int_equal(provider_http_state(http, "napster", &st), -1);
    provider_http_destroy(&http);

    /* Nobody listening. */
    setenv("BEDROCK_DEEZER_URL", "http://127.0.0.1:1", 1);
    http = provider_http_new(NULL);
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_UPSTREAM);
    assert_non_null(strstr(err.message, "unreachable"));
    provider_http_destroy(&http);

    /* An answer larger than the limit. */
    const char *small[] = {"BEDROCK_PROVIDER_MAX_BODY_BYTES=1024", NULL};
    http = rs_http(small, NULL);
    provider_response_t resp = {0};
    assert_int_equal(provider_http_get(http, "deezer", "/big", NULL, &resp, &err),
                     PROVIDER_UPSTREAM);
    assert_null(resp.body);
    provider_http_destroy(&http);
}

static void test_breaker(void **state)
{
    (void)state;
    rs_reset();
    const char *extra[] = {"BEDROCK_BREAKER_FAILURES=3", "BEDROCK_BREAKER_OPEN_MS=10000", NULL};
    provider_http_t *http = rs_http(extra, NULL);
    rs_clock_t c = {.now = 1700000000000LL};
    provider_clock_t clock = rs_clock(&c);
    provider_http_set_clock(http, &clock);
    json_t *out;
    provider_err_t err;
    rs_faults.force_status = 503;
    for (int i = 0; i < 3; i++)
        assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_UPSTREAM);
    int before = rs_count();
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_UNAVAILABLE);
    assert_non_null(strstr(err.message, "circuit open"));
    assert_int_equal(provider_deezer.health(http, &err), PROVIDER_UNAVAILABLE);
    assert_int_equal(rs_count(), before); /* no request while open */
    provider_http_state_t st;
    assert_int_equal(provider_http_state(http, "deezer", &st), 0);
    assert_int_equal(st.state, PROVIDER_BREAKER_OPEN);
    assert_string_equal(provider_http_state_name(st.state), "open");
    assert_int_equal(st.consecutive_failures, 3);
    assert_non_null(strstr(st.last_error, "503"));
    /* Other providers are not affected. */
    rs_faults.force_status = 0;
    assert_int_equal(provider_itunes.health(http, &err), PROVIDER_OK);

    /* Open period over: one trial; it fails -> open again. */
    c.now += 10000;
    assert_int_equal(provider_http_state(http, "deezer", &st), 0);
    assert_int_equal(st.state, PROVIDER_BREAKER_HALF_OPEN);
    assert_string_equal(provider_http_state_name(st.state), "half_open");
    rs_faults.force_status = 500;
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_UPSTREAM);
    assert_int_equal(rs_count(), before + 2);
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_UNAVAILABLE);
    /* Next trial succeeds -> closed. */
    c.now += 10000;
    rs_faults.force_status = 0;
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_OK);
    json_decref(out);
    assert_int_equal(provider_http_state(http, "deezer", &st), 0);
    assert_int_equal(st.state, PROVIDER_BREAKER_CLOSED);
    assert_string_equal(provider_http_state_name(st.state), "closed");
    /* A clean "not found" (Deezer's code 800) is a healthy answer. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(provider_deezer.get_track(http, "-1", &out, &err), PROVIDER_NOT_FOUND);
    assert_int_equal(provider_http_state(http, "deezer", &st), 0);
    assert_int_equal(st.state, PROVIDER_BREAKER_CLOSED);
    provider_http_destroy(&http);
}

static void test_rate_limit(void **state)
{
    (void)state;
    rs_reset();
    rs_kv_t store = {0};
    provider_kv_t kv = rs_kv(&store);
    const char *extra[] = {"BEDROCK_RATE_DEEZER=2", "BEDROCK_PROVIDER_RATE_WAIT_MS=0", NULL};
    provider_http_t *http = rs_http(extra, &kv);
    rs_clock_t c = {.now = 1700000000500LL};
    provider_clock_t clock = rs_clock(&c);
    provider_http_set_clock(http, &clock);
    json_t *out;
    provider_err_t err;
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_OK);
    json_decref(out);
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_OK);
    json_decref(out);
    assert_string_equal(store.last_key, "provider:deezer:rate:1700000000");
    int before = rs_count();
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_UNAVAILABLE);
    assert_non_null(strstr(err.message, "rate limited"));
    assert_int_equal(rs_count(), before);
    /* The store goes down: this process keeps its own count of the window. */
    store.down = true;
    c.now += 1000;
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_OK);
    json_decref(out);
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_OK);
    json_decref(out);
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_UNAVAILABLE);
    provider_http_destroy(&http);

    /* Waiting for the next window is allowed up to BEDROCK_PROVIDER_RATE_WAIT_MS. */
    const char *wait[] = {"BEDROCK_RATE_DEEZER=1", "BEDROCK_PROVIDER_RATE_WAIT_MS=1500", NULL};
    http = rs_http(wait, NULL);
    c.now = 1700000000500LL;
    provider_http_set_clock(http, &clock);
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_OK);
    json_decref(out);
    assert_int_equal(provider_deezer.get_track(http, "3135556", &out, &err), PROVIDER_OK);
    json_decref(out);
    assert_int_equal(c.now, 1700000001000LL); /* it slept to the next window */
    provider_http_destroy(&http);
}

/* A malformed setting stops the process with exit 2 and names the variable. */
static void s_expect_exit2(const char *name, const char *value)
{
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        setenv(name, value, 1);
        provider_http_t *http = provider_http_new(NULL);
        provider_http_destroy(&http);
        _exit(0);
    }
    close(pipefd[1]);
    char buf[1024] = "";
    size_t n = 0;
    ssize_t got;
    while ((got = read(pipefd[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)got;
    buf[n] = '\0';
    close(pipefd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 2)
        fail_msg("%s=%s: expected exit 2, stderr: %s", name, value, buf);
    if (!strstr(buf, name))
        fail_msg("%s=%s: message does not name the variable: %s", name, value, buf);
}

static void test_config(void **state)
{
    (void)state;
    for (size_t i = 0; rs_vars[i]; i++)
        unsetenv(rs_vars[i]);
    s_expect_exit2("BEDROCK_DEEZER_URL", "ftp://api.deezer.com");
    s_expect_exit2("BEDROCK_MUSICBRAINZ_URL", "musicbrainz.org");
    s_expect_exit2("BEDROCK_SPOTIFY_AUTH_URL", "http://");
    s_expect_exit2("BEDROCK_ITUNES_URL", "https:// bad");
    s_expect_exit2("BEDROCK_LRCLIB_URL", "lrclib");
    s_expect_exit2("BEDROCK_SPOTIFY_URL", "x");
    s_expect_exit2("BEDROCK_PROVIDER_TIMEOUT_MS", "fast");
    s_expect_exit2("BEDROCK_BREAKER_FAILURES", "0");
    s_expect_exit2("BEDROCK_RATE_MUSICBRAINZ", "-1");
    s_expect_exit2("BEDROCK_ITUNES_COUNTRY", "usa");
    /* Defaults. */
    provider_http_t *http = provider_http_new(NULL);
    assert_string_equal(provider_http_base(http, "musicbrainz"), "https://musicbrainz.org");
    assert_string_equal(provider_http_base(http, "deezer"), "https://api.deezer.com");
    assert_string_equal(provider_http_base(http, "spotify"), "https://api.spotify.com");
    assert_string_equal(provider_http_base(http, "spotify-auth"), "https://accounts.spotify.com");
    assert_string_equal(provider_http_base(http, "lrclib"), "https://lrclib.net");
    assert_string_equal(provider_http_base(http, "itunes"), "https://itunes.apple.com");
    assert_string_equal(provider_http_credential(http, "itunes", "country"), "us");
    assert_string_equal(provider_http_credential(http, "spotify", "market"), "US");
    assert_null(provider_http_credential(http, "spotify", "client_id"));
    assert_null(provider_http_credential(http, "deezer", "client_id"));
    provider_http_destroy(&http);
}

int main(void)
{
    log_set_level(LOG_LEVEL_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basics),  cmocka_unit_test(test_upstream_failures),
        cmocka_unit_test(test_breaker), cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
