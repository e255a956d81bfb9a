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

/* Reads the fixed 20 bytes, claimed whole, into pkt->ip; returns the
 * total length field. */
static uint16_t ipv4_read_fixed(const uint8_t *h, struct ip_view *ip)
{
	uint8_t vihl = h[0];
	uint16_t frag = ld_be16(h + 6);

	ip->tos = h[1];
	ip->id = ld_be16(h + 4);
	ip->ttl = h[8];
	ip->proto = h[9];
	/* h[10..11], the header checksum, is verified over the bytes */
	memcpy(ip->src, h + 12, 4);
	memcpy(ip->dst, h + 16, 4);
	ip->version = 4;
	ip->hlen = (uint16_t)((vihl & 0x0f) * 4);
	ip->df = (frag & IPV4_DF) != 0;
	ip->mf = (frag & IPV4_MF) != 0;
	ip->frag_offset = (uint16_t)((frag & IPV4_OFFSET_MASK) * 8);
	ip->is_fragment = ip->mf || ip->frag_offset > 0;
	return ld_be16(h + 2);
}

/*
 * Checks IHL and total length against each other and the wire; sets
 * ip->total_len to the length the segment is cut from.
 */
static enum decode_status ipv4_lengths(struct decode_ctx *c, uint16_t tot)
{
	struct decoded_packet *p = c->pkt;
	uint32_t ihl = p->ip.hlen;
	uint32_t wire = c->wirelen - p->l3_off;
	uint32_t total = tot;

	/* RFC 791 3.1: "the minimum value for a correct header is 5". */
	if (ihl < IPV4_MIN_HLEN) {
		decode_anom(p, ANOM_IPV4_HLEN_SHORT);
		return DECODE_MALFORMED;
	}
	if (tot == 0) {
		/* TSO/GSO super-packets leave it 0; tcpdump uses the wire. */
		total = wire;
	} else if (total < ihl) {
		decode_anom(p, ANOM_IPV4_TOTLEN_SHORT);
		return DECODE_MALFORMED;
	}
	if (total > wire) {
		decode_anom(p, ANOM_IPV4_TOTLEN_LONG);
		total = wire;
	}
	p->ip.total_len = total;
	if (total < ihl) {
		decode_anom(p, ANOM_IPV4_HLEN_LONG);
		return DECODE_MALFORMED;
	}
	return DECODE_TCP;
}

enum decode_status ipv4_decode(struct decode_ctx *c)
{
	struct decoded_packet *p = c->pkt;
	struct ip_view *ip = &p->ip;
	uint32_t off = p->l3_off;
	struct cursor cur = ctx_cursor(c, off);
	struct cursor peek = cur;
	const uint8_t *hdr, *v = cur_take(&peek, 1);
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
	st = ipv4_lengths(c, ipv4_read_fixed(hdr, ip));
	if (st != DECODE_TCP)
		return st;
	/* the options, if any, must have been captured too */
	if (ip->hlen > IPV4_MIN_HLEN &&
	    !cur_take(&cur, (size_t)ip->hlen - IPV4_MIN_HLEN)) {
		decode_anom(p, ANOM_IPV4_TRUNCATED);
		return DECODE_TRUNCATED;
	}
	/* RFC 791 3.1: the checksum field makes the header sum to 0xffff. */
	ip->csum = inet_checksum(hdr, ip->hlen) == 0 ? CSUM_GOOD : CSUM_BAD;
	if (ip->csum == CSUM_BAD)
		decode_anom(p, ANOM_IPV4_CHECKSUM_BAD);
	if (ip->hlen > IPV4_MIN_HLEN)
		ipv4_opts_walk(p, hdr + IPV4_MIN_HLEN,
			       ip->hlen - IPV4_MIN_HLEN);

	/* RFC 791 2.3: only the fragment at offset 0 holds the TCP header. */
	if (ip->frag_offset == 0 && ip->mf)
		decode_anom(p, ANOM_IPV4_FRAGMENT);
	if (ip->proto != IP_PROTO_TCP)
		return DECODE_NOT_TCP;
	if (ip->frag_offset > 0)
		return DECODE_FRAGMENT;
	c->l4_off = off + ip->hlen;
	c->l4_len = ip->total_len - ip->hlen;
	return DECODE_TCP;
}
