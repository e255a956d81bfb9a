/*
 * decode_packet(): the one entry point, shared by the pipeline, the tests
 * and the fuzzer. It zeroes the view (all but the unused tails of the
 * option arrays), then runs link -> IP -> TCP, each layer stopping the
 * walk with a status when it cannot go on.
 */
#include <stddef.h>
#include <string.h>

#include "decode_internal.h"

/* Initialised explicitly: only then do compilers fold the copies below
 * into stores of zeros rather than loads and stores. */
static const struct decoded_packet zero_view = { 0 };

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

	/*
	 * Everything but the option list and the SACK blocks, which mean
	 * something only up to opts.count and opts.sack_count. Copied from
	 * a zero view rather than memset(): compilers turn a memset() of
	 * this size into `rep stos`, whose start-up costs more than the
	 * straight run of stores a fixed-size copy becomes.
	 */
	memcpy(out, &zero_view, offsetof(struct decoded_packet, tcp.opts.sack));
	memcpy(&out->tcp.opts.tsval, &zero_view.tcp.opts.tsval,
	       offsetof(struct decoded_packet, tcp.opts.list) -
	       offsetof(struct decoded_packet, tcp.opts.tsval));
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
