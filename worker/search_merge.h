/* search_merge — one page of one kind out of several sources (local + providers).
 * Owner: discovery engineer (C2).
 *
 * Each source is a ranked list read from its own offset. The page is a k-way merge that
 * keeps every source's order: at each step the head to take is an exact title/name
 * match before any other, then the one whose source has the fewest items on the page
 * so far (round-robin), then the source order (local first). So an exact local match is
 * always first, and the providers' best results come next to the local ones.
 *
 * De-duplication by ISRC (tracks): a provider item whose ISRC is also held by an item of
 * the local source's window is dropped (the local one is kept); otherwise the first item
 * of an ISRC taken on the page wins. Dropped items count as read from their source, so
 * the next page starts after them.
 *
 * The next cursor's offsets: each source's offset + what was read from it. There is no
 * next page when every source is exhausted (it returned fewer than asked, or failed)
 * and fully read.
 */
#ifndef BEDROCK_WORKER_SEARCH_MERGE_H
#define BEDROCK_WORKER_SEARCH_MERGE_H

#include "search_request.h"

#include <jansson.h>
#include <stdbool.h>

/* The local source reads one row more than the page to know whether more follow. */
#define SEARCH_FETCH_MAX (SEARCH_LIMIT_MAX + 1)

typedef struct {
    const char *name; /* platform; borrowed */
    bool local;
    json_t *views; /* owned array of API views (NULL = nothing) */
    json_t *docs;  /* owned array of provider documents parallel to views, or NULL */
    long offset;   /* where this read started */
    int requested; /* how many were asked for */
    bool failed;   /* the provider failed: nothing was read */
    bool exact[SEARCH_FETCH_MAX];
} search_source_t;

typedef struct {
    json_t *items; /* the page: new array of views */
    json_t *docs;  /* provider documents of the page's provider items (to store), new array */
    json_t *next;  /* {source: offset} for the next cursor; NULL when there is no next page */
} search_page_t;

/* Merges src[0..n) into at most limit items. Returns 0, or -1 out of memory (out is then
 * cleared). */
int search_merge(const search_source_t *src, int n, int limit, search_page_t *out)
    __attribute__((warn_unused_result));

void search_source_clear(search_source_t *src);
void search_page_clear(search_page_t *page);

#endif
