// libcrypto (Debian libssl-dev), for SHA-256 only: the decision log's hash chain.
// The one-shot SHA256() and EVP are not among OpenSSL 3's deprecated digest calls.
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>

// The chain's canonical bytes write reals as C's "%.17g"; Swift cannot call the variadic
// snprintf, and withVaList boxes every value (a million times per verification).
static inline int winnow_format_real(char *buffer, size_t size, double value) {
    return snprintf(buffer, size, "%.17g", value);
}
