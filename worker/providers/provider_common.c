/* provider_common — the small helpers of provider.h shared by every provider. */
#include "provider.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int provider_normalize_upc(const char *code, char out[15])
{
    if (!code)
        return -1;
    size_t len = strlen(code);
    if (len < 8)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (code[i] < '0' || code[i] > '9')
            return -1;
    }
    /* Over-padded codes ("000" + GTIN-14) are the same number: drop leading zeros only. */
    while (len > 14 && *code == '0') {
        code++;
        len--;
    }
    if (len > 14)
        return -1;
    size_t pad = 14 - len;
    memset(out, '0', pad);
    memcpy(out + pad, code, len);
    out[14] = '\0';
    return 0;
}

bool provider_digits(const char *native, size_t max)
{
    if (!native || !*native || strlen(native) > max)
        return false;
    for (const char *p = native; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
    }
    return true;
}

provider_result_t provider_fail(provider_err_t *err, provider_result_t result, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return result;
}
