/*
 * SHA-1 (FIPS 180-4 6.1), for the Community ID flow hash only. SHA-1 is
 * broken for collision resistance; nothing here relies on it for security,
 * the Community ID spec simply fixes it as its hash.
 */
#ifndef SYNSCOPE_SHA1_H
#define SYNSCOPE_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20

struct sha1_ctx {
	uint32_t h[5];
	uint64_t total;         /* bytes hashed so far */
	uint8_t block[64];
	size_t fill;            /* bytes waiting in block */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t n);
void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN]);

/* One-shot convenience. */
void sha1(const void *data, size_t n, uint8_t out[SHA1_DIGEST_LEN]);

#endif
