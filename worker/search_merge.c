#include "search_merge.h"

#include <string.h>

void search_source_clear(search_source_t *src)
{
    json_decref(src->views);
    json_decref(src->docs);
    src->views = src->docs = NULL;
}

void search_page_clear(search_page_t *page)
{
    json_decref(page->items);
    json_decref(page->docs);
    json_decref(page->next);
    page->items = page->docs = page->next = NULL;
}

static size_t s_count(const search_source_t *s)
{
    size_t n = json_array_size(s->views);
    return n > SEARCH_FETCH_MAX ? SEARCH_FETCH_MAX : n;
}

static const char *s_isrc(const json_t *view)
{
    const json_t *v = json_object_get(view, "isrc");
    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/* The ISRCs of the local source's whole window, as a set (object of true). */
static json_t *s_local_isrcs(const search_source_t *src, int n)
{
    json_t *set = json_object();
    for (int i = 0; set && i < n; i++) {
        if (!src[i].local)
            continue;
        for (size_t j = 0; j < s_count(&src[i]); j++) {
            const char *isrc = s_isrc(json_array_get(src[i].views, j));
            if (isrc && json_object_set_new(set, isrc, json_true()) < 0) {
                json_decref(set);
                return NULL;
            }
        }
    }
    return set;
}

/* Index of the source whose head goes next, or -1 when every source is read. Fairness
 * counts the items a source has on the page (taken), not what it had read: a source
 * whose head was a dropped duplicate does not lose its turn. */
static int s_pick(const search_source_t *src, int n, const size_t *pos, const size_t *taken)
{
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (pos[i] >= s_count(&src[i]))
            continue;
        if (best < 0) {
            best = i;
            continue;
        }
        bool ei = src[i].exact[pos[i]], eb = src[best].exact[pos[best]];
        if ((ei && !eb) || (ei == eb && taken[i] < taken[best]))
            best = i;
    }
    return best;
}

/* Whether the item is a duplicate to drop; else remembers its ISRC. -1 out of memory. */
static int s_duplicate(const search_source_t *s, const json_t *view, json_t *local, json_t *seen)
{
    const char *isrc = s_isrc(view);
    if (!isrc)
        return 0;
    if (!s->local && json_object_get(local, isrc))
        return 1;
    if (json_object_get(seen, isrc))
        return 1;
    return json_object_set_new(seen, isrc, json_true()) < 0 ? -1 : 0;
}

static int s_take(const search_source_t *s, size_t j, search_page_t *out)
{
    if (json_array_append(out->items, json_array_get(s->views, j)) < 0)
        return -1;
    const json_t *doc = s->docs ? json_array_get(s->docs, j) : NULL;
    return doc ? json_array_append(out->docs, (json_t *)doc) : 0;
}

/* The next cursor's offsets, or NULL (no next page) in *next. -1 out of memory. */
static int s_next(const search_source_t *src, int n, const size_t *pos, json_t **next)
{
    bool more = false;
    for (int i = 0; i < n; i++) {
        bool unread = pos[i] < s_count(&src[i]);
        bool maybe_more = !src[i].failed && s_count(&src[i]) >= (size_t)src[i].requested;
        more = more || unread || maybe_more;
    }
    *next = NULL;
    if (!more)
        return 0;
    *next = json_object();
    for (int i = 0; *next && i < n; i++)
        if (json_object_set_new(*next, src[i].name, json_integer(src[i].offset + (long)pos[i])) < 0)
            return -1;
    return *next ? 0 : -1;
}

int search_merge(const search_source_t *src, int n, int limit, search_page_t *out)
{
    size_t pos[SEARCH_SOURCES_MAX] = {0}, taken[SEARCH_SOURCES_MAX] = {0};
    memset(out, 0, sizeof *out);
    if (n > SEARCH_SOURCES_MAX)
        n = SEARCH_SOURCES_MAX;
    json_t *local = s_local_isrcs(src, n), *seen = json_object();
    out->items = json_array();
    out->docs = json_array();
    int rc = (local && seen && out->items && out->docs) ? 0 : -1;
    for (int emitted = 0; rc == 0 && emitted < limit;) {
        int i = s_pick(src, n, pos, taken);
        if (i < 0)
            break;
        size_t j = pos[i]++;
        int dup = s_duplicate(&src[i], json_array_get(src[i].views, j), local, seen);
        if (dup < 0)
            rc = -1;
        else if (dup == 0 && (rc = s_take(&src[i], j, out)) == 0) {
            taken[i]++;
            emitted++;
        }
    }
    if (rc == 0)
        rc = s_next(src, n, pos, &out->next);
    json_decref(local);
    json_decref(seen);
    if (rc < 0)
        search_page_clear(out);
    return rc;
}
