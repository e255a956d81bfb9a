/*
 * Unit tests for the entry point and the anomaly list: the view is zeroed,
 * the list is bounded, the names are stable, and no prefix or single-byte
 * corruption of a valid frame makes the decoder read past caplen (each
 * input sits in a heap block of exactly caplen bytes, so ASan and valgrind
 * see any overrun).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "frames.h"

static struct decoded_packet p;

START_TEST(decode_anomaly_names_are_dotted_unique_and_complete)
{
	for (int a = 0; a < ANOM__COUNT; a++) {
		const char *name = decode_anomaly_name((enum decode_anomaly)a);

		ck_assert_msg(strncmp(name, "decode.", 7) == 0, "%d: %s", a,
			      name);
		ck_assert_str_ne(name, "decode.unknown");
		for (int b = 0; b < a; b++)
			ck_assert_str_ne(name, decode_anomaly_name(
						       (enum decode_anomaly)b));
	}
	ck_assert_str_eq(decode_anomaly_name(ANOM_LINK_TRUNCATED),
			 "decode.link.truncated");
	ck_assert_str_eq(decode_anomaly_name(ANOM_TCP_OPT_LEN_BAD),
			 "decode.tcp.opt.len_bad");
	ck_assert_str_eq(decode_anomaly_name(ANOM_IPV6_EXT_LONG),
			 "decode.ipv6.ext_long");
	ck_assert_str_eq(decode_anomaly_name(ANOM__COUNT), "decode.unknown");
	ck_assert_str_eq(decode_anomaly_name((enum decode_anomaly)-1),
			 "decode.unknown");
}
END_TEST

START_TEST(decode_status_names_are_distinct)
{
	for (int s = DECODE_TCP; s <= DECODE_UNSUPPORTED_LINK; s++) {
		const char *name = decode_status_name((enum decode_status)s);

		ck_assert_str_ne(name, "unknown");
		for (int t = DECODE_TCP; t < s; t++)
			ck_assert_str_ne(name, decode_status_name(
						       (enum decode_status)t));
	}
	ck_assert_str_eq(decode_status_name(DECODE_NOT_TCP), "not TCP");
	ck_assert_str_eq(decode_status_name((enum decode_status)99),
			 "unknown");
}
END_TEST

START_TEST(decode_anom_bounds_the_list_and_counts_the_rest)
{
	memset(&p, 0, sizeof(p));
	for (int a = 0; a < DECODE_ANOM_MAX + 4; a++)
		decode_anom(&p, (enum decode_anomaly)a);
	ck_assert_uint_eq(p.anom_count, DECODE_ANOM_MAX);
	ck_assert_uint_eq(p.anom_dropped, 4);
	ck_assert(decode_has_anomaly(&p, (enum decode_anomaly)0));
	ck_assert(decode_has_anomaly(&p,
				     (enum decode_anomaly)(DECODE_ANOM_MAX - 1)));
	ck_assert(!decode_has_anomaly(&p, (enum decode_anomaly)DECODE_ANOM_MAX));
	for (int i = 0; i < 300; i++)
		decode_anom(&p, ANOM_TCP_OPT_UTO_LEN);
	ck_assert_uint_eq(p.anom_dropped, UINT8_MAX);
}
END_TEST

START_TEST(decode_anom_records_a_repeated_anomaly_once)
{
	memset(&p, 0, sizeof(p));
	decode_anom(&p, ANOM_TCP_OPT_DUPLICATE);
	decode_anom(&p, ANOM_TCP_OPT_MSS_LEN);
	decode_anom(&p, ANOM_TCP_OPT_DUPLICATE);
	ck_assert_uint_eq(p.anom_count, 2);
	ck_assert_uint_eq(p.anom_dropped, 0);
}
END_TEST

START_TEST(decode_packet_zeroes_the_view_first)
{
	/* Ethernet broadcast ARP: no IP, so nothing past the link is set */
	static const uint8_t arp[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					 2, 0, 0, 0, 0, 1, 0x08, 0x06 };

	memset(&p, 0xaa, sizeof(p));
	ck_assert_int_eq(decode_packet(arp, sizeof(arp), 60,
				       DECODE_LINK_ETHERNET, &p),
			 DECODE_NOT_IP);
	ck_assert_ptr_eq(p.frame, arp);
	ck_assert_uint_eq(p.caplen, 14);
	ck_assert_uint_eq(p.wirelen, 60);
	ck_assert_int_eq(p.linktype, DECODE_LINK_ETHERNET);
	ck_assert_uint_eq(p.vlan_count, 0);
	ck_assert_uint_eq(p.anom_count, 0);
	ck_assert_uint_eq(p.anom_dropped, 0);
	ck_assert_uint_eq(p.ip.version, 0);
	ck_assert_uint_eq(p.ip.total_len, 0);
	ck_assert_uint_eq(p.tcp.sport, 0);
	ck_assert_ptr_null(p.tcp.payload);
	ck_assert_uint_eq(p.tcp.opts.count, 0);
}
END_TEST

START_TEST(decode_packet_accepts_an_empty_frame)
{
	ck_assert_int_eq(decode_packet(NULL, 0, 0, DECODE_LINK_ETHERNET, &p),
			 DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_LINK_TRUNCATED));
}
END_TEST

/* MSS, SACK permitted, TS, NOP, WS: 20 option bytes */
static const uint8_t opts[20] = {
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0,
	0x01, 0x03, 0x03, 0x07,
};
/* IPv4 Record Route with room for two addresses, then EOL */
static const uint8_t rr[12] = { 0x07, 0x0b, 0x04 };
/* hop-by-hop, routing type 0 with one segment left, atomic fragment */
static const struct frame_ext v6_chain[] = {
	{ .type = 0 }, { .type = 43, .len = 24 }, { .type = 44 },
};
static const uint8_t data[7] = { 1, 2, 3, 4, 5, 6, 7 };

struct sample {
	int linktype;
	size_t len;
	size_t tcp_end;         /* first caplen that gives DECODE_TCP */
	uint8_t bytes[FRAME_MAX];
};

/* Link header + IP packet, built into s; returns nothing, fills s. */
static void sample_build(struct sample *s, int linktype, const uint8_t *hdr,
			 size_t hlen, const struct frame_spec *spec)
{
	struct frame_layout lay;

	s->linktype = linktype;
	if (hlen > 0)
		memcpy(s->bytes, hdr, hlen);
	s->len = hlen + frame_ip(s->bytes + hlen, sizeof(s->bytes) - hlen,
				 spec, &lay);
	s->tcp_end = hlen + lay.l4 + 20;
}

/* Loop index -> one of seven valid frames over every link type. */
static void sample_make(int i, struct sample *s)
{
	/* MACs, 802.1Q VID 3, IPv4 */
	static const uint8_t vlan[18] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
					  0x81, 0x00, 0x00, 0x03, 0x08, 0x00 };
	/* MACs, IPv6 */
	static const uint8_t eth6[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
					  0x86, 0xdd };
	/* SLL2: protocol IPv6, reserved, ifindex 1, ARPHRD_ETHER, to us */
	static const uint8_t sll2[20] = { 0x86, 0xdd, 0, 0, 0, 0, 0, 1,
					  0, 1, 0, 6, 2, 0, 0, 0, 0, 1 };
	/* SLL: to us, ARPHRD_ETHER, 6-byte address, protocol IPv4 */
	static const uint8_t sll[16] = { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1,
					 0, 0, 0x08, 0x00 };
	static const uint8_t null_le[4] = { 2, 0, 0, 0 };  /* AF_INET, LE */
	static const uint8_t loop_be[4] = { 0, 0, 0, 30 }; /* AF_INET6 Darwin */
	struct frame_spec spec = frame_spec_default(i % 2 == 0 ? 4 : 6);

	spec.tcp_opts = opts;
	spec.tcp_opts_len = sizeof(opts);
	spec.payload = data;
	spec.payload_len = sizeof(data);
	if (spec.ip_version == 4) {
		spec.ip_opts = rr;
		spec.ip_opts_len = sizeof(rr);
	}
	switch (i) {
	case 0:
		sample_build(s, DECODE_LINK_ETHERNET, vlan, sizeof(vlan), &spec);
		break;
	case 1:
		spec.ext = v6_chain;
		spec.ext_count = 3;
		sample_build(s, DECODE_LINK_ETHERNET, eth6, sizeof(eth6), &spec);
		/* routing header: type 0, one segment left, final = dst */
		s->bytes[14 + 48 + 2] = 0;
		s->bytes[14 + 48 + 3] = 1;
		memcpy(s->bytes + 14 + 48 + 8, spec.dst, 16);
		break;
	case 2:
		sample_build(s, DECODE_LINK_LINUX_SLL, sll, sizeof(sll), &spec);
		break;
	case 3:
		sample_build(s, DECODE_LINK_LINUX_SLL2, sll2, sizeof(sll2), &spec);
		break;
	case 4:
		sample_build(s, DECODE_LINK_NULL, null_le, 4, &spec);
		break;
	case 5:
		sample_build(s, DECODE_LINK_LOOP, loop_be, 4, &spec);
		break;
	default:
		sample_build(s, DECODE_LINK_RAW, NULL, 0, &spec);
		break;
	}
}

#define SAMPLES 7

/* Decodes the first `caplen` bytes from a heap block of exactly that size. */
static enum decode_status decode_exact(const uint8_t *bytes, size_t caplen,
				       size_t wirelen, int linktype)
{
	uint8_t *copy = malloc(caplen > 0 ? caplen : 1);
	enum decode_status st;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, bytes, caplen);
	st = decode_packet(caplen > 0 ? copy : NULL, (uint32_t)caplen,
			   (uint32_t)wirelen, linktype, &p);
	ck_assert_uint_le(p.anom_count, DECODE_ANOM_MAX);
	if (st == DECODE_TCP) {
		size_t l4 = (size_t)p.l3_off + p.ip.hlen;

		/* What the view points at was captured, so readers may use it. */
		for (unsigned i = 0; i < p.tcp.opts.count; i++)
			ck_assert_uint_le(l4 + p.tcp.opts.list[i].off +
					  p.tcp.opts.list[i].len, caplen);
		if (p.tcp.payload_caplen > 0)
			ck_assert_uint_le((size_t)(p.tcp.payload - copy) +
					  p.tcp.payload_caplen, caplen);
		ck_assert_uint_le(p.tcp.payload_caplen, p.tcp.payload_len);
	}
	free(copy);
	return st;
}

START_TEST(decode_reads_no_byte_past_caplen_for_any_prefix)
{
	static struct sample s;

	sample_make(_i, &s);
	for (size_t caplen = 0; caplen <= s.len; caplen++) {
		enum decode_status st;

		st = decode_exact(s.bytes, caplen, s.len, s.linktype);
		if (caplen < s.tcp_end)
			ck_assert_msg(st == DECODE_TRUNCATED,
				      "caplen %zu: %d", caplen, st);
		else
			ck_assert_msg(st == DECODE_TCP, "caplen %zu: %d",
				      caplen, st);
		/* the same bytes as a whole frame that short on the wire */
		(void)decode_exact(s.bytes, caplen, caplen, s.linktype);
	}
	ck_assert_int_eq(decode_exact(s.bytes, s.len, s.len, s.linktype),
			 DECODE_TCP);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.tcp.payload_caplen, sizeof(data));
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

START_TEST(decode_reads_no_byte_past_caplen_for_any_single_byte_corruption)
{
	static const uint8_t values[] = { 0x00, 0x01, 0x0f, 0x40, 0x7f, 0x80,
					  0xff };
	static struct sample s;
	static uint8_t b[FRAME_MAX];
	unsigned decoded = 0;

	sample_make(_i, &s);
	for (size_t at = 0; at < s.len; at++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			memcpy(b, s.bytes, s.len);
			b[at] = values[v];
			if (decode_exact(b, s.len, s.len, s.linktype) ==
			    DECODE_TCP)
				decoded++;
		}
	}
	/* Most corruptions hit bytes the decoder tolerates (ports, data). */
	ck_assert_uint_gt(decoded, s.len);
}
END_TEST

static Suite *packet_suite(void)
{
	Suite *s = suite_create("decode_packet");
	TCase *names = tcase_create("anomalies");
	TCase *bounds = tcase_create("bounds");

	tcase_add_test(names, decode_anomaly_names_are_dotted_unique_and_complete);
	tcase_add_test(names, decode_status_names_are_distinct);
	tcase_add_test(names, decode_anom_bounds_the_list_and_counts_the_rest);
	tcase_add_test(names, decode_anom_records_a_repeated_anomaly_once);
	tcase_add_test(names, decode_packet_zeroes_the_view_first);
	tcase_add_test(names, decode_packet_accepts_an_empty_frame);
	suite_add_tcase(s, names);

	tcase_add_loop_test(bounds, decode_reads_no_byte_past_caplen_for_any_prefix,
			    0, SAMPLES);
	tcase_add_loop_test(bounds,
		decode_reads_no_byte_past_caplen_for_any_single_byte_corruption,
		0, SAMPLES);
	tcase_set_timeout(bounds, 120);
	suite_add_tcase(s, bounds);
	return s;
}

int main(void)
{
	return frames_run(packet_suite());
}
