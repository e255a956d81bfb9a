/* Unit tests for report/: address text, the line buffer, flag and option
 * names, and the per-packet text and JSON lines. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "decode.h"
#include "names.h"
#include "outbuf.h"
#include "report.h"

static const struct {
	uint8_t addr[16];
	const char *text;
} v6_cases[] = {
	{ { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, "2001:db8::1" },
	{ { [15] = 1 }, "::1" },
	{ { 0 }, "::" },
	{ { 0x20, 0x01, 0x0d, 0xb8 }, "2001:db8::" },
	/* RFC 5952 4.2.2: a single zero group is not shortened */
	{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 },
	  "2001:db8:0:1:1:1:1:1" },
	/* RFC 5952 4.2.3: the first of two equal runs is shortened */
	{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 },
	  "2001:db8::1:0:0:1" },
	/* RFC 5952 4.3: lower case, leading zeros dropped */
	{ { 0xfe, 0x80, [8] = 0x0a, 0xbc, [15] = 0x0f }, "fe80::abc:0:0:f" },
	/* RFC 5952 5: IPv4-mapped keeps the dotted quad */
	{ { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 }, "::ffff:192.0.2.1" },
};

START_TEST(addr_formats_ipv6_as_rfc5952_says)
{
	char buf[ADDR_TEXT_MAX];

	addr_format(buf, 6, v6_cases[_i].addr);
	ck_assert_str_eq(buf, v6_cases[_i].text);
}
END_TEST

START_TEST(addr_formats_ipv4_dotted_quad)
{
	char buf[ADDR_TEXT_MAX];
	const uint8_t a[4] = { 255, 0, 10, 192 };

	ck_assert_uint_eq(addr_format(buf, 4, a), 12);
	ck_assert_str_eq(buf, "255.0.10.192");
}
END_TEST

START_TEST(outbuf_never_writes_past_its_capacity)
{
	char buf[8] = "xxxxxxx";
	struct outbuf ob;

	ob_init(&ob, buf, 4);
	ob_puts(&ob, "abcdef");
	ob_u64(&ob, 12345);
	ck_assert(ob.overflow);
	ck_assert_uint_eq(ob.len, 4);
	ck_assert_int_eq(memcmp(buf, "abcdxxx", 8), 0);
}
END_TEST

START_TEST(outbuf_formats_numbers_fractions_and_json_strings)
{
	char buf[128];
	struct outbuf ob;

	ob_init(&ob, buf, sizeof(buf));
	ob_u64(&ob, 0);
	ob_putc(&ob, ' ');
	ob_u64(&ob, UINT64_MAX);
	ob_putc(&ob, ' ');
	ob_i64(&ob, INT64_MIN);
	ob_putc(&ob, ' ');
	ob_frac(&ob, 1234567, 6);
	ob_putc(&ob, ' ');
	ob_frac(&ob, 5, 9);
	ob_putc(&ob, ' ');
	ob_json_str(&ob, "a\"b\\c\n");
	ck_assert_int_eq(ob.overflow, 0);
	ck_assert_str_eq(
		(ob_putc(&ob, '\0'), buf),
		"0 18446744073709551615 -9223372036854775808 001234 "
		"000000005 \"a\\\"b\\\\c\\u000a\"");
}
END_TEST

/* Runs with nothing to escape are copied whole: the edges of a run. */
START_TEST(outbuf_escapes_json_strings_at_every_edge_of_a_run)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "\"\"" },
		{ "plain", "\"plain\"" },
		{ "\"", "\"\\\"\"" },
		{ "\\x", "\"\\\\x\"" },
		{ "x\t", "\"x\\u0009\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "caf\xc3\xa9 \x7f", "\"caf\xc3\xa9 \x7f\"" },
		{ "a\"\"b", "\"a\\\"\\\"b\"" },
	};
	char buf[64];
	struct outbuf ob;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ob_init(&ob, buf, sizeof(buf) - 1);
		ob_json_str(&ob, cases[i].in);
		ck_assert_int_eq(ob.overflow, 0);
		buf[ob.len] = '\0';
		ck_assert_str_eq(buf, cases[i].want);
	}
	/* a buffer too short keeps what fits and says so */
	ob_init(&ob, buf, 4);
	ob_json_str(&ob, "abcdef");
	ck_assert_int_eq(ob.overflow, 1);
	ck_assert_uint_eq(ob.len, 4);
	ck_assert_int_eq(memcmp(buf, "\"abc", 4), 0);
}
END_TEST

START_TEST(flag_names_follow_bit_order_and_tcpdump_letters)
{
	char buf[64];
	struct outbuf ob;

	ob_init(&ob, buf, sizeof(buf));
	names_tcp_flags(&ob, TCP_SYN | TCP_ACK | TCP_AE);
	ob_putc(&ob, ' ');
	names_tcp_flag_letters(&ob, TCP_SYN | TCP_ACK);
	ob_putc(&ob, ' ');
	names_tcp_flag_letters(&ob, 0);
	ob_putc(&ob, ' ');
	names_tcp_flag_letters(&ob, TCP_FIN | TCP_PSH | TCP_ACK | TCP_ECE |
					    TCP_CWR);
	ob_putc(&ob, '\0');
	ck_assert_str_eq(buf, "SYN,ACK,AE S. none FP.EW");
}
END_TEST

/*
 * Ethernet + IPv4 + TCP SYN from 192.0.2.1:40000 to 192.0.2.2:80,
 * seq 1000, win 64240, options mss 1460, sackOK, TS 1/0, nop, wscale 7.
 * Checksums are left zero: the line must report them as bad.
 */
static const uint8_t syn_frame[] = {
	/* Ethernet: dst, src, type IPv4 */
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	/* IPv4: v4 ihl5, tos 0, len 60, id 0x1234, DF, ttl 64, tcp */
	0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0, 0,
	192, 0, 2, 1, 192, 0, 2, 2,
	/* TCP: 40000 > 80, seq 1000, ack 0, doff 10, SYN, win 64240 */
	0x9c, 0x40, 0x00, 0x50, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0xa0, 0x02,
	0xfa, 0xf0, 0, 0, 0, 0,
	/* options: mss 1460, sackOK, TS val 1 ecr 0, nop, wscale 7 */
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0,
	0, 0, 0x01, 0x03, 0x03, 0x07,
};

static char *render(enum report_packet_format fmt)
{
	struct decoded_packet p;
	struct frame_meta m = { .frame = 7, .ts_sec = 1700000000,
				.ts_nsec = 123456000, .ts_digits = 6 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	enum decode_status st = decode_packet(syn_frame, sizeof(syn_frame),
					      sizeof(syn_frame), 1, &p);
	ck_assert_int_eq(st, DECODE_TCP);
	ck_assert_int_eq(report_packet(f, fmt, &m, st, &p), 1);
	fclose(f);
	return text;
}

START_TEST(packet_text_line_reads_like_tcpdump)
{
	char *line = render(REPORT_PACKETS_TEXT);

	ck_assert_str_eq(line,
		"22:13:20.123456 IP 192.0.2.1.40000 > 192.0.2.2.80: "
		"Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,"
		"TS val 1 ecr 0,nop,wscale 7], length 0 "
		"[decode.ipv4.checksum_bad,decode.tcp.checksum_bad]\n");
	free(line);
}
END_TEST

START_TEST(packet_json_line_has_the_documented_keys)
{
	char *line = render(REPORT_PACKETS_JSON);

	ck_assert_str_eq(line,
		"{\"frame\":7,\"ts\":1700000000.123456,\"src\":\"192.0.2.1\","
		"\"dst\":\"192.0.2.2\",\"ip_version\":4,\"ttl\":64,\"tos\":0,"
		"\"ip_id\":4660,\"df\":true,\"sport\":40000,\"dport\":80,"
		"\"seq\":1000,\"ack\":0,\"tcp_flags\":2,\"flags\":\"SYN\","
		"\"win\":64240,\"hlen\":40,\"len\":0,\"checksum\":\"bad\","
		"\"options\":[{\"kind\":2,\"name\":\"mss\",\"mss\":1460},"
		"{\"kind\":4,\"name\":\"sackok\"},{\"kind\":8,\"name\":\"ts\","
		"\"tsval\":1,\"tsecr\":0},{\"kind\":1,\"name\":\"nop\"},"
		"{\"kind\":3,\"name\":\"wscale\",\"wscale\":7}],"
		"\"anomalies\":[\"decode.ipv4.checksum_bad\","
		"\"decode.tcp.checksum_bad\"]}\n");
	free(line);
}
END_TEST

START_TEST(frames_that_are_not_tcp_print_nothing)
{
	struct decoded_packet p;
	struct frame_meta m = { .frame = 1, .ts_digits = 6 };
	/* an ARP frame: Ethernet type 0x0806, 28 bytes of ARP */
	uint8_t arp[42] = { [12] = 0x08, [13] = 0x06 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	enum decode_status st = decode_packet(arp, sizeof(arp), sizeof(arp),
					      1, &p);
	ck_assert_int_eq(st, DECODE_NOT_IP);
	ck_assert_int_eq(report_packet(f, REPORT_PACKETS_TEXT, &m, st, &p), 0);
	ck_assert_int_eq(report_packet(f, REPORT_PACKETS_JSON, &m, st, &p), 0);
	fclose(f);
	ck_assert_uint_eq(len, 0);
	free(text);
}
END_TEST

START_TEST(totals_count_frames_by_outcome)
{
	struct run_totals t = { 0 };
	struct decoded_packet p;
	struct frame_meta m = { .frame = 1, .ts_sec = 10, .ts_digits = 6 };

	enum decode_status st = decode_packet(syn_frame, sizeof(syn_frame),
					      sizeof(syn_frame), 1, &p);
	run_totals_add(&t, &m, sizeof(syn_frame), st, &p);
	m.ts_sec = 12;
	st = decode_packet(syn_frame, 20, sizeof(syn_frame), 1, &p);
	run_totals_add(&t, &m, sizeof(syn_frame), st, &p);
	ck_assert_uint_eq(t.frames, 2);
	ck_assert_uint_eq(t.status[DECODE_TCP], 1);
	ck_assert_uint_eq(t.status[DECODE_TRUNCATED], 1);
	ck_assert_uint_eq(t.flags_syn, 1);
	ck_assert_uint_eq(t.checksum_bad_tcp, 1);
	ck_assert_int_eq(t.first_sec, 10);
	ck_assert_int_eq(t.last_sec, 12);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, addr_formats_ipv6_as_rfc5952_says, 0,
			    sizeof(v6_cases) / sizeof(v6_cases[0]));
	tcase_add_test(tc, addr_formats_ipv4_dotted_quad);
	tcase_add_test(tc, outbuf_never_writes_past_its_capacity);
	tcase_add_test(tc, outbuf_formats_numbers_fractions_and_json_strings);
	tcase_add_test(tc, outbuf_escapes_json_strings_at_every_edge_of_a_run);
	tcase_add_test(tc, flag_names_follow_bit_order_and_tcpdump_letters);
	tcase_add_test(tc, packet_text_line_reads_like_tcpdump);
	tcase_add_test(tc, packet_json_line_has_the_documented_keys);
	tcase_add_test(tc, frames_that_are_not_tcp_print_nothing);
	tcase_add_test(tc, totals_count_frames_by_outcome);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
