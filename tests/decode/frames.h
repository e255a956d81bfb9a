/*
 * Test frame builder: writes well-formed IPv4/IPv6 + TCP packets (and an
 * Ethernet header when asked) with correct checksums into a caller buffer,
 * so each test states only what it changes. The checksum here is a separate,
 * deliberately naive implementation, so it does not vouch for decode/'s own.
 */
#ifndef SYNSCOPE_TESTS_DECODE_FRAMES_H
#define SYNSCOPE_TESTS_DECODE_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX 2048

/* One IPv6 extension header; its body is zero unless a test pokes it. */
struct frame_ext {
	uint8_t type;           /* 0, 43, 44, 51 or 60 */
	uint16_t len;           /* total bytes; 0 means 8 */
	uint16_t frag_offset;   /* fragment header: offset in bytes */
	bool frag_more;         /* fragment header: M flag */
	uint32_t frag_id;
};

struct frame_spec {
	uint8_t ip_version;     /* 4 or 6 */
	uint8_t proto;          /* upper-layer protocol, 6 by default */
	uint8_t ttl;
	bool df, mf;            /* IPv4 */
	uint16_t frag_offset;   /* IPv4, in bytes */
	const uint8_t *ip_opts; /* IPv4 options, a multiple of 4 bytes */
	size_t ip_opts_len;
	const struct frame_ext *ext;    /* IPv6 extension chain */
	size_t ext_count;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t flags;
	uint16_t win;
	const uint8_t *tcp_opts;        /* a multiple of 4 bytes */
	size_t tcp_opts_len;
	const uint8_t *payload;
	size_t payload_len;
};

/* Where the builder put things, as offsets into the buffer. */
struct frame_layout {
	size_t l3;              /* IP header */
	size_t l4;              /* TCP header */
	size_t payload;
	size_t len;             /* whole frame */
};

/* A SYN from 192.0.2.1:40000 (2001:db8::1) to 198.51.100.2:80 (::2). */
struct frame_spec frame_spec_default(uint8_t ip_version);

/* IP packet at buf[0]; aborts if it does not fit in `cap`. */
size_t frame_ip(uint8_t *buf, size_t cap, const struct frame_spec *s,
		struct frame_layout *lay);

/* Ethernet header (ethertype from the IP version) plus frame_ip(). */
size_t frame_eth(uint8_t *buf, size_t cap, const struct frame_spec *s,
		 struct frame_layout *lay);

/* Recomputes the IPv4 header checksum at `ip` after a test changed it. */
void frame_fix_ipv4_csum(uint8_t *ip);

/*
 * Recomputes the TCP checksum of the segment at ip[l4_off] (l4_len bytes);
 * an IPv6 `dst` replaces the header's destination in the pseudo-header.
 */
void frame_fix_tcp_csum(uint8_t *ip, size_t l4_off, size_t l4_len,
			const uint8_t *dst);

/* Runs one suite the way every test executable does; the exit status. */
struct Suite;
int frames_run(struct Suite *suite);

uint16_t frame_rd16(const uint8_t *p);
void frame_wr16(uint8_t *p, uint16_t v);
void frame_wr32(uint8_t *p, uint32_t v);

#endif
