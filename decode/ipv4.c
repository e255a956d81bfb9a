/*
 * IPv4 (RFC 791 3.1). Lengths follow tcpdump: the IP total length, not
 * caplen, bounds the segment (Ethernet padding is not payload), a total
 * length of 0 is a TSO super-packet sized by the wire, and a total length
 * beyond the wire is clamped to it.
 */
#include <string.h>

#include "decode_internal.h"

#define IPV4_MIN_HLEN 20
#define IPV4_DF 0x4000
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPOPT_EOL 0
#define IPOPT_NOP 1

/*
 * RFC 791 3.1: options are EOL, NOP, or type-length-value with the length
 * counting the type and length bytes. A bad one is reported and the rest
 * skipped; it never fails the packet, since the IHL already bounds them.
 */
DECODE_NOINLINE
static void ipv4_opts_walk(struct decoded_packet *p, const uint8_t *o,
			   size_t len)
{
	struct cursor cur = cur_make(o, len);
	uint8_t type, olen;

	while (cur_left(&cur) > 0) {
		type = cur_u8(&cur);
		if (type == IPOPT_EOL)
			return;
		if (type == IPOPT_NOP)
			continue;
		olen = cur_u8(&cur);
		if (!cur.bad && olen >= 2)
			cur_skip(&cur, (size_t)olen - 2);
		if (cur.bad || olen < 2) {
			decode_anom(p, ANOM_IPV4_OPT_BAD);
			return;
		}
	}
}

/* Reads the fixed 20 bytes, claimed whole, into pkt->ip. */
static void ipv4_read_fixed(const uint8_t *h, struct ip_view *ip)
{
	uint16_t frag = ld_be16(h + 6);
	uint16_t frag_offset = (uint16_t)((frag & IPV4_OFFSET_MASK) * 8);
	uint8_t mf = (frag & IPV4_MF) != 0;

	ip->version = 4;
	ip->hlen = (uint16_t)((h[0] & 0x0f) * 4);
	ip->tos = h[1];
	ip->ttl = h[8];
	ip->proto = h[9];
	ip->df = (frag & IPV4_DF) != 0;
	ip->mf = mf;
	ip->is_fragment = mf || frag_offset > 0;
	ip->id = ld_be16(h + 4);
	ip->frag_offset = frag_offset;
	/* h[10..11], the header checksum, is verified over the bytes */
	memcpy(ip->src, h + 12, 4);
	memcpy(ip->dst, h + 16, 4);
}

/*
 * Checks the IHL and the total length field `tot` against each other and
 * the `wire` bytes from the IP header on; sets ip->total_len, and *total,
 * to the length the segment is cut from.
 */
static enum decode_status ipv4_lengths(struct decoded_packet *p, uint32_t ihl,
				       uint16_t tot, uint32_t wire,
				       uint32_t *total)
{
	uint32_t t = tot;

	/* RFC 791 3.1: "the minimum value for a correct header is 5". */
	if (ihl < IPV4_MIN_HLEN) {
		decode_anom(p, ANOM_IPV4_HLEN_SHORT);
		return DECODE_MALFORMED;
	}
	if (tot == 0) {
		/* TSO/GSO super-packets leave it 0; tcpdump uses the wire. */
		t = wire;
	} else if (t < ihl) {
		decode_anom(p, ANOM_IPV4_TOTLEN_SHORT);
		return DECODE_MALFORMED;
	}
	if (t > wire) {
		decode_anom(p, ANOM_IPV4_TOTLEN_LONG);
		t = wire;
	}
	p->ip.total_len = t;
	*total = t;
	if (t < ihl) {
		decode_anom(p, ANOM_IPV4_HLEN_LONG);
		return DECODE_MALFORMED;
	}
	return DECODE_TCP;
}

enum decode_status ipv4_decode(struct decode_ctx *c)
{
	struct decoded_packet *p = c->pkt;
	uint32_t off = p->l3_off;
	uint32_t wire = c->wirelen - off;
	struct cursor cur = ctx_cursor(c, off);
	struct cursor peek = cur;
	const uint8_t *hdr, *v = cur_take(&peek, 1);
	uint32_t hlen, total;
	uint16_t frag;
	enum decode_status st;

	if (v && ((v[0] >> 4) & 0x0f) != 4) {
		decode_anom(p, ANOM_IP_VERSION_MISMATCH);
		return DECODE_MALFORMED;
	}
	hdr = cur_take(&cur, IPV4_MIN_HLEN);
	if (!hdr) {
		decode_anom(p, ANOM_IPV4_TRUNCATED);
		return DECODE_TRUNCATED;
	}
	/* read ahead of the view's byte-sized stores, which may alias
	 * anything: so it stays in a register rather than being loaded
	 * again after each */
	hlen = (hdr[0] & 0x0fu) * 4;
	ipv4_read_fixed(hdr, &p->ip);
	st = ipv4_lengths(p, hlen, ld_be16(hdr + 2), wire, &total);
	if (st != DECODE_TCP)
		return st;
	/* the options, if any, must have been captured too */
	if (hlen > IPV4_MIN_HLEN &&
	    !cur_take(&cur, (size_t)hlen - IPV4_MIN_HLEN)) {
		decode_anom(p, ANOM_IPV4_TRUNCATED);
		return DECODE_TRUNCATED;
	}
	/* RFC 791 3.1: the checksum field makes the header sum to 0xffff. */
	if (csum_verify(0, hdr, hlen)) {
		p->ip.csum = CSUM_GOOD;
	} else {
		p->ip.csum = CSUM_BAD;
		decode_anom(p, ANOM_IPV4_CHECKSUM_BAD);
	}
	if (hlen > IPV4_MIN_HLEN)
		ipv4_opts_walk(p, hdr + IPV4_MIN_HLEN, hlen - IPV4_MIN_HLEN);

	/* RFC 791 2.3: only the fragment at offset 0 holds the TCP header. */
	frag = ld_be16(hdr + 6);
	if ((frag & IPV4_OFFSET_MASK) == 0 && (frag & IPV4_MF))
		decode_anom(p, ANOM_IPV4_FRAGMENT);
	if (hdr[9] != IP_PROTO_TCP)
		return DECODE_NOT_TCP;
	if (frag & IPV4_OFFSET_MASK)
		return DECODE_FRAGMENT;
	c->l4_off = off + hlen;
	c->l4_len = total - hlen;
	return DECODE_TCP;
}
