/* docs — GET /openapi.yaml and GET /docs (local ops frontend.openapi, frontend.docs).
 *
 * frontend/openapi.yaml (the API contract as OpenAPI 3.1) and frontend/docs.html (a
 * self-contained page that fetches /openapi.yaml and renders it) are compiled into
 * the binary: frontend/CMakeLists.txt turns them into byte arrays (docs_assets.c in
 * the build tree) and re-runs when either file changes. Nothing is read at run time,
 * so a deployed frontend always serves the contract it was built with.
 */
#ifndef BEDROCK_DOCS_H
#define BEDROCK_DOCS_H

#include <stddef.h>

#define DOCS_OPENAPI_CONTENT_TYPE "application/yaml; charset=utf-8"
#define DOCS_HTML_CONTENT_TYPE "text/html; charset=utf-8"

typedef struct {
    const char *name;         /* local op name without "frontend.": "openapi", "docs" */
    const char *content_type; /* what the response's Content-Type says */
    const char *bytes;        /* the file's bytes, NUL-terminated (the NUL is not counted) */
    size_t len;
} docs_asset_t;

/* The asset answering local op name ("openapi" or "docs"), or NULL for any other
 * name. Static data, never freed; safe from any thread. */
const docs_asset_t *docs_find(const char *name);

#endif
