/* lib_me — the Me endpoints of a user's own account over HTTP: PATCH /v1/me
 * (validation, partial updates), favorites (idempotent PUT/DELETE, ids, type filter,
 * a cursor walk), sessions (list, revoke, someone else's is 404), player state,
 * listening history and search history (newest first, paginated, per user).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "check.h"
#include "lib_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cluster_t *s_cluster;
static const char *s_base;

static const char *s_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void s_patch_invalid(const fixture_user_t *u, const char *body, const char *field)
{
    http_response_t *r = lt_call(s_base, "PATCH", "/v1/me", u->access, body);
    expect_invalid_argument(r, field);
    http_response_free(&r);
}

static void test_profile_update(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "profile");
    http_response_t *r = lt_call(s_base, "PATCH", "/v1/me", u.access,
                                 "{\"profile\":{\"display_name\":\"Zoë\",\"avatar_url\":"
                                 "\"https://img.example.com/a.png\",\"bio\":\"hi\"},"
                                 "\"preferences\":{\"language\":\"pt-BR\",\"region\":\"br\"},"
                                 "\"settings\":{\"privacy\":\"friends\",\"notifications\":false}}");
    expect_status(r, 200);
    json_t *me = expect_json_object(r);
    json_t *p = json_object_get(me, "profile"), *pr = json_object_get(me, "preferences");
    json_t *st = json_object_get(me, "settings");
    expect_that(r, s_str(p, "display_name") && !strcmp(s_str(p, "display_name"), "Zoë"), "name");
    expect_that(r, !strcmp(s_str(p, "avatar_url"), "https://img.example.com/a.png"), "avatar");
    expect_that(r, !strcmp(s_str(pr, "language"), "pt-BR"), "language");
    expect_that(r, !strcmp(s_str(pr, "region"), "BR"), "region is stored upper-case");
    expect_that(r, !strcmp(s_str(st, "privacy"), "friends"), "privacy");
    expect_that(r, json_is_false(json_object_get(st, "notifications")), "notifications");
    http_response_free(&r);

    /* Partial: only bio cleared, everything else kept. */
    r = lt_call(s_base, "PATCH", "/v1/me", u.access, "{\"profile\":{\"bio\":null}}");
    expect_status(r, 200);
    r = (http_response_free(&r), http_get(s_base, "/v1/me", u.access));
    p = json_object_get(r->json, "profile");
    expect_that(r, json_is_null(json_object_get(p, "bio")), "bio cleared");
    expect_that(r, !strcmp(s_str(p, "display_name"), "Zoë"), "display_name kept");
    http_response_free(&r);

    char long_name[160];
    memset(long_name, 'x', 101);
    long_name[101] = '\0';
    char body[400];
    snprintf(body, sizeof body, "{\"profile\":{\"display_name\":\"%s\"}}", long_name);
    s_patch_invalid(&u, body, "profile.display_name");
    s_patch_invalid(&u, "{\"profile\":{\"color\":\"red\"}}", "profile.color");
    s_patch_invalid(&u, "{\"profile\":{\"avatar_url\":\"ftp://x/y\"}}", "profile.avatar_url");
    s_patch_invalid(&u, "{\"profile\":7}", "profile");
    s_patch_invalid(&u, "{\"preferences\":{\"language\":\"english\"}}", "preferences.language");
    s_patch_invalid(&u, "{\"preferences\":{\"language\":\"pt-br\"}}", "preferences.language");
    s_patch_invalid(&u, "{\"preferences\":{\"region\":\"BRA\"}}", "preferences.region");
    s_patch_invalid(&u, "{\"settings\":{\"privacy\":\"secret\"}}", "settings.privacy");
    s_patch_invalid(&u, "{\"settings\":{\"privacy\":null}}", "settings.privacy");
    s_patch_invalid(&u, "{\"settings\":{\"notifications\":\"yes\"}}", "settings.notifications");
    s_patch_invalid(&u, "{\"nickname\":\"x\"}", "nickname");
    expect_that(NULL, lt_audit_count(u.id, "user.profile_updated") == 2,
                "two profile updates audited (the refused ones are not)");
    check_test_passed();
}

static void s_expect_204(const char *method, const fixture_user_t *u, const char *path)
{
    http_response_t *r = lt_call(s_base, method, path, u->access, NULL);
    expect_status(r, 204);
    http_response_free(&r);
}

static void s_expect_error(const char *method, const fixture_user_t *u, const char *path,
                           long status, const char *code)
{
    http_response_t *r = lt_call(s_base, method, path, u->access, NULL);
    expect_error(r, status, code);
    http_response_free(&r);
}

static size_t s_count(const char *path, const fixture_user_t *u)
{
    http_response_t *r = http_get(s_base, path, u->access);
    expect_status(r, 200);
    json_t *items = lt_get(r, "items");
    expect_that(r, json_is_array(items), "items is an array");
    expect_that(r, json_object_get(r->json, "next_cursor") != NULL, "next_cursor is present");
    size_t n = json_array_size(items);
    http_response_free(&r);
    return n;
}

static void test_favorites(void **state)
{
    (void)state;
    fixture_user_t u, other;
    fixture_new_user(s_base, &u, "fav");
    fixture_new_user(s_base, &other, "fav2");
    s_expect_204("PUT", &u, "/v1/me/favorites/track/local:1");
    s_expect_204("PUT", &u, "/v1/me/favorites/track/local:1"); /* idempotent */
    s_expect_204("PUT", &u, "/v1/me/favorites/album/deezer:302127");
    s_expect_204("PUT", &u,
                 "/v1/me/favorites/artist/musicbrainz:8b2cccef-0000-4000-8000-00000000abcd");
    assert_int_equal(s_count("/v1/me/favorites", &u), 3);
    assert_int_equal(s_count("/v1/me/favorites?type=track", &u), 1);
    assert_int_equal(s_count("/v1/me/favorites?type=album", &u), 1);
    assert_int_equal(s_count("/v1/me/favorites", &other), 0);

    http_response_t *r = http_get(s_base, "/v1/me/favorites?type=track", u.access);
    json_t *item = json_array_get(lt_get(r, "items"), 0);
    expect_that(r, !strcmp(s_str(item, "type"), "track") && !strcmp(s_str(item, "id"), "local:1"),
                "the favorite reads back as {type, id, created_at}");
    expect_that(r, s_str(item, "created_at") != NULL, "created_at");
    http_response_free(&r);

    s_expect_error("PUT", &u, "/v1/me/favorites/song/local:1", 400, "invalid_argument");
    s_expect_error("PUT", &u, "/v1/me/favorites/track/local:abc", 400, "invalid_id");
    s_expect_error("PUT", &u, "/v1/me/favorites/track/nope:1", 404, "unknown_platform");
    s_expect_error("PUT", &u, "/v1/me/favorites/track/spotify:short", 400, "invalid_id");
    s_expect_error("GET", &u, "/v1/me/favorites?type=song", 400, "invalid_argument");

    s_expect_204("DELETE", &u, "/v1/me/favorites/track/local:1");
    s_expect_204("DELETE", &u, "/v1/me/favorites/track/local:1");           /* idempotent */
    s_expect_204("DELETE", &other, "/v1/me/favorites/album/deezer:302127"); /* not B's: no-op */
    assert_int_equal(s_count("/v1/me/favorites", &u), 2);
    check_test_passed();
}

/* Walks path?limit=N&cursor=... and returns every item's field (new array). */
static json_t *s_walk(const char *path, const fixture_user_t *u, int limit, const char *field)
{
    json_t *seen = json_array();
    char *cursor = NULL;
    for (int page = 0; page < 100; page++) {
        char p[900];
        snprintf(p, sizeof p, "%s%slimit=%d%s%s", path, strchr(path, '?') ? "&" : "?", limit,
                 cursor ? "&cursor=" : "", cursor ? cursor : "");
        free(cursor);
        cursor = NULL;
        http_response_t *r = http_get(s_base, p, u->access);
        expect_status(r, 200);
        json_t *items = lt_get(r, "items"), *v;
        size_t i;
        expect_that(r, json_array_size(items) <= (size_t)limit, "a page holds at most limit");
        json_array_foreach(items, i, v) json_array_append(seen, json_object_get(v, field));
        json_t *next = lt_get(r, "next_cursor");
        if (json_is_string(next))
            cursor = strdup(json_string_value(next));
        expect_that(r, json_is_string(next) || json_is_null(next), "next_cursor string or null");
        http_response_free(&r);
        if (!cursor)
            break;
    }
    free(cursor);
    return seen;
}

static bool s_unique(json_t *values)
{
    for (size_t i = 0; i < json_array_size(values); i++)
        for (size_t j = i + 1; j < json_array_size(values); j++)
            if (json_equal(json_array_get(values, i), json_array_get(values, j)))
                return false;
    return true;
}

static void test_favorites_pagination(void **state)
{
    (void)state;
    fixture_user_t u;
    fixture_new_user(s_base, &u, "favpage");
    for (int i = 1; i <= 25; i++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/me/favorites/track/local:%d", i);
        s_expect_204("PUT", &u, path);
    }
    json_t *seen = s_walk("/v1/me/favorites", &u, 7, "id");
    assert_int_equal(json_array_size(seen), 25);
    assert_true(s_unique(seen));
    /* Newest first: the last put comes first. */
    assert_string_equal(json_string_value(json_array_get(seen, 0)), "local:25");
    json_decref(seen);
    s_expect_error("GET", &u, "/v1/me/favorites?limit=0", 400, "invalid_argument");
    s_expect_error("GET", &u, "/v1/me/favorites?limit=101", 400, "invalid_argument");
    s_expect_error("GET", &u, "/v1/me/favorites?limit=ten", 400, "invalid_argument");
    s_expect_error("GET", &u, "/v1/me/favorites?cursor=garbage", 400, "invalid_argument");
    http_response_t *r = http_get(s_base, "/v1/me/favorites?cursor=WzEsMl0", u.access);
    expect_invalid_argument(r, "cursor"); /* [1,2]: right base64, wrong shape */
    http_response_free(&r);
    assert_int_equal(s_count("/v1/me/favorites?limit=100", &u), 25);
    assert_int_equal(s_count("/v1/me/favorites", &u), 20); /* default limit */
    check_test_passed();
}

static void test_sessions(void **state)
{
    (void)state;
    fixture_user_t a, a2, b;
    fixture_new_user(s_base, &a, "sess");
    a2 = a;
    fixture_relogin(s_base, &a2); /* a second session of the same user */
    fixture_new_user(s_base, &b, "sessb");

    http_response_t *r = http_get(s_base, "/v1/me/sessions", a.access);
    expect_status(r, 200);
    json_t *items = lt_get(r, "items"), *v;
    size_t i, current = 0;
    expect_that(r, json_array_size(items) == 2, "two live sessions");
    json_array_foreach(items, i, v)
    {
        expect_that(r, json_object_get(v, "token_hash") == NULL, "no token hash");
        if (json_is_true(json_object_get(v, "current"))) {
            current++;
            expect_that(r, !strcmp(s_str(v, "id"), a.sid), "the current one is this token's");
        }
    }
    expect_that(r, current == 1, "exactly one current session");
    http_response_free(&r);
    json_t *walk = s_walk("/v1/me/sessions", &a, 1, "id");
    assert_int_equal(json_array_size(walk), 2);
    json_decref(walk);

    /* B can neither see nor revoke A's session: 404, like a missing one. */
    char path[128];
    snprintf(path, sizeof path, "/v1/me/sessions/%s", a2.sid);
    s_expect_error("DELETE", &b, path, 404, "not_found");
    r = http_get(s_base, "/v1/me", a2.access);
    expect_status(r, 200);
    http_response_free(&r);
    s_expect_error("DELETE", &a, "/v1/me/sessions/not-a-uuid", 400, "invalid_id");

    /* A revokes its other session: that token stops working, this one does not. */
    s_expect_204("DELETE", &a, path);
    s_expect_error("DELETE", &a, path, 404, "not_found");
    r = http_get(s_base, "/v1/me", a2.access);
    expect_error(r, 401, "unauthorized");
    http_response_free(&r);
    r = http_get(s_base, "/v1/me", a.access);
    expect_status(r, 200);
    http_response_free(&r);
    assert_int_equal(lt_audit_count(a.id, "session.revoked"), 1);
    check_test_passed();
}

static void s_player_invalid(const fixture_user_t *u, const char *body, long status,
                             const char *code, const char *field)
{
    http_response_t *r = lt_call(s_base, "PUT", "/v1/me/player", u->access, body);
    if (field)
        expect_invalid_argument(r, field);
    else
        expect_error(r, status, code);
    http_response_free(&r);
}

static void test_player(void **state)
{
    (void)state;
    fixture_user_t u, other;
    fixture_new_user(s_base, &u, "player");
    fixture_new_user(s_base, &other, "player2");
    http_response_t *r = http_get(s_base, "/v1/me/player", u.access);
    expect_status(r, 200);
    expect_that(r, json_is_null(lt_get(r, "track_id")), "no track by default");
    expect_that(r, json_integer_value(lt_get(r, "position_ms")) == 0, "position 0");
    expect_that(r, json_is_false(lt_get(r, "is_playing")), "not playing");
    http_response_free(&r);

    r = lt_call(s_base, "PUT", "/v1/me/player", u.access,
                "{\"track_id\":\"local:5\",\"position_ms\":1234,\"device\":\"phone\","
                "\"is_playing\":true}");
    expect_status(r, 200);
    http_response_free(&r);
    r = http_get(s_base, "/v1/me/player", u.access);
    expect_that(r, !strcmp(s_str(r->json, "track_id"), "local:5"), "track_id");
    expect_that(r, json_integer_value(lt_get(r, "position_ms")) == 1234, "position_ms");
    expect_that(r, !strcmp(s_str(r->json, "device"), "phone"), "device");
    expect_that(r, json_is_true(lt_get(r, "is_playing")), "is_playing");
    http_response_free(&r);
    r = http_get(s_base, "/v1/me/player", other.access);
    expect_that(r, json_is_null(lt_get(r, "track_id")), "another user's state is separate");
    http_response_free(&r);

    s_player_invalid(&u, "{\"track_id\":\"local:5\",\"position_ms\":-1}", 0, NULL, "position_ms");
    s_player_invalid(&u, "{\"track_id\":\"local:x\"}", 400, "invalid_id", NULL);
    s_player_invalid(&u, "{\"track_id\":\"zz:1\"}", 404, "unknown_platform", NULL);
    s_player_invalid(&u, "{\"position_ms\":5}", 0, NULL, "track_id");
    s_player_invalid(&u, "{\"track_id\":null,\"is_playing\":\"yes\"}", 0, NULL, "is_playing");
    s_player_invalid(&u, "{\"track_id\":null,\"volume\":3}", 0, NULL, "volume");
    r = lt_call(s_base, "PUT", "/v1/me/player", u.access, "{\"track_id\":null}");
    expect_status(r, 200);
    expect_that(r, json_is_null(lt_get(r, "track_id")) && json_is_false(lt_get(r, "is_playing")),
                "PUT replaces the whole state");
    http_response_free(&r);
    check_test_passed();
}

/* Plays through POST /v1/plays when the op exists; the history itself is written by
 * another engineer's plays.record, so the rows of this test go in by SQL. */
static void s_insert_plays(const char *user_id, int n)
{
    for (int i = 1; i <= n; i++) {
        char track[32], ago[16];
        snprintf(track, sizeof track, "local:%d", i);
        snprintf(ago, sizeof ago, "%d", i);
        const char *p[] = {user_id, track, ago};
        assert_int_equal(lt_sql_exec("INSERT INTO listening_history (user_id, track_id, "
                                     "played_at, played_ms, counted) VALUES ($1, $2, now() - "
                                     "$3::int * interval '1 minute', 30000, true)",
                                     p, 3),
                         0);
    }
}

static void test_history(void **state)
{
    (void)state;
    fixture_user_t u, other;
    fixture_new_user(s_base, &u, "hist");
    fixture_new_user(s_base, &other, "hist2");
    s_insert_plays(u.id, 5);
    s_insert_plays(other.id, 2);
    json_t *seen = s_walk("/v1/me/history", &u, 2, "track_id");
    assert_int_equal(json_array_size(seen), 5);
    for (int i = 0; i < 5; i++) {
        char want[32];
        snprintf(want, sizeof want, "local:%d", i + 1);
        assert_string_equal(json_string_value(json_array_get(seen, (size_t)i)), want);
    }
    json_decref(seen);
    assert_int_equal(s_count("/v1/me/history", &other), 2);

    /* A play recorded the way clients record them (plays.record) shows first. */
    http_response_t *r =
        http_post(s_base, "/v1/plays", u.access, "{\"track_id\":\"deezer:3135556\"}");
    if (r->status == 202) {
        http_response_free(&r);
        r = http_get(s_base, "/v1/me/history?limit=1", u.access);
        json_t *first = json_array_get(lt_get(r, "items"), 0);
        expect_that(r, !strcmp(s_str(first, "track_id"), "deezer:3135556"),
                    "the play through POST /v1/plays is the newest entry");
    } else {
        fprintf(stderr, "note: POST /v1/plays answered %ld; history checked through SQL only\n",
                r->status);
    }
    http_response_free(&r);
    check_test_passed();
}

static void test_search_history(void **state)
{
    (void)state;
    fixture_user_t u, other;
    fixture_new_user(s_base, &u, "search");
    fixture_new_user(s_base, &other, "search2");
    const char *queries[] = {"daft punk", "lou doillon", "billie jean"};
    for (int i = 0; i < 3; i++) {
        const char *p[] = {u.id, queries[i]};
        assert_int_equal(lt_sql_exec("INSERT INTO search_history (user_id, query, types, "
                                     "platform) VALUES ($1, $2, 'track', 'all')",
                                     p, 2),
                         0);
    }
    const char *po[] = {other.id};
    assert_int_equal(lt_sql_exec("INSERT INTO search_history (user_id, query) "
                                 "VALUES ($1, 'other')",
                                 po, 1),
                     0);
    json_t *seen = s_walk("/v1/me/search-history", &u, 2, "query");
    assert_int_equal(json_array_size(seen), 3);
    assert_string_equal(json_string_value(json_array_get(seen, 0)), "billie jean");
    json_decref(seen);
    /* A search made by the signed-in user is recorded (search.query). */
    http_response_t *r = http_get(s_base, "/v1/search?q=zzlibqq&platform=local", u.access);
    if (r->status == 200) {
        http_response_free(&r);
        r = http_get(s_base, "/v1/me/search-history?limit=1", u.access);
        json_t *first = json_array_get(lt_get(r, "items"), 0);
        expect_that(r, !strcmp(s_str(first, "query"), "zzlibqq"), "the search is recorded");
    } else {
        fprintf(stderr, "note: GET /v1/search answered %ld; search history checked through SQL\n",
                r->status);
    }
    http_response_free(&r);
    s_expect_204("DELETE", &u, "/v1/me/search-history");
    assert_int_equal(s_count("/v1/me/search-history", &u), 0);
    assert_int_equal(s_count("/v1/me/search-history", &other), 1);
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
    s_cluster = cluster_start(2);
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
        cmocka_unit_test_setup_teardown(test_profile_update, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_favorites, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_favorites_pagination, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_sessions, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_player, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_history, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_search_history, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name("lib_me", tests, s_group_setup, s_group_teardown);
}
