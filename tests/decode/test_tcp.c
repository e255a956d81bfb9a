/* Unit tests for the TCP header: offsets, flags, payload, checksum. */
#include <check.h>
#include <string.h>

#include "decode.h"
#include "frames.h"

static uint8_t buf[FRAME_MAX];
static struct decoded_packet p;
static struct frame_layout lay;

/* MSS 1460, SACK permitted, TS 1/0, NOP, WS 7: 20 bytes */
static const uint8_t syn_opts[20] = {
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0,
	0x01, 0x03, 0x03, 0x07,
};

static const uint8_t hello[11] = { 'h', 'e', 'l', 'l', 'o', ' ',
				   'w', 'o', 'r', 'l', 'd' };

static size_t build(struct frame_spec *s)
{
	return frame_eth(buf, sizeof(buf), s, &lay);
}

static enum decode_status run(size_t caplen, size_t wirelen)
{
	return decode_packet(buf, (uint32_t)caplen, (uint32_t)wirelen,
			     DECODE_LINK_ETHERNET, &p);
}

START_TEST(tcp_decodes_the_header_fields)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.seq = 0xfffffff0;
	s.ack = 0x01020304;
	s.flags = TCP_ACK | TCP_PSH | TCP_URG;
	s.win = 1234;
	n = build(&s);
	frame_wr16(buf + lay.l4 + 18, 77);      /* urgent pointer */
	frame_fix_tcp_csum(buf + lay.l3, lay.l4 - lay.l3, 20, NULL);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.tcp.sport, 40000);
	ck_assert_uint_eq(p.tcp.dport, 80);
	ck_assert_uint_eq(p.tcp.seq, 0xfffffff0);
	ck_assert_uint_eq(p.tcp.ack, 0x01020304);
	ck_assert_uint_eq(p.tcp.hlen, 20);
	ck_assert_uint_eq(p.tcp.flags, TCP_ACK | TCP_PSH | TCP_URG);
	ck_assert_uint_eq(p.tcp.win, 1234);
	ck_assert_uint_eq(p.tcp.urp, 77);
	ck_assert_uint_eq(p.tcp.csum_value, frame_rd16(buf + lay.l4 + 16));
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.tcp.opts.count, 0);
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

/* Loop: each of the nine flag bits alone, FIN (0x001) to AE (0x100). */
START_TEST(tcp_maps_every_flag_bit)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.flags = (uint16_t)(1u << _i);
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.tcp.flags, 1u << _i);
}
END_TEST

START_TEST(tcp_reads_ae_from_the_low_bit_of_byte_twelve)
{
	struct frame_spec s = frame_spec_default(6);
	size_t n = build(&s);

	buf[lay.l4 + 12] = 0x51;        /* data offset 5, AE */
	buf[lay.l4 + 13] = 0xc2;        /* CWR, ECE, SYN */
	frame_fix_tcp_csum(buf + lay.l3, lay.l4 - lay.l3, 20, NULL);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.tcp.flags, TCP_AE | TCP_CWR | TCP_ECE | TCP_SYN);
	ck_assert_uint_eq(p.tcp.hlen, 20);
}
END_TEST

/* Loop: reserved bits 1, 2 and 3 of byte 12, each set alone, stay in the
 * 12-bit field above AE, apart from every named flag. */
START_TEST(tcp_keeps_reserved_bits_apart_from_the_named_flags)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n = build(&s);

	buf[lay.l4 + 12] = (uint8_t)(0x50 | (0x02 << _i));
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.tcp.flags, (0x200u << _i) | TCP_SYN);
	ck_assert_uint_eq(p.tcp.hlen, 20);
}
END_TEST

/* Loop: data offset 0..4, each below the 5-word minimum. */
START_TEST(tcp_rejects_each_data_offset_below_five)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n = build(&s);

	buf[lay.l4 + 12] = (uint8_t)(_i << 4);
	ck_assert_int_eq(run(n, n), DECODE_MALFORMED);
	ck_assert(decode_has_anomaly(&p, ANOM_TCP_HLEN_SHORT));
	ck_assert_uint_eq(p.tcp.hlen, 4 * _i);
}
END_TEST

/* Loop: data offset 7..15 over a 28-byte segment (20 + 8 payload). */
START_TEST(tcp_rejects_a_data_offset_beyond_the_segment)
{
	static const uint8_t data[8];
	struct frame_spec s = frame_spec_default(6);
	size_t n;

	s.payload = data;
	s.payload_len = sizeof(data);
	n = build(&s);
	buf[lay.l4 + 12] = (uint8_t)(_i << 4);
	if (_i == 7) {          /* exactly the segment: all header */
		ck_assert_int_eq(run(n, n), DECODE_TCP);
		ck_assert_uint_eq(p.tcp.payload_len, 0);
		return;
	}
	ck_assert_int_eq(run(n, n), DECODE_MALFORMED);
	ck_assert(decode_has_anomaly(&p, ANOM_TCP_HLEN_LONG));
}
END_TEST

/* Loop: a 40-byte header with options, captured up to 20 + _i bytes. */
START_TEST(tcp_flags_options_cut_by_the_snaplen_and_still_decodes)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.tcp_opts = syn_opts;
	s.tcp_opts_len = sizeof(syn_opts);
	n = build(&s);
	ck_assert_int_eq(run(lay.l4 + 20 + (size_t)_i, n), DECODE_TCP);
	ck_assert(decode_has_anomaly(&p, ANOM_TCP_TRUNCATED));
	ck_assert(!decode_has_anomaly(&p, ANOM_TCP_OPT_OVERRUN));
	ck_assert_uint_eq(p.tcp.hlen, 40);
	ck_assert_uint_eq(p.tcp.dport, 80);
	ck_assert_int_eq(p.tcp.csum, CSUM_UNCHECKED);
	ck_assert(!!(p.tcp.opts.present & TCPOPT_HAS_MSS) == (_i >= 4));
	ck_assert_uint_eq(p.tcp.payload_caplen, 0);
	/* whatever is listed was captured whole, so a printer may read it */
	for (unsigned i = 0; i < p.tcp.opts.count; i++)
		ck_assert_uint_le(p.tcp.opts.list[i].off + p.tcp.opts.list[i].len,
				  20u + (unsigned)_i);
}
END_TEST

/* Loop: only _i (0..19) bytes of the fixed TCP header were captured. */
START_TEST(tcp_flags_a_fixed_header_cut_by_the_snaplen)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n = build(&s);

	ck_assert_int_eq(run(lay.l4 + (size_t)_i, n), DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_TCP_TRUNCATED));
}
END_TEST

/* Loop: the IP length leaves only _i (0..19) bytes for TCP. */
START_TEST(tcp_rejects_a_segment_too_short_for_a_header)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n = build(&s);

	frame_wr16(buf + lay.l3 + 2, (uint16_t)(20 + _i));
	frame_fix_ipv4_csum(buf + lay.l3);
	ck_assert_int_eq(run(n, n), DECODE_MALFORMED);
	ck_assert(decode_has_anomaly(&p, ANOM_TCP_HLEN_LONG));
	ck_assert(!decode_has_anomaly(&p, ANOM_TCP_TRUNCATED));
}
END_TEST

START_TEST(tcp_points_the_payload_into_the_frame)
{
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.tcp_opts = syn_opts;
	s.tcp_opts_len = sizeof(syn_opts);
	s.payload = hello;
	s.payload_len = sizeof(hello);
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.tcp.payload_len, sizeof(hello));
	ck_assert_uint_eq(p.tcp.payload_caplen, sizeof(hello));
	ck_assert_ptr_eq(p.tcp.payload, buf + lay.payload);
	ck_assert_mem_eq(p.tcp.payload, hello, sizeof(hello));
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
}
END_TEST

START_TEST(tcp_flags_a_payload_cut_by_the_snaplen)
{
	struct frame_spec s = frame_spec_default(6);
	size_t n;

	s.payload = hello;
	s.payload_len = sizeof(hello);
	n = build(&s);
	ck_assert_int_eq(run(n - 6, n), DECODE_TCP);
	ck_assert(decode_has_anomaly(&p, ANOM_TCP_SNAPLEN));
	ck_assert_uint_eq(p.tcp.payload_len, 11);
	ck_assert_uint_eq(p.tcp.payload_caplen, 5);
	ck_assert_int_eq(p.tcp.csum, CSUM_UNCHECKED);
}
END_TEST

/* Loop: {IPv4, IPv6} x {intact, one payload bit flipped, cut by 1 byte}. */
START_TEST(tcp_reports_the_checksum_good_bad_or_unchecked)
{
	static const enum decode_csum want[] = { CSUM_GOOD, CSUM_BAD,
						 CSUM_UNCHECKED };
	struct frame_spec s = frame_spec_default(_i < 3 ? 4 : 6);
	size_t n, caplen;

	s.payload = hello;
	s.payload_len = sizeof(hello);
	n = build(&s);
	caplen = n;
	if (_i % 3 == 1)
		buf[lay.payload + 3] ^= 0x10;
	if (_i % 3 == 2)
		caplen--;
	ck_assert_int_eq(run(caplen, n), DECODE_TCP);
	ck_assert_int_eq(p.tcp.csum, want[_i % 3]);
	ck_assert(decode_has_anomaly(&p, ANOM_TCP_CHECKSUM_BAD) ==
		  (_i % 3 == 1));
}
END_TEST

START_TEST(tcp_checksums_an_odd_length_segment)
{
	static const uint8_t three[3] = { 0xab, 0xcd, 0xef };
	struct frame_spec s = frame_spec_default(4);
	size_t n;

	s.payload = three;
	s.payload_len = sizeof(three);
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	buf[n - 1] ^= 0x01;     /* the odd byte counts as its high half */
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_int_eq(p.tcp.csum, CSUM_BAD);
}
END_TEST

START_TEST(tcp_parses_options_through_decode_packet)
{
	struct frame_spec s = frame_spec_default(6);
	size_t n;

	s.tcp_opts = syn_opts;
	s.tcp_opts_len = sizeof(syn_opts);
	n = build(&s);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.tcp.hlen, 40);
	ck_assert_uint_eq(p.tcp.opts.count, 5);
	ck_assert_uint_eq(p.tcp.opts.list[0].off, 20);
	ck_assert_uint_eq(p.tcp.opts.mss, 1460);
	ck_assert_uint_eq(p.tcp.opts.wscale, 7);
	ck_assert_uint_eq(p.tcp.opts.tsval, 1);
	ck_assert_uint_eq(p.tcp.payload_len, 0);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
}
END_TEST

static Suite *tcp_suite(void)
{
	Suite *s = suite_create("decode_tcp");
	TCase *hdr = tcase_create("header");
	TCase *len = tcase_create("lengths");
	TCase *sum = tcase_create("payload");

	tcase_add_test(hdr, tcp_decodes_the_header_fields);
	tcase_add_loop_test(hdr, tcp_maps_every_flag_bit, 0, 9);
	tcase_add_test(hdr, tcp_reads_ae_from_the_low_bit_of_byte_twelve);
	tcase_add_loop_test(hdr, tcp_keeps_reserved_bits_apart_from_the_named_flags, 0, 3);
	tcase_add_test(hdr, tcp_parses_options_through_decode_packet);
	suite_add_tcase(s, hdr);

	tcase_add_loop_test(len, tcp_rejects_each_data_offset_below_five, 0, 5);
	tcase_add_loop_test(len, tcp_rejects_a_data_offset_beyond_the_segment,
			    7, 16);
	tcase_add_loop_test(len,
			    tcp_flags_options_cut_by_the_snaplen_and_still_decodes,
			    0, 20);
	tcase_add_loop_test(len, tcp_flags_a_fixed_header_cut_by_the_snaplen,
			    0, 20);
	tcase_add_loop_test(len, tcp_rejects_a_segment_too_short_for_a_header,
			    0, 20);
	suite_add_tcase(s, len);

	tcase_add_test(sum, tcp_points_the_payload_into_the_frame);
	tcase_add_test(sum, tcp_flags_a_payload_cut_by_the_snaplen);
	tcase_add_loop_test(sum, tcp_reports_the_checksum_good_bad_or_unchecked,
			    0, 6);
	tcase_add_test(sum, tcp_checksums_an_odd_length_segment);
	suite_add_tcase(s, sum);
	return s;
}

int main(void)
{
	return frames_run(tcp_suite());
}
