/* test_disc_unit — the pure parts of the discovery ops (no services): text folding and
 * cache-key normalisation (discovery_text.h), the search cursor (search_cursor.h) and
 * the merge of sources into a page (search_merge.h). Owner: discovery engineer (C2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "discovery_text.h"
#include "search_cursor.h"
#include "search_merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_fold(void **state)
{
    (void)state;
    char out[256];
    assert_true(discovery_text_fold("  Antônio   Carlos\tJOBIM ", out, sizeof out) > 0);
    assert_string_equal(out, "antonio carlos jobim");
    assert_true(discovery_text_fold("Ærøskøbing Straße Œuvre Łódź", out, sizeof out) > 0);
    assert_string_equal(out, "aeroskobing strasse oeuvre lodz");
    assert_true(discovery_text_fold("Мир ×", out, sizeof out) > 0); /* kept as is */
    assert_string_equal(out, "Мир ×");
    assert_true(discovery_text_same("Balls to the Wall", "balls  to the wall"));
    assert_false(discovery_text_same("Balls to the Wall", "balls to the wal"));
    assert_false(discovery_text_same(NULL, "x"));
    assert_int_equal(discovery_text_fold("abcdef", out, 4), -1);
}

static void test_key_part(void **state)
{
    (void)state;
    char out[256];
    assert_true(discovery_text_key_part("  AC/DC:  Live 100% ", out, sizeof out) > 0);
    assert_string_equal(out, "ac/dc%3A live 100%25");
    assert_true(discovery_text_squash("  a \n b  ", out, sizeof out) > 0);
    assert_string_equal(out, "a b");
    assert_int_equal(discovery_text_chars("Antônio"), 7);
}

static void test_cursor_round_trip(void **state)
{
    (void)state;
    json_t *offsets = json_pack("{s:i, s:i}", "local", 20, "deezer", 2);
    char *text = search_cursor_encode("track", offsets);
    assert_non_null(text);
    assert_null(strpbrk(text, "+/=")); /* base64url without padding */
    char *kind = NULL;
    json_t *back = NULL;
    assert_int_equal(search_cursor_decode(text, &kind, &back), 0);
    assert_string_equal(kind, "track");
    assert_true(json_equal(offsets, back));
    free(kind);
    json_decref(back);
    free(text);
    json_decref(offsets);
    /* Garbage, a wrong kind, a negative offset: refused. */
    assert_int_equal(search_cursor_decode("bm9wZQ", &kind, &back), -1);
    json_t *bad = json_pack("{s:i}", "local", -1);
    text = search_cursor_encode("track", bad);
    assert_int_equal(search_cursor_decode(text, &kind, &back), -1);
    free(text);
    text = search_cursor_encode("song", bad);
    assert_int_equal(search_cursor_decode(text, &kind, &back), -1);
    free(text);
    json_decref(bad);
    assert_int_equal(search_cursor_decode("", &kind, &back), -1);
}

static json_t *s_view(const char *id, const char *isrc)
{
    return json_pack("{s:s, s:s?}", "id", id, "isrc", isrc);
}

/* A source of n views "name:0".."name:n-1"; isrcs[i] (may be NULL) per view. */
static void s_source(search_source_t *s, const char *name, bool local, int n, int requested,
                     const char *const *isrcs, const bool *exact)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    s->local = local;
    s->requested = requested;
    s->views = json_array();
    for (int i = 0; i < n; i++) {
        char id[64];
        snprintf(id, sizeof id, "%s:%d", name, i);
        json_array_append_new(s->views, s_view(id, isrcs ? isrcs[i] : NULL));
        s->exact[i] = exact ? exact[i] : false;
    }
}

static const char *s_id(const search_page_t *p, size_t i)
{
    return json_string_value(json_object_get(json_array_get(p->items, i), "id"));
}

static void test_merge_round_robin_exact_first(void **state)
{
    (void)state;
    search_source_t src[2];
    const bool exact[] = {false, false, true};
    s_source(&src[0], "local", true, 3, 3, NULL, NULL);
    s_source(&src[1], "deezer", false, 3, 3, NULL, exact);
    search_page_t page;
    assert_int_equal(search_merge(src, 2, 4, &page), 0);
    /* Heads: local:0 / deezer:0 -> local first; then deezer:0; local:1; deezer:1. The
     * exact deezer:2 is not a head before deezer:0 and :1 are taken (order is kept). */
    assert_string_equal(s_id(&page, 0), "local:0");
    assert_string_equal(s_id(&page, 1), "deezer:0");
    assert_string_equal(s_id(&page, 2), "local:1");
    assert_string_equal(s_id(&page, 3), "deezer:1");
    assert_int_equal(json_integer_value(json_object_get(page.next, "local")), 2);
    assert_int_equal(json_integer_value(json_object_get(page.next, "deezer")), 2);
    search_page_clear(&page);
    /* An exact head goes first whatever its source. */
    const bool first_exact[] = {true, false, false};
    search_source_clear(&src[1]);
    s_source(&src[1], "deezer", false, 3, 3, NULL, first_exact);
    assert_int_equal(search_merge(src, 2, 2, &page), 0);
    assert_string_equal(s_id(&page, 0), "deezer:0");
    assert_string_equal(s_id(&page, 1), "local:0");
    search_page_clear(&page);
    search_source_clear(&src[0]);
    search_source_clear(&src[1]);
}

static void test_merge_isrc_dedup(void **state)
{
    (void)state;
    search_source_t src[3];
    const char *local_isrc[] = {NULL, "GBARL1401524"};
    const char *dz_isrc[] = {"GBARL1401524", "USSM18300270"};
    const char *sp_isrc[] = {"USSM18300270", NULL};
    s_source(&src[0], "local", true, 2, 3, local_isrc, NULL);
    s_source(&src[1], "deezer", false, 2, 5, dz_isrc, NULL);
    s_source(&src[2], "spotify", false, 2, 5, sp_isrc, NULL);
    search_page_t page;
    assert_int_equal(search_merge(src, 3, 10, &page), 0);
    /* deezer:0 duplicates local:1 (local wins, although deezer's came first); spotify:0
     * duplicates deezer:1, taken before it (the first wins). A source whose head was
     * dropped keeps its turn: spotify:1 comes before local:1. */
    const char *want[] = {"local:0", "deezer:1", "spotify:1", "local:1"};
    assert_int_equal(json_array_size(page.items), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(s_id(&page, i), want[i]);
    /* Everything read, every source short of what was asked: no next page. */
    assert_null(page.next);
    search_page_clear(&page);
    for (int i = 0; i < 3; i++)
        search_source_clear(&src[i]);
}

static void test_merge_failed_source(void **state)
{
    (void)state;
    search_source_t src[2];
    s_source(&src[0], "local", true, 1, 3, NULL, NULL);
    memset(&src[1], 0, sizeof src[1]);
    src[1].name = "itunes";
    src[1].requested = 2;
    src[1].failed = true;
    search_page_t page;
    assert_int_equal(search_merge(src, 2, 2, &page), 0);
    assert_int_equal(json_array_size(page.items), 1);
    assert_null(page.next);
    search_page_clear(&page);
    search_source_clear(&src[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_key_part),
        cmocka_unit_test(test_cursor_round_trip),
        cmocka_unit_test(test_merge_round_robin_exact_first),
        cmocka_unit_test(test_merge_isrc_dedup),
        cmocka_unit_test(test_merge_failed_source),
    };
    return cmocka_run_group_tests_name("disc_unit", tests, NULL, NULL);
}
