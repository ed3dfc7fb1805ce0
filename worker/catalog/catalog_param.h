/* catalog_param — statement parameters from catalog documents (internal to the
 * catalog store). Owner: catalog engineer (C1).
 *
 * Parameters are text (libpq); NULL is SQL NULL. Strings are borrowed from the
 * document; numbers are printed into a caller's slot (catalog_slot_t).
 */
#ifndef BEDROCK_WORKER_CATALOG_PARAM_H
#define BEDROCK_WORKER_CATALOG_PARAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char text[32];
} catalog_slot_t;

/* doc[key] as a parameter: a non-empty string (borrowed), an integer or a boolean
 * (printed into slot), or NULL. */
const char *catalog_param(const json_t *doc, const char *key, catalog_slot_t *slot);

/* An id (> 0) printed into slot, or NULL for 0. */
const char *catalog_param_id(long long id, catalog_slot_t *slot);

/* Number of characters of UTF-8 text (what VARCHAR(n) counts). */
size_t catalog_utf8_len(const char *s);

/* True when doc[key] is absent/null or a string of at most max characters. */
bool catalog_fits(const json_t *doc, const char *key, size_t max);

/* The raw JSON text to store for doc: doc.raw when it is an object or array, else doc
 * itself without its "raw" key. New string the caller frees; NULL when out of memory. */
char *catalog_raw_text(const json_t *doc);

/* A PostgreSQL array literal "{1,2,3}" of n ids. New string the caller frees. */
char *catalog_id_array(const long long *ids, size_t n);

/* A growable list of ids. */
typedef struct {
    long long *v;
    size_t n, cap;
} catalog_ids_t;

int catalog_ids_push(catalog_ids_t *ids, long long id) __attribute__((warn_unused_result));
void catalog_ids_clear(catalog_ids_t *ids);

#endif
