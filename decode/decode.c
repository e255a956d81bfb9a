/*
 * decode_packet(): the one entry point, shared by the pipeline, the tests
 * and the fuzzer. It zeroes the view, then runs link -> IP -> TCP, each
 * layer stopping the walk with a status when it cannot go on.
 */
#include <string.h>

#include "decode_internal.h"

static enum decode_status decode_ip(struct decode_ctx *c)
{
	switch (c->pkt->ethertype) {
	case ETHERTYPE_IPV4:
		return ipv4_decode(c);
	case ETHERTYPE_IPV6:
		return ipv6_decode(c);
	default:
		return DECODE_NOT_IP;
	}
}

enum decode_status decode_packet(const uint8_t *bytes, uint32_t caplen,
				 uint32_t wirelen, int linktype,
				 struct decoded_packet *out)
{
	struct decode_ctx c;
	enum decode_status st;

	memset(out, 0, sizeof(*out));
	out->frame = bytes;
	out->caplen = caplen;
	out->wirelen = wirelen;
	out->linktype = linktype;

	memset(&c, 0, sizeof(c));
	c.frame = bytes;
	c.caplen = bytes ? caplen : 0;
	/*
	 * A frame cannot have been shorter on the wire than what was captured
	 * of it; a writer that says so is wrong, and trusting caplen keeps
	 * every "bytes on the wire" computation from going below it.
	 */
	c.wirelen = wirelen < c.caplen ? c.caplen : wirelen;
	c.pkt = out;

	st = link_decode(&c, linktype);
	if (st != DECODE_TCP)
		return st;
	st = decode_ip(&c);
	if (st != DECODE_TCP)
		return st;
	return tcp_decode(&c);
}
