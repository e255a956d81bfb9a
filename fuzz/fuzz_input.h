/*
 * The input format of fuzz_decode, shared by the fuzzer and by the tool
 * that cuts seeds out of capture files (extract_frames.c):
 *
 *   byte 0     link type: an index into fuzz_links[] (modulo its size)
 *   byte 1     wire length: bit 7 clear, caplen + 64 * (byte & 0x7f)
 *              (a frame cut by the snaplen); bit 7 set, caplen minus
 *              (byte & 0x7f), at least 0 (a corrupt record: libpcap hands
 *              such records through)
 *   byte 2...  the frame, as captured (caplen = input size - 2)
 */
#ifndef SYNSCOPE_FUZZ_INPUT_H
#define SYNSCOPE_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

#define FUZZ_DECODE_HDR 2

/* Every link type decode_link_supported() accepts. */
static const int fuzz_links[] = {
	DECODE_LINK_ETHERNET, DECODE_LINK_NULL, DECODE_LINK_RAW,
	DECODE_LINK_RAW_BSD, DECODE_LINK_RAW_LT, DECODE_LINK_LOOP,
	DECODE_LINK_LINUX_SLL, DECODE_LINK_IPV4, DECODE_LINK_IPV6,
	DECODE_LINK_LINUX_SLL2,
};

#define FUZZ_LINKS (sizeof(fuzz_links) / sizeof(fuzz_links[0]))

static inline int fuzz_link_from_byte(uint8_t b)
{
	return fuzz_links[b % FUZZ_LINKS];
}

/* The index byte for a link type, or -1 when decode does not read it. */
static inline int fuzz_link_to_byte(int linktype)
{
	for (size_t i = 0; i < FUZZ_LINKS; i++)
		if (fuzz_links[i] == linktype)
			return (int)i;
	return -1;
}

static inline uint32_t fuzz_wirelen(uint8_t b, uint32_t caplen)
{
	uint32_t n = b & 0x7fu;

	if (b & 0x80u)
		return caplen > n ? caplen - n : 0;
	return caplen + 64u * n;
}

/* The byte that gives back `wirelen` for a frame of `caplen` bytes, as
 * closely as the encoding allows. */
static inline uint8_t fuzz_wirelen_byte(uint32_t caplen, uint32_t wirelen)
{
	if (wirelen < caplen) {
		uint32_t d = caplen - wirelen;
		return (uint8_t)(0x80u | (d > 0x7fu ? 0x7fu : d));
	}
	uint64_t k = ((uint64_t)wirelen - caplen + 63u) / 64u;
	return (uint8_t)(k > 0x7fu ? 0x7fu : k);
}

#endif
