/*
 * Internet checksum (RFC 1071) and the TCP pseudo-headers. Sums handed
 * between functions are kept as if bytes were paired big-endian, whatever
 * the host's byte order; inside, bytes are added in the host's order.
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

static inline uint64_t load32(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

static inline uint64_t load16(const uint8_t *p)
{
	uint16_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * RFC 1071 2(B), 2(C): a ones' complement sum is the plain sum modulo
 * 2^16 - 1, whatever the width of the words added (2^16 is 1 there, and
 * 2^16 - 1 divides 2^64 - 1) and whatever the byte order (swapping a
 * word's bytes multiplies it by 2^8, which is prime to 2^16 - 1). So the
 * bytes are added as host 64-bit words (memcpy: no unaligned loads),
 * carries wrapping around, the last 0 to 7 bytes as they come, keeping
 * each byte's place (high or low) in its 16-bit word. The result is in
 * the host's byte order, folded only below 2^34 so callers can add to it;
 * it is 0 only when every byte is. Two sums keep two adders busy.
 */
static inline uint64_t sum_host(const uint8_t *p, size_t len)
{
	uint64_t a = 0, b = 0, tail = 0;
	size_t i = 0;

	if (len == 20) {
		/* an IPv4 header without options, nearly every one: the same
		 * sum with no loop to get into and out of */
		a = add_wrap(load64(p), load64(p + 8));
		return (a & 0xffffffffu) + (a >> 32) + load32(p + 16);
	}
	for (; i + 16 <= len; i += 16) {
		a = add_wrap(a, load64(p + i));
		b = add_wrap(b, load64(p + i + 8));
	}
	if (len - i >= 8) {
		a = add_wrap(a, load64(p + i));
		i += 8;
	}
	if (len - i >= 4) {
		tail += load32(p + i);
		i += 4;
	}
	if (len - i >= 2) {
		tail += load16(p + i);
		i += 2;
	}
	/* RFC 1071 4.1: an odd last byte is padded with a zero byte; at an
	 * even offset, it is the high byte of its big-endian word */
	if (len > i)
		tail += host_is_little_endian() ? p[i] : (uint64_t)p[i] << 8;
	a = add_wrap(a, b);
	/* 2^32 is 1 modulo 2^16 - 1 too */
	return (a & 0xffffffffu) + (a >> 32) + tail;
}

/* The end-around-carry fold to 16 bits: 0 only for a sum of 0, and 0xffff
 * (not 0) for any other multiple of 2^16 - 1. */
static uint64_t fold16(uint64_t sum)
{
	return sum == 0 ? 0 : (sum - 1) % 0xffff + 1;
}

uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = fold16(sum_host(p, len));

	if (host_is_little_endian())
		s = ((s & 0xff) << 8) | (s >> 8);
	return sum + s;
}

uint16_t csum_fold(uint64_t sum)
{
	return (uint16_t)~fold16(sum);
}

/*
 * RFC 1071 1 (3): the receiver sums everything, checksum field included,
 * and the data is intact when that folds to 0xffff (all ones). Whether a
 * sum folds to 0xffff is the same in either byte order, so nothing here
 * is folded or swapped: the partial sum is moved to the host's order (a
 * multiplication by 2^8, see sum_host()) and the total tested modulo
 * 2^16 - 1.
 */
bool csum_verify(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = (sum & 0xffffffffu) + (sum >> 32);

	if (host_is_little_endian())
		s <<= 8;
	s += sum_host(p, len);
	return s != 0 && s % 0xffff == 0;
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
