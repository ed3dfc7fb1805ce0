/* frontend/openapi.yaml against the code: the compiled-in copies equal the files, the
 * file keeps to the YAML subset the /docs page parses (checked line by line, so this
 * holds even where no YAML library is installed), every $ref resolves, and the paths
 * section and frontend/routes.c's table describe exactly the same endpoints: same
 * paths and methods, the route's op as operationId, its bearer policy as security,
 * its body policy as requestBody, and its {params} as path parameters.
 *
 * The file is read line by line: its format (two-space block style, see its header)
 * makes every key's place in the tree a matter of indentation. */
#include "docs.h"
#include "routes.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_PATH BEDROCK_SOURCE_DIR "/frontend/openapi.yaml"
#define HTML_PATH BEDROCK_SOURCE_DIR "/frontend/docs.html"
#define MAX_LINES 8192
#define MAX_OPS 128
#define MAX_PARAMS 8
#define TEXT_MAX 256

typedef struct {
    int indent;
    const char *text; /* after the indentation; points into s_buf */
    int number;       /* 1-based line number in the file */
    bool literal;     /* inside a literal block (|): free text */
} s_line_t;

static char *s_buf;
static size_t s_buf_len;
static s_line_t s_lines[MAX_LINES];
static int s_count;

typedef enum { SEC_UNSET, SEC_NONE, SEC_REQUIRED, SEC_OPTIONAL } s_security_t;

typedef struct {
    char path[TEXT_MAX];
    char method[16]; /* upper case */
    char op[TEXT_MAX];
    s_security_t security;
    bool has_body, body_required, has_tag, has_summary, has_responses;
    char params[MAX_PARAMS][64]; /* names of the path parameters it declares */
    int nparams;
} s_op_t;

static s_op_t s_ops[MAX_OPS];
static int s_nops;

static char *s_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, used = 0;
    for (;;) {
        if (used + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(buf, cap);
            assert_non_null(grown);
            buf = grown;
        }
        size_t n = fread(buf + used, 1, cap - used - 1, f);
        used += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[used] = '\0';
    *len = used;
    return buf;
}

/* "key: value" / "key:" -> the key (unquoted) in key, the value in *value ("" when
 * none). False when t is not a key line. */
static bool s_key(const char *t, char *key, size_t size, const char **value)
{
    const char *end;
    if (t[0] == '\'') {
        end = strchr(t + 1, '\'');
        if (!end || end[1] != ':')
            return false;
        snprintf(key, size, "%.*s", (int)(end - t - 1), t + 1);
        end++;
    } else {
        end = t;
        while (*end && !(end[0] == ':' && (end[1] == ' ' || end[1] == '\0')))
            end++;
        if (!*end || end == t || strchr("#'\"-[{", t[0]))
            return false;
        snprintf(key, size, "%.*s", (int)(end - t), t);
    }
    *value = end[1] == ' ' ? end + 2 : end + 1;
    return true;
}

/* Key line of a given indentation and key, e.g. s_is(l, 6, "security"). */
static bool s_is(const s_line_t *l, int indent, const char *key, const char **value)
{
    char k[TEXT_MAX];
    const char *v;
    if (l->literal || l->indent != indent || !s_key(l->text, k, sizeof k, &v))
        return false;
    if (value)
        *value = v;
    return strcmp(k, key) == 0;
}

static void s_load(void)
{
    if (s_buf)
        return;
    /* FRONTEND_DOCS_SPEC: check another copy (to see these checks fail on purpose) */
    const char *path = getenv("FRONTEND_DOCS_SPEC");
    s_buf = s_read_file(path && *path ? path : SPEC_PATH, &s_buf_len);
    assert_non_null(s_buf);
    int literal_parent = -1, number = 0;
    for (char *p = s_buf; *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        number++;
        int indent = (int)strspn(p, " ");
        const char *text = p + indent;
        bool blank = *text == '\0';
        if (literal_parent >= 0 && (blank || indent > literal_parent)) {
            assert_true(s_count < MAX_LINES);
            s_lines[s_count++] = (s_line_t){indent, text, number, true};
        } else if (!blank && text[0] != '#') {
            literal_parent = -1;
            size_t len = strlen(text);
            if (len >= 3 && strcmp(text + len - 3, ": |") == 0)
                literal_parent = indent;
            assert_true(s_count < MAX_LINES);
            s_lines[s_count++] = (s_line_t){indent, text, number, false};
        }
        if (!nl)
            break;
        p = nl + 1;
    }
}

static void s_fail_line(const s_line_t *l, const char *why)
{
    fail_msg("openapi.yaml line %d: %s: %s", l->number, why, l->text);
}

/* YAML 1.1 readers (PyYAML) take these plain words as booleans. */
static bool s_bool_like(const char *s)
{
    static const char *const words[] = {"y", "n", "yes", "no", "on", "off", NULL};
    for (int i = 0; words[i]; i++)
        if (strcasecmp(s, words[i]) == 0)
            return true;
    return false;
}

/* A value the subset allows: 'quoted', [flow, 'list'], {}, [], | or a safe plain. */
static bool s_value_ok(const char *v)
{
    size_t len = strlen(v);
    if (len == 0 || strcmp(v, "|") == 0 || strcmp(v, "{}") == 0)
        return true;
    if (v[0] == '\'') {
        int quotes = 0;
        for (const char *q = v; *q; q++)
            quotes += *q == '\'';
        return len >= 2 && v[len - 1] == '\'' && quotes % 2 == 0;
    }
    if (v[0] == '[') {
        if (v[len - 1] != ']')
            return false;
        char item[TEXT_MAX];
        for (const char *p = v + 1; *p && *p != ']';) {
            size_t n = strcspn(p, ",]");
            while (*p == ' ')
                p++, n--;
            snprintf(item, sizeof item, "%.*s", (int)n, p);
            if (!item[0] || strchr(item, '[') || strchr(item, '{') || !s_value_ok(item))
                return false;
            p += n;
            if (*p == ',')
                p++;
        }
        return true;
    }
    if (strchr("-?:,[]{}#&*!|>'\"%@`", v[0]) || strstr(v, ": ") || strstr(v, " #") ||
        v[len - 1] == ' ' || v[len - 1] == ':' || s_bool_like(v))
        return false;
    /* a date or time would be read as a timestamp, not a string */
    return !(isdigit((unsigned char)v[0]) && strlen(v) >= 10 && v[4] == '-' && v[7] == '-');
}

static void test_embedded_equals_files(void **state)
{
    (void)state;
    const char *paths[] = {SPEC_PATH, HTML_PATH};
    const char *names[] = {"openapi", "docs"};
    const char *types[] = {"application/yaml; charset=utf-8", "text/html; charset=utf-8"};
    for (int i = 0; i < 2; i++) {
        size_t len;
        char *file = s_read_file(paths[i], &len);
        assert_non_null(file);
        const docs_asset_t *a = docs_find(names[i]);
        assert_non_null(a);
        assert_string_equal(a->content_type, types[i]);
        assert_int_equal(a->len, len);
        assert_memory_equal(a->bytes, file, len);
        assert_int_equal(a->bytes[len], '\0');
        free(file);
    }
    assert_null(docs_find("metrics"));
    assert_null(docs_find(""));
}

static void test_yaml_subset(void **state)
{
    (void)state;
    s_load();
    assert_null(memchr(s_buf, '\t', s_buf_len));
    assert_null(memchr(s_buf, '\r', s_buf_len));
    const s_line_t *prev = NULL;
    for (int i = 0; i < s_count; i++) {
        const s_line_t *l = &s_lines[i];
        if (l->literal)
            continue;
        char key[TEXT_MAX];
        const char *value = NULL, *t = l->text;
        if (l->indent % 2)
            s_fail_line(l, "odd indentation");
        if (t[strlen(t) - 1] == ' ')
            s_fail_line(l, "trailing space");
        /* deeper only under "key:" or a "- " item, and by one level */
        bool opens = prev && (prev->text[0] == '-' || prev->text[strlen(prev->text) - 1] == ':');
        if (prev && l->indent > prev->indent && (!opens || l->indent > prev->indent + 2))
            s_fail_line(l, "unexpected indentation");
        if (strcmp(t, "-") == 0)
            s_fail_line(l, "an item must be on its dash's line");
        if (strncmp(t, "- ", 2) == 0)
            t += 2;
        if (s_key(t, key, sizeof key, &value)) {
            if (!s_value_ok(value))
                s_fail_line(l, "value outside the subset");
        } else if (t == l->text || !s_value_ok(t)) {
            s_fail_line(l, "neither a key nor an item");
        }
        prev = l;
    }
    const char *v;
    bool openapi = false, info = false, paths = false, components = false;
    for (int i = 0; i < s_count; i++) {
        if (s_is(&s_lines[i], 0, "openapi", &v))
            openapi = strncmp(v, "3.1.", 4) == 0;
        info = info || s_is(&s_lines[i], 0, "info", NULL);
        paths = paths || s_is(&s_lines[i], 0, "paths", NULL);
        components = components || s_is(&s_lines[i], 0, "components", NULL);
    }
    assert_true(openapi && info && paths && components);
}

/* Index of the first line at indent 0 with this key, or -1. */
static int s_top(const char *key)
{
    for (int i = 0; i < s_count; i++)
        if (s_is(&s_lines[i], 0, key, NULL))
            return i;
    return -1;
}

static bool s_component_exists(const char *ref)
{
    char section[64], name[128];
    if (sscanf(ref, "#/components/%63[^/]/%127s", section, name) != 2)
        return false;
    int i = s_top("components");
    assert_true(i >= 0);
    bool in_section = false;
    for (i++; i < s_count && (s_lines[i].indent > 0 || s_lines[i].literal); i++) {
        const s_line_t *l = &s_lines[i];
        if (!l->literal && l->indent == 2)
            in_section = s_is(l, 2, section, NULL);
        else if (in_section && s_is(l, 4, name, NULL))
            return true;
    }
    return false;
}

static void test_refs_resolve(void **state)
{
    (void)state;
    s_load();
    int refs = 0;
    for (int i = 0; i < s_count; i++) {
        const char *t = s_lines[i].text, *v;
        char key[TEXT_MAX], ref[TEXT_MAX];
        if (s_lines[i].literal)
            continue;
        if (strncmp(t, "- ", 2) == 0)
            t += 2;
        if (!s_key(t, key, sizeof key, &v) || strcmp(key, "$ref") != 0)
            continue;
        assert_true(v[0] == '\'' && strlen(v) < sizeof ref);
        snprintf(ref, sizeof ref, "%.*s", (int)strlen(v) - 2, v + 1);
        if (!s_component_exists(ref))
            s_fail_line(&s_lines[i], "unresolved $ref");
        refs++;
    }
    assert_true(refs > 100);
}

/* name and in of a parameter whose keys sit at key_indent from line from on (and, for
 * an inline item, first on its dash line: first is the text after "- "). */
static void s_param_keys(const char *first, int from, int key_indent, char *name, size_t size,
                         bool *in_path)
{
    char key[TEXT_MAX];
    const char *v;
    for (int j = first ? from - 1 : from; j < s_count; j++) {
        const char *t = s_lines[j].text;
        if (first && j == from - 1) {
            t = first;
        } else if (s_lines[j].literal || s_lines[j].indent > key_indent) {
            continue;
        } else if (s_lines[j].indent < key_indent) {
            break;
        }
        if (!s_key(t, key, sizeof key, &v))
            continue;
        if (strcmp(key, "name") == 0)
            snprintf(name, size, "%s", v);
        if (strcmp(key, "in") == 0)
            *in_path = strcmp(v, "path") == 0;
    }
}

/* The name of the path parameter declared by the "parameters:" item on line i (a
 * "- $ref" to components/parameters, or an inline "- name:" with "in: path"); ""
 * for a query or header parameter. */
static void s_param_name(int i, char *out, size_t size)
{
    char key[TEXT_MAX], name[64] = "", ref[128];
    const char *v, *t = s_lines[i].text + 2;
    bool in_path = false;
    out[0] = '\0';
    if (!s_key(t, key, sizeof key, &v))
        return;
    if (strcmp(key, "$ref") != 0) {
        s_param_keys(t, i + 1, s_lines[i].indent + 2, name, sizeof name, &in_path);
    } else if (sscanf(v, "'#/components/parameters/%127[^']", ref) == 1) {
        bool in_params = false;
        for (int c = s_top("components") + 1; c < s_count; c++) {
            if (!s_lines[c].literal && s_lines[c].indent == 2)
                in_params = s_is(&s_lines[c], 2, "parameters", NULL);
            else if (in_params && s_is(&s_lines[c], 4, ref, NULL)) {
                s_param_keys(NULL, c + 1, 6, name, sizeof name, &in_path);
                break;
            }
        }
    }
    if (in_path)
        snprintf(out, size, "%s", name);
}

/* Fills op from the lines [start, end) of its block (keys at indent 6). */
static void s_parse_op(s_op_t *op, int start, int end)
{
    char section[TEXT_MAX] = "";
    const char *v;
    for (int i = start; i < end; i++) {
        const s_line_t *l = &s_lines[i];
        if (!l->literal && l->indent == 6 && !s_key(l->text, section, sizeof section, &v))
            section[0] = '\0';
        if (s_is(l, 6, "operationId", &v))
            snprintf(op->op, sizeof op->op, "%s", v);
        op->has_tag = op->has_tag || s_is(l, 6, "tags", NULL);
        op->has_summary = op->has_summary || s_is(l, 6, "summary", NULL);
        op->has_responses = op->has_responses || s_is(l, 6, "responses", NULL);
        if (s_is(l, 6, "security", &v)) {
            bool bearer = false, anonymous = false;
            for (int j = i + 1; j < end && s_lines[j].indent > 6; j++) {
                anonymous = anonymous || strcmp(s_lines[j].text, "- {}") == 0;
                bearer = bearer || strcmp(s_lines[j].text, "- bearerAuth: []") == 0;
            }
            op->security = strcmp(v, "[]") == 0 ? SEC_NONE
                           : bearer             ? (anonymous ? SEC_OPTIONAL : SEC_REQUIRED)
                                                : SEC_UNSET;
        }
        if (s_is(l, 6, "requestBody", NULL)) {
            op->has_body = true;
            for (int j = i + 1; j < end && (s_lines[j].indent > 6 || s_lines[j].literal); j++)
                if (s_is(&s_lines[j], 8, "required", &v))
                    op->body_required = strcmp(v, "true") == 0;
        }
        if (strcmp(section, "parameters") == 0 && !l->literal && l->indent == 8 &&
            strncmp(l->text, "- ", 2) == 0 && op->nparams < MAX_PARAMS) {
            s_param_name(i, op->params[op->nparams], sizeof op->params[0]);
            if (op->params[op->nparams][0])
                op->nparams++;
        }
    }
}

static void s_parse_paths(void)
{
    static const char *const methods[] = {"get",   "put",     "post", "delete",
                                          "patch", "options", "head", "trace"};
    if (s_nops)
        return;
    s_load();
    int i = s_top("paths");
    assert_true(i >= 0);
    char path[TEXT_MAX] = "", key[TEXT_MAX];
    const char *v;
    for (i++; i < s_count && (s_lines[i].indent > 0 || s_lines[i].literal); i++) {
        const s_line_t *l = &s_lines[i];
        if (l->literal || !s_key(l->text, key, sizeof key, &v))
            continue;
        if (l->indent == 2) {
            assert_string_equal(v, "");
            snprintf(path, sizeof path, "%s", key);
            continue;
        }
        if (l->indent != 4)
            continue;
        bool is_method = false;
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
            is_method = is_method || strcmp(key, methods[m]) == 0;
        if (!is_method)
            continue;
        assert_true(s_nops < MAX_OPS);
        s_op_t *op = &s_ops[s_nops++];
        memset(op, 0, sizeof *op);
        snprintf(op->path, sizeof op->path, "%s", path);
        for (size_t c = 0; key[c] && c < sizeof op->method - 1; c++)
            op->method[c] = (char)toupper((unsigned char)key[c]);
        int end = i + 1;
        while (end < s_count && (s_lines[end].indent > 4 || s_lines[end].literal))
            end++;
        s_parse_op(op, i + 1, end);
    }
}

static const s_op_t *s_find_op(const char *method, const char *path)
{
    for (int i = 0; i < s_nops; i++)
        if (strcmp(s_ops[i].method, method) == 0 && strcmp(s_ops[i].path, path) == 0)
            return &s_ops[i];
    return NULL;
}

/* The {names} of pattern are exactly the op's path parameters. */
static void s_check_params(const routes_route_t *r, const s_op_t *op)
{
    int n = 0;
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(p + 1, "}"), p + 1);
        bool found = false;
        for (int i = 0; i < op->nparams; i++)
            found = found || strcmp(op->params[i], name) == 0;
        if (!found)
            fail_msg("%s %s: path parameter %s is not declared", r->method, r->pattern, name);
        n++;
    }
    if (n != op->nparams)
        fail_msg("%s %s: %d path parameters declared, %d in the path", r->method, r->pattern,
                 op->nparams, n);
}

static void test_every_route_is_documented(void **state)
{
    (void)state;
    s_parse_paths();
    size_t count;
    const routes_route_t *table = routes_table(&count);
    for (size_t i = 0; i < count; i++) {
        const routes_route_t *r = &table[i];
        const s_op_t *op = s_find_op(r->method, r->pattern);
        if (!op)
            fail_msg("routes.c %s %s is not in openapi.yaml", r->method, r->pattern);
        if (strcmp(op->op, r->op) != 0)
            fail_msg("%s %s: operationId %s, route op %s", r->method, r->pattern, op->op, r->op);
        s_security_t want = r->auth == ROUTES_AUTH_NONE       ? SEC_NONE
                            : r->auth == ROUTES_AUTH_REQUIRED ? SEC_REQUIRED
                                                              : SEC_OPTIONAL;
        if (op->security != want)
            fail_msg("%s %s: security does not say the route's bearer policy", r->method,
                     r->pattern);
        bool body_ok = r->body == ROUTES_BODY_NONE     ? !op->has_body
                       : r->body == ROUTES_BODY_OBJECT ? op->has_body && op->body_required
                                                       : op->has_body && !op->body_required;
        if (!body_ok)
            fail_msg("%s %s: requestBody does not say the route's body policy", r->method,
                     r->pattern);
        s_check_params(r, op);
    }
}

static void test_every_documented_path_is_routed(void **state)
{
    (void)state;
    s_parse_paths();
    size_t count;
    const routes_route_t *table = routes_table(&count);
    for (int i = 0; i < s_nops; i++) {
        const s_op_t *op = &s_ops[i];
        bool found = false;
        for (size_t j = 0; j < count && !found; j++)
            found =
                strcmp(table[j].method, op->method) == 0 && strcmp(table[j].pattern, op->path) == 0;
        if (!found)
            fail_msg("openapi.yaml %s %s is not in routes.c", op->method, op->path);
        if (!op->has_tag || !op->has_summary || !op->has_responses)
            fail_msg("openapi.yaml %s %s: tags, summary and responses are required", op->method,
                     op->path);
    }
    assert_int_equal((size_t)s_nops, count);
}

static int s_teardown(void **state)
{
    (void)state;
    free(s_buf);
    s_buf = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_equals_files),
        cmocka_unit_test(test_yaml_subset),
        cmocka_unit_test(test_refs_resolve),
        cmocka_unit_test(test_every_route_is_documented),
        cmocka_unit_test(test_every_documented_path_is_routed),
    };
    return cmocka_run_group_tests(tests, NULL, s_teardown);
}
