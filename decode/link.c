/*
 * Link layers: find where the IP header starts (l3_off) and which protocol
 * it is (ethertype, synthesised for the link types that carry no ethertype).
 */
#include "decode_internal.h"

/* BSD address families for IPv4/IPv6 as tcpdump's af.h lists them. */
#define BSD_AF_INET 2
#define LINUX_AF_INET6 10
#define BSD_AF_INET6_BSD 24     /* OpenBSD, NetBSD, BSD/OS */
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

#define SLL_HDR_LEN 16
#define SLL2_HDR_LEN 20

bool decode_link_supported(int linktype)
{
	switch (linktype) {
	case DECODE_LINK_NULL:
	case DECODE_LINK_ETHERNET:
	case DECODE_LINK_RAW:
	case DECODE_LINK_RAW_BSD:
	case DECODE_LINK_RAW_LT:
	case DECODE_LINK_LOOP:
	case DECODE_LINK_LINUX_SLL:
	case DECODE_LINK_IPV4:
	case DECODE_LINK_IPV6:
	case DECODE_LINK_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

static bool is_vlan_tpid(uint16_t type)
{
	/* 802.1Q, 802.1ad, and the pre-standard QinQ TPID. */
	return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

static enum decode_status link_truncated(struct decoded_packet *p)
{
	decode_anom(p, ANOM_LINK_TRUNCATED);
	return DECODE_TRUNCATED;
}

/*
 * Takes the ethertype the link header carried, with the cursor just past the
 * link header: unwraps VLAN tags (outermost first), then records the inner
 * ethertype and where its payload starts.
 */
static enum decode_status ethertype_walk(struct decode_ctx *c,
					 struct cursor *cur, uint16_t type)
{
	struct decoded_packet *p = c->pkt;
	uint16_t tci;

	if (cur->bad)
		return link_truncated(p);
	while (is_vlan_tpid(type)) {
		if (p->vlan_count == DECODE_VLAN_MAX) {
			decode_anom(p, ANOM_VLAN_TOO_MANY);
			return DECODE_MALFORMED;
		}
		tci = cur_be16(cur);
		type = cur_be16(cur);
		if (cur->bad)
			return link_truncated(p);
		/* IEEE 802.1Q 9.6: the VID is the low 12 bits of the TCI. */
		p->vlan[p->vlan_count++] = tci & 0x0fff;
	}
	p->ethertype = type;
	p->l3_off = (uint16_t)cur->pos;
	/*
	 * Anything else is not IP, including values up to 1500, which IEEE
	 * 802.3 3.2.6 makes a frame length rather than a type.
	 */
	if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
		return DECODE_NOT_IP;
	return DECODE_TCP;
}

static enum decode_status ethernet_decode(struct decode_ctx *c)
{
	struct cursor cur = ctx_cursor(c, 0);
	const uint8_t *h = cur_take(&cur, 14);  /* two MACs, a type */
	uint16_t type;

	if (!h)
		return link_truncated(c->pkt);
	type = ld_be16(h + 12);
	if (!is_vlan_tpid(type)) {
		/* the untagged frame: what ethertype_walk() would do */
		c->pkt->ethertype = type;
		c->pkt->l3_off = 14;
		return type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6
			       ? DECODE_TCP
			       : DECODE_NOT_IP;
	}
	/* the tags get a cursor of their own, at the same place: handing
	 * this one's address out would keep it in memory on every path */
	struct cursor tags = ctx_cursor(c, 0);

	cur_skip(&tags, 14);
	return ethertype_walk(c, &tags, type);
}

/* Linux cooked v1: the protocol is the last field of a 16-byte header. */
static enum decode_status sll_decode(struct decode_ctx *c)
{
	struct cursor cur = ctx_cursor(c, 0);
	uint16_t type;

	cur_skip(&cur, SLL_HDR_LEN - 2);
	type = cur_be16(&cur);
	return ethertype_walk(c, &cur, type);
}

/* Linux cooked v2: the protocol comes first, the header is 20 bytes. */
static enum decode_status sll2_decode(struct decode_ctx *c)
{
	struct cursor cur = ctx_cursor(c, 0);
	uint16_t type;

	type = cur_be16(&cur);
	cur_skip(&cur, SLL2_HDR_LEN - 2);
	return ethertype_walk(c, &cur, type);
}

static enum decode_status family_to_ethertype(struct decode_ctx *c,
					      uint32_t family)
{
	struct decoded_packet *p = c->pkt;

	p->l3_off = 4;
	switch (family) {
	case BSD_AF_INET:
		p->ethertype = ETHERTYPE_IPV4;
		return DECODE_TCP;
	case LINUX_AF_INET6:
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		p->ethertype = ETHERTYPE_IPV6;
		return DECODE_TCP;
	default:
		decode_anom(p, ANOM_NULL_FAMILY_UNKNOWN);
		return DECODE_NOT_IP;
	}
}

static enum decode_status null_decode(struct decode_ctx *c, bool host_order)
{
	struct cursor cur = ctx_cursor(c, 0);
	uint32_t family;

	if (host_order) {
		/*
		 * DLT_NULL writes the family in the capturing host's byte
		 * order, which the file does not record. Families are small,
		 * so a value with high bits set was written the other way
		 * round (tcpdump's null_if_print does the same).
		 */
		family = cur_le32(&cur);
		if (family & 0xffff0000u)
			family = (family >> 24) | ((family >> 8) & 0xff00u) |
				 ((family << 8) & 0xff0000u) | (family << 24);
	} else {
		family = cur_be32(&cur);
	}
	if (cur.bad)
		return link_truncated(c->pkt);
	return family_to_ethertype(c, family);
}

/* Raw IP: no link header; the version nibble says which IP it is. */
static enum decode_status raw_decode(struct decode_ctx *c)
{
	struct cursor cur = ctx_cursor(c, 0);
	uint8_t version = (cur_u8(&cur) >> 4) & 0x0f;

	if (cur.bad)
		return link_truncated(c->pkt);
	c->pkt->l3_off = 0;
	if (version == 4) {
		c->pkt->ethertype = ETHERTYPE_IPV4;
		return DECODE_TCP;
	}
	if (version == 6) {
		c->pkt->ethertype = ETHERTYPE_IPV6;
		return DECODE_TCP;
	}
	decode_anom(c->pkt, ANOM_IP_VERSION_MISMATCH);
	return DECODE_MALFORMED;
}

enum decode_status link_decode(struct decode_ctx *c, int linktype)
{
	/* nearly every capture: ahead of the switch, which the compiler
	 * turns into a search over these scattered values */
	if (linktype == DECODE_LINK_ETHERNET)
		return ethernet_decode(c);
	switch (linktype) {
	case DECODE_LINK_LINUX_SLL:
		return sll_decode(c);
	case DECODE_LINK_LINUX_SLL2:
		return sll2_decode(c);
	case DECODE_LINK_NULL:
		return null_decode(c, true);
	case DECODE_LINK_LOOP:
		return null_decode(c, false);
	case DECODE_LINK_RAW:
	case DECODE_LINK_RAW_BSD:
	case DECODE_LINK_RAW_LT:
		return raw_decode(c);
	case DECODE_LINK_IPV4:
		/* The IP decoder checks the version against the link. */
		c->pkt->ethertype = ETHERTYPE_IPV4;
		return DECODE_TCP;
	case DECODE_LINK_IPV6:
		c->pkt->ethertype = ETHERTYPE_IPV6;
		return DECODE_TCP;
	default:
		return DECODE_UNSUPPORTED_LINK;
	}
}
