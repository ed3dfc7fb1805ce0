#include "checksum.h"

#include <openssl/evp.h>

int checksum_sha256_hex(const void *data, size_t len, char out[CHECKSUM_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    static const unsigned char empty = 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    out[0] = '\0';
    /* EVP_Digest wants a valid pointer even for zero bytes. */
    if (!EVP_Digest(data ? data : &empty, len, md, &md_len, EVP_sha256(), NULL) ||
        md_len * 2 != CHECKSUM_HEX_LEN)
        return -1;
    for (unsigned int i = 0; i < md_len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[CHECKSUM_HEX_LEN] = '\0';
    return 0;
}
