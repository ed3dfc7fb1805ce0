/* shape — cmocka checks that a catalog document has the shape provider.h promises,
 * and small typed readers that fail the test with the key's name. */
#ifndef BEDROCK_TEST_SHAPE_H
#define BEDROCK_TEST_SHAPE_H

#include <jansson.h>
#include <stdbool.h>

/* obj[key] as a string / integer; fails the test when it is not one. */
const char *shape_str(const json_t *obj, const char *key);
long long shape_int(const json_t *obj, const char *key);
/* obj[key] is present and JSON null. */
void shape_null(const json_t *obj, const char *key);

void shape_track(const json_t *t, const char *platform);
/* with_tracks: the "tracks" key is present (possibly empty), else absent. */
void shape_album(const json_t *a, const char *platform, bool with_tracks);
void shape_artist(const json_t *a, const char *platform);
/* A search document; at least one result when non_empty. */
void shape_search(const json_t *s, const char *platform, bool non_empty);
void shape_lyrics(const json_t *l, const char *source);

#endif
