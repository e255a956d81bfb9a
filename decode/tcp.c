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

/*
 * RFC 9293 3.1 (IPv4) and RFC 8200 8.1 (IPv6): the checksum covers a
 * pseudo-header and the whole segment, so it is checked only when every
 * byte is here and the segment is not a piece of a fragmented datagram.
 */
static void tcp_verify(struct decode_ctx *c, uint32_t seen)
{
	struct decoded_packet *p = c->pkt;
	struct cursor cur = ctx_cursor(c, c->l4_off);
	struct cursor dcur;
	const uint8_t *seg;
	uint8_t dst[16];
	uint64_t sum;

	if (seen < c->l4_len || p->ip.is_fragment)
		return;
	seg = cur_take(&cur, c->l4_len);
	if (!seg)
		return;
	if (p->ip.version == 4) {
		sum = csum_pseudo_v4(p->ip.src, p->ip.dst, IP_PROTO_TCP,
				     c->l4_len);
	} else {
		memcpy(dst, p->ip.dst, sizeof(dst));
		if (c->final_dst_off) {
			dcur = ctx_cursor(c, c->final_dst_off);
			cur_copy(&dcur, dst, sizeof(dst));
		}
		sum = csum_pseudo_v6(p->ip.src, dst, IP_PROTO_TCP, c->l4_len);
	}
	sum = csum_add(sum, seg, c->l4_len);
	p->tcp.csum = csum_fold(sum) == 0 ? CSUM_GOOD : CSUM_BAD;
	if (p->tcp.csum == CSUM_BAD)
		decode_anom(p, ANOM_TCP_CHECKSUM_BAD);
}

/* Options and payload, once the data offset is known to fit the segment. */
static void tcp_body(struct decode_ctx *c, struct cursor *cur, uint32_t seen)
{
	struct decoded_packet *p = c->pkt;
	struct tcp_view *t = &p->tcp;
	size_t opt_len = (size_t)t->hlen - TCP_MIN_HLEN;
	size_t opt_seen = cur_left(cur) < opt_len ? cur_left(cur) : opt_len;
	struct cursor opts = cur_sub(cur, opt_seen);

	if (seen < t->hlen)
		decode_anom(p, ANOM_TCP_TRUNCATED);
	if (opt_seen > 0)
		(void)tcp_opts_walk(opts.ptr, opts.len, opt_len, &t->opts, p);

	t->payload_len = c->l4_len - t->hlen;
	t->payload_caplen = seen > t->hlen ? seen - t->hlen : 0;
	if (seen >= t->hlen)
		t->payload = c->frame + c->l4_off + t->hlen;
	if (t->payload_caplen < t->payload_len)
		decode_anom(p, ANOM_TCP_SNAPLEN);
	tcp_verify(c, seen);
}

enum decode_status tcp_decode(struct decode_ctx *c)
{
	struct decoded_packet *p = c->pkt;
	struct tcp_view *t = &p->tcp;
	struct cursor cur = ctx_cursor(c, c->l4_off);
	const uint8_t *fixed;
	uint32_t seen;

	/* Bytes past the IP length (Ethernet padding) are not TCP. */
	cur_limit(&cur, c->l4_len);
	seen = (uint32_t)cur_left(&cur);
	if (c->l4_len < TCP_MIN_HLEN) {
		decode_anom(p, ANOM_TCP_HLEN_LONG);
		return DECODE_MALFORMED;
	}
	fixed = cur_take(&cur, TCP_MIN_HLEN);
	if (!fixed) {
		decode_anom(p, ANOM_TCP_TRUNCATED);
		return DECODE_TRUNCATED;
	}
	tcp_read_fixed(fixed, t);
	/* RFC 9293 3.1: the header is at least 5 words... */
	if (t->hlen < TCP_MIN_HLEN) {
		decode_anom(p, ANOM_TCP_HLEN_SHORT);
		return DECODE_MALFORMED;
	}
	/* ...and the data offset must stay inside the segment. */
	if (t->hlen > c->l4_len) {
		decode_anom(p, ANOM_TCP_HLEN_LONG);
		return DECODE_MALFORMED;
	}
	tcp_body(c, &cur, seen);
	return DECODE_TCP;
}
