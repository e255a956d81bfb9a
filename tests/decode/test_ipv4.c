/* Unit tests for IPv4: lengths, checksum, options, fragments. */
#include <check.h>
#include <string.h>

#include "decode.h"
#include "frames.h"

#define L3 14                   /* IPv4 follows a plain Ethernet header */

static uint8_t buf[FRAME_MAX];
static uint8_t *const ip = buf + L3;
static struct decoded_packet p;
static struct frame_layout lay;

static size_t build(const struct frame_spec *s)
{
	return frame_eth(buf, sizeof(buf), s, &lay);
}

static size_t build_default(void)
{
	struct frame_spec s = frame_spec_default(4);

	return build(&s);
}

static enum decode_status run(size_t caplen, size_t wirelen)
{
	return decode_packet(buf, (uint32_t)caplen, (uint32_t)wirelen,
			     DECODE_LINK_ETHERNET, &p);
}

START_TEST(ipv4_decodes_the_header_fields)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.df = true;
	s.ttl = 57;
	n = build(&s);
	ip[1] = 0xb8;   /* TOS: DSCP EF */
	frame_fix_ipv4_csum(ip);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.ip.version, 4);
	ck_assert_uint_eq(p.ip.hlen, 20);
	ck_assert_uint_eq(p.ip.tos, 0xb8);
	ck_assert_uint_eq(p.ip.ttl, 57);
	ck_assert_uint_eq(p.ip.proto, 6);
	ck_assert_uint_eq(p.ip.id, 0x1234);
	ck_assert_uint_eq(p.ip.df, 1);
	ck_assert_uint_eq(p.ip.mf, 0);
	ck_assert_uint_eq(p.ip.is_fragment, 0);
	ck_assert_uint_eq(p.ip.total_len, 40);
	ck_assert_mem_eq(p.ip.src, s.src, 4);
	ck_assert_mem_eq(p.ip.dst, s.dst, 4);
	ck_assert_int_eq(p.ip.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

/* Loop: only _i (0..19) bytes of the IPv4 header were captured. */
START_TEST(ipv4_flags_a_header_cut_before_twenty_bytes)
{
	size_t n = build_default();

	ck_assert_int_eq(run(L3 + (size_t)_i, n), DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_TRUNCATED));
	ck_assert_uint_eq(p.ip.version, 0);
}
END_TEST

/* Loop: IHL 0..4, each below the 5-word minimum. */
START_TEST(ipv4_rejects_each_ihl_below_five)
{
	size_t n = build_default();

	ip[0] = (uint8_t)(0x40 | _i);
	ck_assert_int_eq(run(n, n), DECODE_MALFORMED);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_HLEN_SHORT));
	ck_assert_uint_eq(p.ip.hlen, 4 * _i);
}
END_TEST

/* Loop: a 40-byte header (20 option bytes) cut after 20 + _i bytes. */
START_TEST(ipv4_flags_options_cut_by_the_snaplen)
{
	static const uint8_t nops[20] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	};      /* 19 NOPs and an EOL */
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.ip_opts = nops;
	s.ip_opts_len = sizeof(nops);
	n = build(&s);
	ck_assert_int_eq(run(L3 + 20 + (size_t)_i, n), DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_TRUNCATED));
	ck_assert_uint_eq(p.ip.hlen, 40);
	ck_assert_int_eq(p.ip.csum, CSUM_UNCHECKED);
}
END_TEST

/* {options bytes, total length}: each total length below the IHL. */
static const struct {
	size_t opts;
	uint16_t total;
} short_totals[] = { { 0, 1 }, { 0, 19 }, { 4, 20 }, { 4, 23 }, { 40, 59 } };

START_TEST(ipv4_rejects_a_total_length_below_the_header)
{
	static const uint8_t nops[40] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	};
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.ip_opts = nops;
	s.ip_opts_len = short_totals[_i].opts;
	n = build(&s);
	frame_wr16(ip + 2, short_totals[_i].total);
	frame_fix_ipv4_csum(ip);
	ck_assert_int_eq(run(n, n), DECODE_MALFORMED);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_TOTLEN_SHORT));
}
END_TEST

static const uint16_t excess[] = { 1, 100, 65535 - 50 };

/* Loop: the total length claims `excess` bytes more than the wire has. */
START_TEST(ipv4_clamps_a_total_length_beyond_the_wire)
{
	static const uint8_t data[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.payload = data;
	s.payload_len = sizeof(data);
	n = build(&s);
	frame_wr16(ip + 2, (uint16_t)(50 + excess[_i]));
	frame_fix_ipv4_csum(ip);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_TOTLEN_LONG));
	ck_assert_uint_eq(p.ip.total_len, 50);
	ck_assert_uint_eq(p.tcp.payload_len, 10);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
}
END_TEST

START_TEST(ipv4_flags_a_header_longer_than_the_wire)
{
	size_t n = build_default();

	ip[0] = 0x4f;                   /* IHL 15: 60 bytes */
	frame_wr16(ip + 2, 60);         /* but only 40 on the wire */
	ck_assert_int_eq(run(n, n), DECODE_MALFORMED);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_TOTLEN_LONG));
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_HLEN_LONG));
}
END_TEST

START_TEST(ipv4_sizes_a_total_length_of_zero_by_the_wire)
{
	static const uint8_t data[100];
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.payload = data;
	s.payload_len = sizeof(data);
	n = build(&s);
	frame_wr16(ip + 2, 0);  /* TSO: left for the NIC to fill in */
	frame_fix_ipv4_csum(ip);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.ip.total_len, 140);
	ck_assert_uint_eq(p.tcp.payload_len, 100);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

START_TEST(ipv4_keeps_tso_lengths_above_65535)
{
	size_t n = build_default();

	frame_wr16(ip + 2, 0);
	frame_fix_ipv4_csum(ip);
	ck_assert_int_eq(run(n, 70000), DECODE_TCP);
	ck_assert_uint_eq(p.ip.total_len, 70000 - L3);
	ck_assert_uint_eq(p.tcp.payload_len, 70000 - L3 - 40);
	ck_assert_uint_eq(p.tcp.payload_caplen, 0);
	ck_assert(decode_has_anomaly(&p, ANOM_TCP_SNAPLEN));
	ck_assert_int_eq(p.tcp.csum, CSUM_UNCHECKED);
}
END_TEST

START_TEST(ipv4_does_not_count_ethernet_padding_as_payload)
{
	size_t n = build_default();

	ck_assert_uint_eq(n, 54);
	memset(buf + n, 0xaa, 6);       /* padded to the 60-byte minimum */
	ck_assert_int_eq(run(60, 60), DECODE_TCP);
	ck_assert_uint_eq(p.ip.total_len, 40);
	ck_assert_uint_eq(p.tcp.payload_len, 0);
	ck_assert_uint_eq(p.tcp.payload_caplen, 0);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

START_TEST(ipv4_flags_a_bad_header_checksum_and_still_decodes_tcp)
{
	size_t n = build_default();

	ip[11] ^= 0x01;
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_int_eq(p.ip.csum, CSUM_BAD);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_CHECKSUM_BAD));
	ck_assert_uint_eq(p.tcp.dport, 80);
}
END_TEST

START_TEST(ipv4_skips_sound_options)
{
	/* Record Route (len 11, ptr 4, room for 2 addresses), Router Alert
	 * (len 4), NOP, EOL */
	static const uint8_t opts[20] = {
		0x07, 0x0b, 0x04, 0, 0, 0, 0, 0, 0, 0, 0,
		0x94, 0x04, 0x00, 0x00, 0x01, 0x00, 0, 0, 0,
	};
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.ip_opts = opts;
	s.ip_opts_len = sizeof(opts);
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.ip.hlen, 40);
	ck_assert_uint_eq(p.tcp.sport, 40000);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

static const uint8_t bad_opts[][8] = {
	{ 0x07, 0x00 },                         /* length 0 */
	{ 0x07, 0x01 },                         /* length 1 */
	{ 0x07, 0x0b, 0x04 },                   /* 11 bytes in 8 */
	{ 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x94 }, /* no length */
};

START_TEST(ipv4_flags_bad_options_without_failing_the_packet)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.ip_opts = bad_opts[_i];
	s.ip_opts_len = sizeof(bad_opts[_i]);
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_OPT_BAD));
	ck_assert_uint_eq(p.tcp.sport, 40000);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
}
END_TEST

START_TEST(ipv4_decodes_tcp_in_a_first_fragment_without_checking_it)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.mf = true;
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV4_FRAGMENT));
	ck_assert_uint_eq(p.ip.is_fragment, 1);
	ck_assert_uint_eq(p.ip.mf, 1);
	ck_assert_uint_eq(p.tcp.sport, 40000);
	ck_assert_int_eq(p.tcp.csum, CSUM_UNCHECKED);
}
END_TEST

/* Loop: non-first fragments, the last one (_i == 1) and a middle one. */
START_TEST(ipv4_does_not_decode_a_non_first_fragment)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.frag_offset = 1480;
	s.mf = _i == 0;
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_FRAGMENT);
	ck_assert_uint_eq(p.ip.frag_offset, 1480);
	ck_assert_uint_eq(p.ip.is_fragment, 1);
	ck_assert_uint_eq(p.tcp.sport, 0);
	ck_assert(!decode_has_anomaly(&p, ANOM_IPV4_FRAGMENT));
}
END_TEST

START_TEST(ipv4_reports_other_protocols_as_not_tcp)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.proto = 17;   /* UDP */
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_NOT_TCP);
	ck_assert_uint_eq(p.ip.proto, 17);
	ck_assert_uint_eq(p.ip.version, 4);
	s.frag_offset = 8;      /* a UDP fragment is still not TCP */
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_NOT_TCP);
}
END_TEST

START_TEST(ipv4_treats_a_wire_length_below_caplen_as_caplen)
{
	size_t n = build_default();

	ck_assert_int_eq(run(n, 0), DECODE_TCP);
	ck_assert_uint_eq(p.wirelen, 0);
	ck_assert_uint_eq(p.caplen, n);
	ck_assert_uint_eq(p.ip.total_len, 40);
	ck_assert_uint_eq(p.anom_count, 0);
	/* a TSO length is taken from the wire, which is then caplen */
	frame_wr16(ip + 2, 0);
	frame_fix_ipv4_csum(ip);
	ck_assert_int_eq(run(n, 0), DECODE_TCP);
	ck_assert_uint_eq(p.ip.total_len, 40);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
}
END_TEST

static Suite *ipv4_suite(void)
{
	Suite *s = suite_create("decode_ipv4");
	TCase *hdr = tcase_create("header");
	TCase *len = tcase_create("lengths");
	TCase *frag = tcase_create("fragments");

	tcase_add_test(hdr, ipv4_decodes_the_header_fields);
	tcase_add_loop_test(hdr, ipv4_flags_a_header_cut_before_twenty_bytes,
			    0, 20);
	tcase_add_loop_test(hdr, ipv4_rejects_each_ihl_below_five, 0, 5);
	tcase_add_loop_test(hdr, ipv4_flags_options_cut_by_the_snaplen, 0, 20);
	tcase_add_test(hdr,
		       ipv4_flags_a_bad_header_checksum_and_still_decodes_tcp);
	tcase_add_test(hdr, ipv4_skips_sound_options);
	tcase_add_loop_test(hdr,
			    ipv4_flags_bad_options_without_failing_the_packet,
			    0, (int)(sizeof(bad_opts) / sizeof(bad_opts[0])));
	suite_add_tcase(s, hdr);

	tcase_add_loop_test(len, ipv4_rejects_a_total_length_below_the_header,
			    0, (int)(sizeof(short_totals) /
				     sizeof(short_totals[0])));
	tcase_add_loop_test(len, ipv4_clamps_a_total_length_beyond_the_wire,
			    0, (int)(sizeof(excess) / sizeof(excess[0])));
	tcase_add_test(len, ipv4_flags_a_header_longer_than_the_wire);
	tcase_add_test(len, ipv4_sizes_a_total_length_of_zero_by_the_wire);
	tcase_add_test(len, ipv4_keeps_tso_lengths_above_65535);
	tcase_add_test(len, ipv4_does_not_count_ethernet_padding_as_payload);
	tcase_add_test(len, ipv4_treats_a_wire_length_below_caplen_as_caplen);
	suite_add_tcase(s, len);

	tcase_add_test(frag,
		       ipv4_decodes_tcp_in_a_first_fragment_without_checking_it);
	tcase_add_loop_test(frag, ipv4_does_not_decode_a_non_first_fragment,
			    0, 2);
	tcase_add_test(frag, ipv4_reports_other_protocols_as_not_tcp);
	suite_add_tcase(s, frag);
	return s;
}

int main(void)
{
	return frames_run(ipv4_suite());
}
