/*
 * IPv6 (RFC 8200 3, 4). The payload length bounds everything after the
 * fixed header: extension headers and the TCP segment both live inside it.
 * A payload length of 0 (a jumbogram, RFC 2675, or a TSO super-packet) is
 * sized by the wire, like tcpdump does.
 */
#include "decode_internal.h"

#define IPV6_HDR_LEN 40
#define IPV6_FRAG_HDR_LEN 8
#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_AH 51
#define NH_DSTOPTS 60
#define RT_TYPE_0 0             /* deprecated by RFC 5095, still on the wire */
#define RT_TYPE_2 2             /* Mobile IPv6, RFC 6275 6.4 */
#define RT_TYPE_SRH 4           /* Segment Routing, RFC 8754 */

static bool is_extension(uint8_t nh)
{
	switch (nh) {
	case NH_HOPOPTS:
	case NH_ROUTING:
	case NH_FRAGMENT:
	case NH_AH:
	case NH_DSTOPTS:
		return true;
	default:
		return false;
	}
}

static uint32_t ext_len(uint8_t nh, uint8_t hdr_ext_len)
{
	if (nh == NH_FRAGMENT)
		return IPV6_FRAG_HDR_LEN;       /* RFC 8200 4.5 */
	if (nh == NH_AH)
		return ((uint32_t)hdr_ext_len + 2) * 4; /* RFC 4302 2.2 */
	return ((uint32_t)hdr_ext_len + 1) * 8; /* RFC 8200 4.3, 4.4, 4.6 */
}

/*
 * RFC 8200 8.1: with a Routing header, the pseudo-header carries the final
 * destination, which the originating node holds in the routing header while
 * segments are left. Types 0 and 2 list it last; an SRH lists it first
 * (RFC 8754 2: Segment List[0] is the last segment).
 */
static void routing_final_dst(struct decode_ctx *c, struct cursor *cur,
			      uint32_t off, uint8_t hdr_ext_len)
{
	uint8_t type = cur_u8(cur);
	uint8_t segments_left = cur_u8(cur);
	uint32_t addrs = hdr_ext_len / 2u;

	if (cur->bad || segments_left == 0 || addrs == 0)
		return;
	if (type == RT_TYPE_0 || type == RT_TYPE_2)
		c->final_dst_off = off + 8 + (addrs - 1) * 16;
	else if (type == RT_TYPE_SRH)
		c->final_dst_off = off + 8;
}

/*
 * RFC 8200 4.5: after next header and a reserved byte (already read), the
 * offset in 8-octet units above two reserved bits and M, then the id.
 */
static void fragment_read(struct ip_view *ip, struct cursor *cur)
{
	uint16_t offlg;

	offlg = cur_be16(cur);
	ip->frag_id = cur_be32(cur);
	ip->frag_offset = offlg & 0xfff8;
	ip->mf = offlg & 1;
	/* RFC 8200 4.5: offset 0 without M is an atomic fragment: whole. */
	ip->is_fragment = ip->frag_offset > 0 || ip->mf;
}

/*
 * Walks the extension chain from *off (the first byte after the fixed
 * header) to the first header that is not an extension, or to a non-first
 * fragment, whose payload cannot be parsed.
 */
static enum decode_status ext_walk(struct decode_ctx *c, uint8_t *nh,
				   uint32_t *off, uint32_t end)
{
	struct decoded_packet *p = c->pkt;
	struct cursor cur;
	uint8_t next, hel;
	uint32_t elen;

	while (is_extension(*nh)) {
		if (p->ip.ext_count == DECODE_IPV6_EXT_MAX) {
			decode_anom(p, ANOM_IPV6_EXT_TOO_MANY);
			return DECODE_MALFORMED;
		}
		cur = ctx_cursor(c, *off);
		next = cur_u8(&cur);
		hel = cur_u8(&cur);
		elen = ext_len(*nh, hel);
		if (end - *off < 2 || end - *off < elen) {
			decode_anom(p, ANOM_IPV6_EXT_LONG);
			return DECODE_MALFORMED;
		}
		if (cur.bad || cur_left(&cur) < elen - 2) {
			decode_anom(p, ANOM_IPV6_EXT_TRUNCATED);
			return DECODE_TRUNCATED;
		}
		if (*nh == NH_ROUTING)
			routing_final_dst(c, &cur, *off, hel);
		else if (*nh == NH_FRAGMENT)
			fragment_read(&p->ip, &cur);
		p->ip.ext_count++;
		*off += elen;
		*nh = next;
		if (p->ip.frag_offset > 0)
			return DECODE_FRAGMENT;
		if (p->ip.mf)
			decode_anom(p, ANOM_IPV6_FRAGMENT);
	}
	return DECODE_TCP;
}

/* Reads the fixed 40 bytes; returns the payload length field. */
static uint16_t ipv6_read_fixed(struct cursor *cur, struct ip_view *ip)
{
	uint32_t vtf = cur_be32(cur);
	uint16_t paylen = cur_be16(cur);

	ip->proto = cur_u8(cur);
	ip->ttl = cur_u8(cur);
	cur_copy(cur, ip->src, 16);
	cur_copy(cur, ip->dst, 16);
	if (cur->bad)
		return 0;
	ip->version = 6;
	ip->tos = (uint8_t)((vtf >> 20) & 0xff);
	ip->flow_label = vtf & 0xfffff;
	return paylen;
}

enum decode_status ipv6_decode(struct decode_ctx *c)
{
	struct decoded_packet *p = c->pkt;
	struct ip_view *ip = &p->ip;
	uint32_t off = p->l3_off;
	struct cursor cur = ctx_cursor(c, off);
	struct cursor peek = cur;
	enum decode_status st;
	uint32_t pay, avail, end;
	uint8_t nh;

	if (((cur_u8(&peek) >> 4) & 0x0f) != 6 && !peek.bad) {
		decode_anom(p, ANOM_IP_VERSION_MISMATCH);
		return DECODE_MALFORMED;
	}
	pay = ipv6_read_fixed(&cur, ip);
	if (cur.bad) {
		decode_anom(p, ANOM_IPV6_TRUNCATED);
		return DECODE_TRUNCATED;
	}
	/* 40 bytes were captured, so the wire holds at least as many. */
	avail = c->wirelen - off - IPV6_HDR_LEN;
	if (pay == 0) {
		pay = avail;
	} else if (pay > avail) {
		decode_anom(p, ANOM_IPV6_PAYLEN_LONG);
		pay = avail;
	}
	ip->total_len = IPV6_HDR_LEN + pay;
	end = off + ip->total_len;
	off += IPV6_HDR_LEN;
	nh = ip->proto;
	st = ext_walk(c, &nh, &off, end);
	ip->hlen = (uint16_t)(off - p->l3_off);
	ip->proto = nh;
	if (st == DECODE_FRAGMENT && nh != IP_PROTO_TCP)
		return DECODE_NOT_TCP;
	if (st != DECODE_TCP)
		return st;
	if (nh != IP_PROTO_TCP)
		return DECODE_NOT_TCP;
	c->l4_off = off;
	c->l4_len = end - off;
	return DECODE_TCP;
}
