/* lib_playlists — a user's playlists over HTTP: create / list / get / update / delete,
 * items (add at a position with shifting, remove by position, replace), validation,
 * the ownership rule on every endpoint that takes a playlist id (another user gets 404
 * and changes nothing), the items limit, and two clients editing one playlist at once
 * (positions stay 0..n-1, unique, no item lost).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "lib_support.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS_MAX 50 /* BEDROCK_PLAYLIST_ITEMS_MAX of this program's cluster */
#define EDITS_PER_THREAD 60

static cluster_t *s_cluster;
static const char *s_base;

static const char *s_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Creates a playlist of u named name; its id into id (size 64). */
static void s_create(const fixture_user_t *u, const char *name, char *id)
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"%s\"}", name);
    http_response_t *r = lt_call(s_base, "POST", "/v1/me/playlists", u->access, body);
    expect_status(r, 201);
    expect_that(r, s_str(r->json, "id") != NULL, "the playlist has an id");
    snprintf(id, 64, "%s", s_str(r->json, "id"));
    http_response_free(&r);
}

/* The track ids of the playlist in position order, checking positions are 0..n-1. */
static json_t *s_tracks(const fixture_user_t *u, const char *id)
{
    http_response_t *r = lt_callf(s_base, "GET", u->access, NULL, "/v1/me/playlists/%s", id);
    expect_status(r, 200);
    json_t *items = lt_get(r, "items"), *v, *out = json_array();
    size_t i;
    json_array_foreach(items, i, v)
    {
        expect_that(r, json_integer_value(json_object_get(v, "position")) == (json_int_t)i,
                    "positions are dense from 0 (item %zu)", i);
        json_array_append(out, json_object_get(v, "track_id"));
    }
    expect_that(r,
                json_integer_value(lt_get(r, "item_count")) == (json_int_t)json_array_size(items),
                "item_count matches the items");
    http_response_free(&r);
    return out;
}

static void s_expect_tracks(const fixture_user_t *u, const char *id, const char *const *want)
{
    json_t *got = s_tracks(u, id);
    size_t n = 0;
    while (want[n])
        n++;
    char *text = json_dumps(got, JSON_COMPACT);
    if (json_array_size(got) != n)
        fail_msg("playlist holds %s, expected %zu items", text, n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(json_string_value(json_array_get(got, i)), want[i]) != 0)
            fail_msg("playlist holds %s; item %zu should be %s", text, i, want[i]);
    free(text);
    json_decref(got);
}

static void s_status(const fixture_user_t *u, const char *method, const char *body, long status,
                     const char *code, const char *fmt, const char *id)
{
    http_response_t *r = lt_callf(s_base, method, u->access, body, fmt, id);
    if (code)
        expect_error(r, status, code);
    else
        expect_status(r, status);
    http_response_free(&r);
}

static void test_playlist_crud(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "plcrud");
    http_response_t *r = lt_call(s_base, "POST", "/v1/me/playlists", u.access,
                                 "{\"name\":\"Road trip\",\"description\":\"d\",\"public\":true}");
    expect_status(r, 201);
    char id[64];
    snprintf(id, sizeof id, "%s", s_str(r->json, "id"));
    expect_that(r, !strcmp(s_str(r->json, "name"), "Road trip"), "name");
    expect_that(r, json_is_true(lt_get(r, "public")), "public");
    expect_that(r, json_array_size(lt_get(r, "items")) == 0, "no items yet");
    http_response_free(&r);

    const char *bad[][2] = {{"{}", "name"},
                            {"{\"name\":\"\"}", "name"},
                            {"{\"name\":7}", "name"},
                            {"{\"name\":\"x\",\"public\":\"yes\"}", "public"},
                            {"{\"name\":\"x\",\"color\":1}", "color"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = lt_call(s_base, "POST", "/v1/me/playlists", u.access, bad[i][0]);
        expect_invalid_argument(r, bad[i][1]);
        http_response_free(&r);
    }

    s_status(&u, "PATCH", "{\"name\":\"New\",\"public\":false}", 200, NULL, "/v1/me/playlists/%s",
             id);
    r = lt_callf(s_base, "GET", u.access, NULL, "/v1/me/playlists/%s", id);
    expect_that(r, !strcmp(s_str(r->json, "name"), "New"), "renamed");
    expect_that(r, !strcmp(s_str(r->json, "description"), "d"), "description kept");
    expect_that(r, json_is_false(lt_get(r, "public")), "made private");
    http_response_free(&r);
    s_status(&u, "PATCH", "{\"description\":null}", 200, NULL, "/v1/me/playlists/%s", id);
    s_status(&u, "PATCH", "{\"name\":\"\"}", 400, "invalid_argument", "/v1/me/playlists/%s", id);
    s_status(&u, "GET", NULL, 400, "invalid_id", "/v1/me/playlists/%s", "xyz");

    char ids[5][64];
    for (int i = 0; i < 5; i++)
        s_create(&u, "walk", ids[i]);
    json_t *seen = json_array();
    char cursor[512] = "";
    for (int page = 0; page < 10; page++) {
        r = lt_callf(s_base, "GET", u.access, NULL, "/v1/me/playlists?limit=2%s%s",
                     cursor[0] ? "&cursor=" : "", cursor);
        expect_status(r, 200);
        json_t *v;
        size_t i;
        json_array_foreach(lt_get(r, "items"), i, v)
            json_array_append(seen, json_object_get(v, "id"));
        json_t *next = lt_get(r, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", json_is_string(next) ? json_string_value(next) : "");
        http_response_free(&r);
        if (!cursor[0])
            break;
    }
    assert_int_equal(json_array_size(seen), 6);
    for (size_t i = 0; i < 6; i++)
        for (size_t j = i + 1; j < 6; j++)
            assert_false(json_equal(json_array_get(seen, i), json_array_get(seen, j)));
    json_decref(seen);

    s_status(&u, "DELETE", NULL, 204, NULL, "/v1/me/playlists/%s", id);
    s_status(&u, "GET", NULL, 404, "not_found", "/v1/me/playlists/%s", id);
    s_status(&u, "DELETE", NULL, 404, "not_found", "/v1/me/playlists/%s", id);
    check_test_passed();
}

static void test_playlist_items(void **state)
{
    (void)state;
    fixture_user_t u;
    char id[64];
    fixture_new_user(s_base, &u, "items");
    s_create(&u, "items", id);
    const char *fmt = "/v1/me/playlists/%s/items";
    s_status(&u, "POST", "{\"track_ids\":[\"local:1\",\"local:2\",\"local:3\"]}", 200, NULL, fmt,
             id);
    s_status(&u, "POST", "{\"track_ids\":[\"local:9\",\"deezer:3135556\"],\"position\":1}", 200,
             NULL, fmt, id);
    const char *want1[] = {"local:1", "local:9", "deezer:3135556", "local:2", "local:3", NULL};
    s_expect_tracks(&u, id, want1);
    s_status(&u, "POST", "{\"track_ids\":[\"local:4\"],\"position\":5}", 200, NULL, fmt, id);
    s_status(&u, "POST", "{\"track_ids\":[\"local:4\"],\"position\":7}", 400, "invalid_argument",
             fmt, id);
    s_status(&u, "POST", "{\"track_ids\":[\"local:x\"]}", 400, "invalid_id", fmt, id);
    s_status(&u, "POST", "{\"track_ids\":[\"nope:1\"]}", 404, "unknown_platform", fmt, id);
    s_status(&u, "POST", "{\"track_ids\":[]}", 400, "invalid_argument", fmt, id);
    s_status(&u, "POST", "{\"track_ids\":\"local:1\"}", 400, "invalid_argument", fmt, id);
    s_status(&u, "POST", "{\"track_ids\":[\"local:1\"],\"position\":-1}", 400, "invalid_argument",
             fmt, id);

    const char *remove = "/v1/me/playlists/%s/items/1";
    s_status(&u, "DELETE", NULL, 204, NULL, remove, id);
    s_status(&u, "DELETE", NULL, 204, NULL, remove, id);
    const char *want2[] = {"local:1", "local:2", "local:3", "local:4", NULL};
    s_expect_tracks(&u, id, want2);
    s_status(&u, "DELETE", NULL, 404, "not_found", "/v1/me/playlists/%s/items/4", id);
    s_status(&u, "DELETE", NULL, 400, "invalid_argument", "/v1/me/playlists/%s/items/x", id);

    s_status(&u, "PUT", "{\"track_ids\":[\"local:4\",\"local:1\",\"local:4\"]}", 200, NULL, fmt,
             id);
    const char *want3[] = {"local:4", "local:1", "local:4", NULL};
    s_expect_tracks(&u, id, want3);
    s_status(&u, "PUT", "{\"track_ids\":[]}", 200, NULL, fmt, id);
    const char *none[] = {NULL};
    s_expect_tracks(&u, id, none);

    /* The limit: one request over it is refused whole, as is one that would pass it. */
    char body[2048] = "{\"track_ids\":[";
    for (int i = 0; i < ITEMS_MAX + 1; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body), "%s\"local:%d\"", i ? "," : "",
                 i + 1);
    strcat(body, "]}");
    s_status(&u, "PUT", body, 400, "invalid_argument", fmt, id);
    char half[1024] = "{\"track_ids\":[";
    for (int i = 0; i < ITEMS_MAX / 2 + 1; i++)
        snprintf(half + strlen(half), sizeof half - strlen(half), "%s\"local:%d\"", i ? "," : "",
                 i + 1);
    strcat(half, "]}");
    s_status(&u, "POST", half, 200, NULL, fmt, id);
    s_status(&u, "POST", half, 409, "playlist_full", fmt, id);
    check_test_passed();
}

static void test_playlist_ownership(void **state)
{
    (void)state;
    fixture_user_t a, b;
    char id[64];
    fixture_new_user(s_base, &a, "owner");
    fixture_new_user(s_base, &b, "intruder");
    s_create(&a, "mine", id);
    s_status(&a, "POST", "{\"track_ids\":[\"local:1\",\"local:2\"]}", 200, NULL,
             "/v1/me/playlists/%s/items", id);

    s_status(&b, "GET", NULL, 404, "not_found", "/v1/me/playlists/%s", id);
    s_status(&b, "PATCH", "{\"name\":\"stolen\"}", 404, "not_found", "/v1/me/playlists/%s", id);
    s_status(&b, "POST", "{\"track_ids\":[\"local:3\"]}", 404, "not_found",
             "/v1/me/playlists/%s/items", id);
    s_status(&b, "PUT", "{\"track_ids\":[]}", 404, "not_found", "/v1/me/playlists/%s/items", id);
    s_status(&b, "DELETE", NULL, 404, "not_found", "/v1/me/playlists/%s/items/0", id);
    s_status(&b, "DELETE", NULL, 404, "not_found", "/v1/me/playlists/%s", id);
    http_response_t *r = http_get(s_base, "/v1/me/playlists", b.access);
    expect_that(r, json_array_size(lt_get(r, "items")) == 0, "B lists none of A's playlists");
    http_response_free(&r);

    /* A's playlist is exactly as it was. */
    r = lt_callf(s_base, "GET", a.access, NULL, "/v1/me/playlists/%s", id);
    expect_status(r, 200);
    expect_that(r, !strcmp(s_str(r->json, "name"), "mine"), "name unchanged");
    http_response_free(&r);
    const char *want[] = {"local:1", "local:2", NULL};
    s_expect_tracks(&a, id, want);
    check_test_passed();
}

typedef struct {
    const fixture_user_t *u;
    const char *id;
    int thread;
    int added, removed, failed;
} s_editor_t;

/* Inserts one track at position 1 (or appends) and every third edit removes the item
 * at position 1: both shift the positions of everything after. */
static void *s_editor(void *arg)
{
    s_editor_t *e = arg;
    http_conn_t *conn = http_conn_new();
    char url[512], body[128];
    for (int i = 0; i < EDITS_PER_THREAD; i++) {
        http_request_t req = {.bearer = e->u->access, .url = url};
        if (i % 3 == 2) {
            snprintf(url, sizeof url, "%s/v1/me/playlists/%s/items/1", s_base, e->id);
            req.method = "DELETE";
        } else {
            snprintf(url, sizeof url, "%s/v1/me/playlists/%s/items", s_base, e->id);
            snprintf(body, sizeof body, "{\"track_ids\":[\"local:%d\"]%s}",
                     e->thread * 1000 + i + 1, i % 2 ? ",\"position\":1" : "");
            req.method = "POST";
            req.body = body;
        }
        http_response_t *r = http_do_on(conn, &req);
        if (r->status == 200)
            e->added++;
        else if (r->status == 204)
            e->removed++;
        else if (r->status != 404) /* removing at 1 from a playlist of one item */
            e->failed++;
        http_response_free(&r);
    }
    http_conn_destroy(&conn);
    return NULL;
}

static void test_concurrent_edits(void **state)
{
    (void)state;
    fixture_user_t u;
    char id[64];
    fixture_new_user(s_base, &u, "concurrent");
    s_create(&u, "shared", id);
    s_status(&u, "POST", "{\"track_ids\":[\"local:1\",\"local:2\"]}", 200, NULL,
             "/v1/me/playlists/%s/items", id);
    s_editor_t e[2] = {{&u, id, 1, 0, 0, 0}, {&u, id, 2, 0, 0, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, s_editor, &e[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(e[0].failed + e[1].failed, 0);
    json_t *tracks = s_tracks(&u, id); /* checks positions 0..n-1 */
    long expected = 2 + e[0].added + e[1].added - e[0].removed - e[1].removed;
    assert_int_equal((long)json_array_size(tracks), expected);
    for (size_t i = 0; i < json_array_size(tracks); i++)
        for (size_t j = i + 1; j < json_array_size(tracks); j++)
            assert_false(json_equal(json_array_get(tracks, i), json_array_get(tracks, j)));
    json_decref(tracks);
    long dupes = lt_sql_long("SELECT count(*) - count(DISTINCT position) FROM user_playlist_items "
                             "WHERE playlist_id = $1::uuid",
                             (const char *[]){id}, 1);
    assert_int_equal(dupes, 0);
    check_test_passed();
}

static int s_setup(void **state)
{
    (void)state;
    check_test_begin(s_cluster);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    return check_test_end();
}

static int s_group_setup(void **state)
{
    (void)state;
    static const char *const worker_env[] = {"BEDROCK_PLAYLIST_ITEMS_MAX=50", NULL};
    cluster_options_t opt = {.n_workers = 2, .worker_env = worker_env};
    s_cluster = cluster_start_opts(&opt);
    if (!s_cluster)
        return -1;
    s_base = cluster_base_url(s_cluster);
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    return cluster_stop(&s_cluster) == 0 ? 0 : -1;
}

int main(void)
{
    check_require_services();
    proc_watchdog(85);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_playlist_crud, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_playlist_items, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_playlist_ownership, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_edits, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("lib_playlists", tests, s_group_setup, s_group_teardown);
}
