#include "discovery_text.h"

#include <string.h>

/* Base letters of U+00C0..U+00FF: '*' = several letters (s_special), '=' = kept as is. */
static const char s_latin1[] = "aaaaaa*ceeeeiiiidnooooo=ouuuuy**aaaaaa*ceeeeiiiidnooooo=ouuuuy*y";
/* Base letters of U+0100..U+017F (Latin Extended-A), '*' as above. */
static const char s_ext_a[] = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkkllllllllll"
                              "nnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/* The letters of the '*' entries (lower-case, as unaccent + lower gives them). */
static const char *s_special(unsigned cp)
{
    switch (cp) {
    case 0xC6:
    case 0xE6:
        return "ae";
    case 0xDE:
    case 0xFE:
        return "th";
    case 0xDF:
        return "ss";
    case 0x132:
    case 0x133:
        return "ij";
    case 0x152:
    case 0x153:
        return "oe";
    default:
        return NULL;
    }
}

static bool s_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static char s_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Appends n bytes; false when they do not fit (one byte is kept for the NUL). */
static bool s_put(char *out, size_t size, size_t *len, const char *bytes, size_t n)
{
    if (*len + n >= size)
        return false;
    memcpy(out + *len, bytes, n);
    *len += n;
    return true;
}

/* The shared walk: whitespace runs become one space (none at either end); each other
 * character goes through emit. Returns the length or -1. */
typedef bool (*s_emit_fn)(const unsigned char **p, char *out, size_t size, size_t *len);

static int s_walk(const char *in, char *out, size_t size, s_emit_fn emit)
{
    size_t len = 0;
    bool pending_space = false;
    if (size == 0)
        return -1;
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    while (*p) {
        if (s_space(*p)) {
            pending_space = len > 0;
            p++;
            continue;
        }
        if (pending_space && !s_put(out, size, &len, " ", 1))
            return -1;
        pending_space = false;
        if (!emit(&p, out, size, &len))
            return -1;
    }
    out[len] = '\0';
    return (int)len;
}

static bool s_emit_key(const unsigned char **p, char *out, size_t size, size_t *len)
{
    char c = (char)**p;
    (*p)++;
    if (c == ':')
        return s_put(out, size, len, "%3A", 3);
    if (c == '%')
        return s_put(out, size, len, "%25", 3);
    c = s_lower(c);
    return s_put(out, size, len, &c, 1);
}

static bool s_emit_raw(const unsigned char **p, char *out, size_t size, size_t *len)
{
    const char c = (char)**p;
    (*p)++;
    return s_put(out, size, len, &c, 1);
}

/* A two-byte UTF-8 sequence's code point, or 0 when p does not start one. */
static unsigned s_two_byte(const unsigned char *p)
{
    if ((p[0] & 0xE0) != 0xC0 || (p[1] & 0xC0) != 0x80)
        return 0;
    return ((unsigned)(p[0] & 0x1F) << 6) | (unsigned)(p[1] & 0x3F);
}

static bool s_emit_fold(const unsigned char **p, char *out, size_t size, size_t *len)
{
    unsigned cp = s_two_byte(*p);
    char base = 0;
    if (cp >= 0xC0 && cp <= 0xFF)
        base = s_latin1[cp - 0xC0];
    else if (cp >= 0x100 && cp <= 0x17F)
        base = s_ext_a[cp - 0x100];
    if (base == 0 || base == '=') {
        /* Not a letter we fold: one byte (the rest of a sequence follows on the next
         * calls; continuation bytes are never whitespace). */
        char c = (char)**p;
        (*p)++;
        if ((unsigned char)c < 0x80)
            c = s_lower(c);
        return s_put(out, size, len, &c, 1);
    }
    *p += 2;
    const char *many = base == '*' ? s_special(cp) : NULL;
    if (many)
        return s_put(out, size, len, many, strlen(many));
    return s_put(out, size, len, &base, 1);
}

int discovery_text_key_part(const char *in, char *out, size_t size)
{
    return s_walk(in, out, size, s_emit_key);
}

int discovery_text_squash(const char *in, char *out, size_t size)
{
    return s_walk(in, out, size, s_emit_raw);
}

int discovery_text_fold(const char *in, char *out, size_t size)
{
    return s_walk(in, out, size, s_emit_fold);
}

#define S_FOLD_MAX 1024

bool discovery_text_same(const char *a, const char *b)
{
    char fa[S_FOLD_MAX], fb[S_FOLD_MAX];
    if (!a || !b)
        return false;
    if (discovery_text_fold(a, fa, sizeof fa) < 0 || discovery_text_fold(b, fb, sizeof fb) < 0)
        return false;
    return strcmp(fa, fb) == 0;
}

size_t discovery_text_chars(const char *in)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; p && *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}
