/*
 * Internet checksum (RFC 1071) and the TCP pseudo-headers. Sums are kept
 * as if bytes were paired big-endian, whatever the host's byte order.
 */
#include <string.h>

#include "decode_internal.h"

static bool host_is_little_endian(void)
{
	const uint16_t one = 1;
	uint8_t first;

	memcpy(&first, &one, 1);
	return first == 1;
}

/*
 * RFC 1071 2(B): the one's complement sum does not depend on byte order,
 * so eight bytes at a time are added as native words (memcpy: no
 * unaligned loads) and the folded result is swapped on a little-endian
 * host. This is the hot loop of the whole decoder.
 */
static uint64_t csum_add_words(const uint8_t *p, size_t n8)
{
	uint64_t acc = 0;

	for (size_t i = 0; i < n8; i++) {
		uint64_t w;
		memcpy(&w, p + 8 * i, 8);
		acc += (w & 0xffffffffu) + (w >> 32);
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	if (host_is_little_endian())
		acc = ((acc & 0xff) << 8) | (acc >> 8);
	return acc;
}

uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	size_t i = len & ~(size_t)7;

	if (i)
		sum += csum_add_words(p, len / 8);
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	/* RFC 1071 4.1: an odd last byte is padded with a zero byte. */
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_checksum(const uint8_t *p, size_t len)
{
	return csum_fold(csum_add(0, p, len));
}

/* RFC 9293 3.1: src, dst, zero, PTCL, TCP length (16 bits). */
uint64_t csum_pseudo_v4(const uint8_t src[4], const uint8_t dst[4],
			uint8_t proto, uint32_t len)
{
	uint64_t sum = 0;

	sum = csum_add(sum, src, 4);
	sum = csum_add(sum, dst, 4);
	sum += proto;
	/*
	 * Lengths above 65535 only come from TSO super-packets, whose
	 * checksum the NIC fills in later anyway; adding both halves keeps
	 * the sum defined for them.
	 */
	sum += (len >> 16) + (len & 0xffff);
	return sum;
}

/* RFC 8200 8.1: src, dst, 32-bit upper-layer length, zero, next header. */
uint64_t csum_pseudo_v6(const uint8_t src[16], const uint8_t dst[16],
			uint8_t next_header, uint32_t len)
{
	uint64_t sum = 0;

	sum = csum_add(sum, src, 16);
	sum = csum_add(sum, dst, 16);
	sum += (len >> 16) + (len & 0xffff);
	sum += next_header;
	return sum;
}
