/* search_cursor — the opaque cursor of search pages. Owner: discovery engineer (C2).
 *
 * A search page merges several sources (local PostgreSQL and providers), each read
 * from its own offset, so the cursor carries one offset per source: base64url (no
 * padding) of the compact JSON {"k":"track"|"album"|"artist","o":{"local":20,"deezer":2}}.
 * A cursor belongs to one kind (the list it was handed out with); a source missing from
 * it starts at 0. Clients must treat it as opaque.
 */
#ifndef BEDROCK_WORKER_SEARCH_CURSOR_H
#define BEDROCK_WORKER_SEARCH_CURSOR_H

#include <jansson.h>

#define SEARCH_CURSOR_MAX 512           /* longest cursor text accepted */
#define SEARCH_CURSOR_OFFSET_MAX 100000 /* a larger offset is refused */

/* kind is "track", "album" or "artist"; offsets an object {source: integer}. Returns a
 * new string the caller frees, or NULL (out of memory / too long). */
char *search_cursor_encode(const char *kind, const json_t *offsets);

/* Decodes text: on 0, *kind (new string, caller frees) and *offsets (new object of
 * non-negative integers <= SEARCH_CURSOR_OFFSET_MAX, caller decrefs). -1 when text is
 * not a cursor of this shape (nothing is left allocated). */
int search_cursor_decode(const char *text, char **kind, json_t **offsets);

#endif
