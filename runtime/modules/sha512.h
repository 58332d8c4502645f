/* sha512.h - the SHA-512 hash (FIPS 180-4), for the random module's
 * seeding from a str or bytes (CPython's version-2 seeds hash them with
 * SHA-512). Pure computation: no objects, no allocation, thread-safe. */
#ifndef TOY_SHA512_H
#define TOY_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define SHA512_DIGEST_SIZE 64

/* The digest of the len bytes at data. */
void sha512_digest(const uint8_t *data, size_t len, uint8_t out[SHA512_DIGEST_SIZE]);

#endif
