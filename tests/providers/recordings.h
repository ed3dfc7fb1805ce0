/* recordings — the recorded provider answers of tests/data/providers, for tests.
 *
 * The directory is PROVIDERS_DATA_DIR (a compile definition: the source tree's
 * tests/data/providers), overridden by the environment variable
 * BEDROCK_PROVIDERS_DATA_DIR so that the same tests run on another set of
 * recordings (e.g. the held-back acceptance set). Failures to read abort the test.
 */
#ifndef BEDROCK_TEST_RECORDINGS_H
#define BEDROCK_TEST_RECORDINGS_H

#include <jansson.h>
#include <stddef.h>

/* The data directory (borrowed). */
const char *rec_dir(void);

/* The bytes of provider/file, NUL-terminated; *len may be NULL. Caller frees. */
char *rec_read(const char *provider, const char *file, size_t *len);

/* provider/file parsed as JSON. Caller owns the reference. */
json_t *rec_json(const char *provider, const char *file);

/* provider/manifest.json's "entries" array, owned by the caller. */
json_t *rec_manifest(const char *provider);

#endif
