#include "validate.h"

#include "password.h"

#include <ctype.h>
#include <string.h>

static int s_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int s_domain_ok(const char *d, size_t len)
{
    if (len < 3 || d[0] == '.' || d[len - 1] == '.' || !memchr(d, '.', len))
        return -1;
    for (size_t i = 1; i < len; i++)
        if (d[i] == '.' && d[i - 1] == '.')
            return -1;
    return 0;
}

int validate_email(const char *in, size_t len, char *out, size_t out_size)
{
    if (!in)
        return -1;
    while (len > 0 && s_is_space((unsigned char)in[0]))
        in++, len--;
    while (len > 0 && s_is_space((unsigned char)in[len - 1]))
        len--;
    if (len == 0 || len > VALIDATE_EMAIL_MAX || len >= out_size)
        return -1;
    size_t at = len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c <= 0x20 || c == 0x7f)
            return -1;
        if (c == '@') {
            if (at != len)
                return -1; /* a second '@' */
            at = i;
        }
        out[i] = (char)tolower(c);
    }
    out[len] = '\0';
    if (at == len || at == 0)
        return -1;
    return s_domain_ok(out + at + 1, len - at - 1);
}

int validate_password(const char *in, size_t len)
{
    if (!in || len < PASSWORD_MIN_BYTES || len > PASSWORD_MAX_BYTES || memchr(in, 0, len))
        return -1;
    return 0;
}

long validate_utf8_length(const char *in, size_t len)
{
    const unsigned char *s = (const unsigned char *)in;
    long count = 0;
    for (size_t i = 0; i < len; count++) {
        unsigned char c = s[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xe0) == 0xc0 ? 2
                   : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4
                                        : 0;
        if (n == 0 || i + n > len)
            return -1;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return -1;
        i += n;
    }
    return count;
}

int validate_display_name(const char *in, size_t len)
{
    if (!in || memchr(in, 0, len))
        return -1;
    long chars = validate_utf8_length(in, len);
    return (chars < 0 || chars > VALIDATE_DISPLAY_NAME_MAX) ? -1 : 0;
}
