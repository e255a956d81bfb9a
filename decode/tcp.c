/*
 * TCP header (RFC 9293 3.1). The segment length comes from the IP layer
 * (c->l4_len); caplen only says how much of it we can see. The two are kept
 * apart throughout: a short capture is "truncated", a header that does not
 * fit the segment is "malformed".
 */
#include <string.h>

#include "decode_internal.h"

#define TCP_MIN_HLEN 20

/* Reads the fixed 20 bytes, claimed whole; the data offset is checked
 * by the caller. */
static void tcp_read_fixed(const uint8_t *h, struct tcp_view *t)
{
	uint8_t b12 = h[12], b13 = h[13];

	t->sport = ld_be16(h);
	t->dport = ld_be16(h + 2);
	t->seq = ld_be32(h + 4);
	t->ack = ld_be32(h + 8);
	t->win = ld_be16(h + 14);
	t->csum_value = ld_be16(h + 16);
	t->urp = ld_be16(h + 18);
	t->hlen = (uint8_t)(((b12 >> 4) & 0x0f) * 4);
	/* The whole 12-bit field, as tshark's tcp.flags: AE is bit 0 of
	 * byte 12 (RFC 9768), bits 1-3 are reserved (0x200-0x800) and kept so
	 * a set reserved bit stays visible. */
	t->flags = (uint16_t)((b12 & 0x0f) << 8 | b13);
}

/* Checks the `len` bytes of the segment at `seg`, all of them captured. */
static void tcp_verify(struct decode_ctx *c, const uint8_t *seg, uint32_t len)
{
	struct decoded_packet *p = c->pkt;
	struct cursor dcur;
	uint8_t dst[16];
	uint64_t sum;

	if (p->ip.version == 4) {
		sum = csum_pseudo_v4(p->ip.src, p->ip.dst, IP_PROTO_TCP, len);
	} else {
		memcpy(dst, p->ip.dst, sizeof(dst));
		if (c->final_dst_off) {
			dcur = ctx_cursor(c, c->final_dst_off);
			cur_copy(&dcur, dst, sizeof(dst));
		}
		sum = csum_pseudo_v6(p->ip.src, dst, IP_PROTO_TCP, len);
	}
	if (csum_verify(sum, seg, len)) {
		p->tcp.csum = CSUM_GOOD;
	} else {
		p->tcp.csum = CSUM_BAD;
		decode_anom(p, ANOM_TCP_CHECKSUM_BAD);
	}
}

/*
 * Options, payload and checksum, once the data offset `hlen` is known to
 * fit the `len` bytes of the segment. `seg` holds the captured part of
 * the segment, `cur` the same from the options on.
 */
static void tcp_body(struct decode_ctx *c, struct cursor *seg,
		     struct cursor *cur, uint32_t hlen, uint32_t len)
{
	struct decoded_packet *p = c->pkt;
	struct tcp_view *t = &p->tcp;
	uint32_t seen = (uint32_t)cur_left(seg);
	size_t opt_len = hlen - TCP_MIN_HLEN;
	size_t opt_seen = cur_left(cur) < opt_len ? cur_left(cur) : opt_len;
	struct cursor opts = cur_sub(cur, opt_seen);
	const uint8_t *whole;

	if (seen < hlen)
		decode_anom(p, ANOM_TCP_TRUNCATED);
	if (opt_seen > 0)
		(void)tcp_opts_walk(opts.ptr, opts.len, opt_len, &t->opts, p);

	t->payload_len = len - hlen;
	t->payload_caplen = seen > hlen ? seen - hlen : 0;
	if (seen >= hlen)
		t->payload = c->frame + c->l4_off + hlen;
	if (t->payload_caplen < t->payload_len)
		decode_anom(p, ANOM_TCP_SNAPLEN);
	/*
	 * RFC 9293 3.1 (IPv4) and RFC 8200 8.1 (IPv6): the checksum covers a
	 * pseudo-header and the whole segment, so it is checked only when
	 * every byte is here and the segment is not a piece of a fragmented
	 * datagram.
	 */
	if (p->ip.is_fragment)
		return;
	whole = cur_take(seg, len);
	if (whole)
		tcp_verify(c, whole, len);
}

enum decode_status tcp_decode(struct decode_ctx *c)
{
	struct decoded_packet *p = c->pkt;
	uint32_t len = c->l4_len;
	struct cursor seg = ctx_cursor(c, c->l4_off);
	struct cursor cur;
	const uint8_t *fixed;
	uint32_t hlen;

	/* Bytes past the IP length (Ethernet padding) are not TCP. */
	cur_limit(&seg, len);
	if (len < TCP_MIN_HLEN) {
		decode_anom(p, ANOM_TCP_HLEN_LONG);
		return DECODE_MALFORMED;
	}
	cur = seg;
	fixed = cur_take(&cur, TCP_MIN_HLEN);
	if (!fixed) {
		decode_anom(p, ANOM_TCP_TRUNCATED);
		return DECODE_TRUNCATED;
	}
	/* ahead of the view's stores, as in ipv4_decode() */
	hlen = ((fixed[12] >> 4) & 0x0fu) * 4;
	tcp_read_fixed(fixed, &p->tcp);
	/* RFC 9293 3.1: the header is at least 5 words... */
	if (hlen < TCP_MIN_HLEN) {
		decode_anom(p, ANOM_TCP_HLEN_SHORT);
		return DECODE_MALFORMED;
	}
	/* ...and the data offset must stay inside the segment. */
	if (hlen > len) {
		decode_anom(p, ANOM_TCP_HLEN_LONG);
		return DECODE_MALFORMED;
	}
	tcp_body(c, &seg, &cur, hlen, len);
	return DECODE_TCP;
}
