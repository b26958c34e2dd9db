// libcrypto (Debian libssl-dev), for SHA-256 only: the decision log's hash chain.
// The one-shot SHA256() is not among OpenSSL 3's deprecated low-level digest calls.
#include <openssl/sha.h>
