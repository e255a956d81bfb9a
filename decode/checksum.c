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

/* Adds b to a in ones' complement: a carry out of bit 63 wraps around. */
static inline uint64_t add_wrap(uint64_t a, uint64_t b)
{
	a += b;
	return a + (a < b);
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * RFC 1071 2(B): the one's complement sum does not depend on byte order
 * or on the width of the words added (2(C): 2^64 - 1 is a multiple of
 * 2^16 - 1), so the bytes are added as native 64-bit words (memcpy: no
 * unaligned loads), carries wrapping around, and the folded result is
 * swapped on a little-endian host. Moving a word by a multiple of 16 bits
 * does not change the sum either, so the last 0 to 7 bytes are added as
 * they come, keeping each byte's place (high or low) in its 16-bit word.
 * This is the hot loop of the whole decoder; four independent sums keep
 * the adder busy.
 */
uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, tail = 0;
	size_t i = 0;

	for (; i + 32 <= len; i += 32) {
		a0 = add_wrap(a0, load64(p + i));
		a1 = add_wrap(a1, load64(p + i + 8));
		a2 = add_wrap(a2, load64(p + i + 16));
		a3 = add_wrap(a3, load64(p + i + 24));
	}
	for (; i + 8 <= len; i += 8)
		a0 = add_wrap(a0, load64(p + i));
	if (len - i >= 4) {
		uint32_t w;
		memcpy(&w, p + i, sizeof(w));
		tail += w;
		i += 4;
	}
	if (len - i >= 2) {
		uint16_t w;
		memcpy(&w, p + i, sizeof(w));
		tail += w;
		i += 2;
	}
	/* RFC 1071 4.1: an odd last byte is padded with a zero byte */
	if (len > i)
		tail += host_is_little_endian() ? p[i] : (uint64_t)p[i] << 8;
	a0 = add_wrap(add_wrap(a0, a1), add_wrap(a2, a3));
	a0 = add_wrap(a0, tail);
	/* fold to 16 bits: 2^32 and 2^16 are 1 modulo 2^16 - 1 */
	a0 = (a0 & 0xffffffffu) + (a0 >> 32);
	while (a0 >> 16)
		a0 = (a0 & 0xffff) + (a0 >> 16);
	if (host_is_little_endian())
		a0 = ((a0 & 0xff) << 8) | (a0 >> 8);
	return sum + a0;
}

uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t inet_checksum(const uint8_t *p, size_t len)
{
	if (len == 20) {
		/* an IPv4 header without options, nearly every one: the same
		 * sum as csum_add(), with no loop to get out of */
		uint32_t w;
		uint64_t a = add_wrap(load64(p), load64(p + 8));

		memcpy(&w, p + 16, sizeof(w));
		a = add_wrap(a, w);
		a = (a & 0xffffffffu) + (a >> 32);
		a = (a & 0xffffffffu) + (a >> 32);
		a = (a & 0xffff) + (a >> 16);
		a = (a & 0xffff) + (a >> 16);
		a = (a & 0xffff) + (a >> 16);
		if (host_is_little_endian())
			a = ((a & 0xff) << 8) | (a >> 8);
		return (uint16_t)~a;
	}
	return csum_fold(csum_add(0, p, len));
}

/* RFC 9293 3.1: src, dst, zero, PTCL, TCP length (16 bits). */
uint64_t csum_pseudo_v4(const uint8_t src[4], const uint8_t dst[4],
			uint8_t proto, uint32_t len)
{
	uint64_t sum = 0;

	sum += (uint32_t)src[0] << 8 | src[1];
	sum += (uint32_t)src[2] << 8 | src[3];
	sum += (uint32_t)dst[0] << 8 | dst[1];
	sum += (uint32_t)dst[2] << 8 | dst[3];
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
