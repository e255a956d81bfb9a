/*
 * Interfaces between the layers of decode/. Not installed, not for other
 * modules; the unit tests include it to drive one layer at a time.
 *
 * Each layer function returns DECODE_TCP to mean "nothing stopped us, run
 * the next layer", or the final status of the packet.
 */
#ifndef SYNSCOPE_DECODE_INTERNAL_H
#define SYNSCOPE_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "decode.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define IP_PROTO_TCP 6

/*
 * Keeps a path that most packets do not take out of the function the
 * others go through, so they do not pay for its registers and stack frame
 * (a static function called once is otherwise always inlined).
 */
#if defined(__GNUC__) || defined(__clang__)
#define DECODE_NOINLINE __attribute__((noinline))
#else
#define DECODE_NOINLINE
#endif

/* Per-call state handed from layer to layer; lives on decode_packet's stack. */
struct decode_ctx {
	const uint8_t *frame;
	uint32_t caplen;
	uint32_t wirelen;       /* never below caplen (see decode_packet) */
	struct decoded_packet *pkt;
	uint32_t l4_off;        /* TCP header offset in the frame */
	uint32_t l4_len;        /* segment length from the IP header(s) */
	uint32_t final_dst_off; /* IPv6: routing-header final dst, 0 = ip.dst */
};

/* Cursor over the captured bytes from `off` on (empty past caplen). */
static inline struct cursor ctx_cursor(const struct decode_ctx *c,
				       uint32_t off)
{
	if (off >= c->caplen)
		return cur_make(NULL, 0);
	return cur_make(c->frame + off, c->caplen - off);
}

/*
 * Records an anomaly once: a repeat of a listed one adds nothing. The list
 * holds DECODE_ANOM_MAX entries; what does not fit is only counted, in
 * anom_dropped (saturating at 255).
 */
void decode_anom_add(struct decoded_packet *p, enum decode_anomaly a);

static inline void decode_anom(struct decoded_packet *p,
			       enum decode_anomaly a)
{
	/* the first one of a packet needs no search for a repeat */
	if (p->anom_count == 0) {
		p->anom[0] = (uint8_t)a;
		p->anom_count = 1;
		return;
	}
	decode_anom_add(p, a);
}

/* Sets l3_off, ethertype and the VLAN ids; IP follows on DECODE_TCP. */
enum decode_status link_decode(struct decode_ctx *c, int linktype);

/* Fill pkt->ip, c->l4_off and c->l4_len; TCP follows on DECODE_TCP. */
enum decode_status ipv4_decode(struct decode_ctx *c);
enum decode_status ipv6_decode(struct decode_ctx *c);

/* Fills pkt->tcp from c->l4_off / c->l4_len; returns the final status. */
enum decode_status tcp_decode(struct decode_ctx *c);

/*
 * Walks `len` option bytes (the TCP header from byte 20 on; at most 40 are
 * looked at) into `out`, which it zeroes first. Anomalies go to `pkt`.
 * Returns 0 when the walk reached the end or an EOL, -1 when it had to stop
 * early on a length it could not trust.
 */
int tcp_opts_parse(const uint8_t *opts, size_t len, struct tcp_opts *out,
		   struct decoded_packet *pkt);

/*
 * The same walk over the `len` captured bytes of `hdr_len` option bytes: an
 * option cut off by the snaplen ends the walk unlisted, like an overrun, but
 * only one running past hdr_len is flagged as an overrun.
 */
int tcp_opts_walk(const uint8_t *opts, size_t len, size_t hdr_len,
		  struct tcp_opts *out, struct decoded_packet *pkt);

/*
 * Internet checksum (RFC 1071). Sums are kept unfolded in 64 bits so a
 * 256 KiB frame cannot overflow them; csum_add over consecutive chunks
 * equals one call over their concatenation as long as every chunk but the
 * last has an even length.
 */
uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len);
uint16_t csum_fold(uint64_t sum);           /* ones' complement of the fold */

/*
 * True when `sum` (a pseudo-header sum, or 0) plus the `len` bytes at p,
 * checksum field included, verify: csum_fold(csum_add(sum, p, len)) == 0,
 * for less work than that.
 */
bool csum_verify(uint64_t sum, const uint8_t *p, size_t len);

/* Pseudo-header sums (RFC 9293 3.1, RFC 8200 8.1) for upper-layer `len`. */
uint64_t csum_pseudo_v4(const uint8_t src[4], const uint8_t dst[4],
			uint8_t proto, uint32_t len);
uint64_t csum_pseudo_v6(const uint8_t src[16], const uint8_t dst[16],
			uint8_t next_header, uint32_t len);

#endif
