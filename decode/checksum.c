/*
 * Internet checksum (RFC 1071) and the TCP pseudo-headers. Bytes are paired
 * big-endian by hand, so the code neither loads unaligned words nor depends
 * on the host byte order.
 */
#include "decode_internal.h"

uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
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
