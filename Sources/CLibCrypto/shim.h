// The parts of the system's libcrypto (OpenSSL) SCRAM and entity capabilities need: SHA-1,
// SHA-256, their HMACs, PBKDF2 and a constant-time comparison. One shared library every
// machine already maps, instead of a second BoringSSL inside the binary.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
