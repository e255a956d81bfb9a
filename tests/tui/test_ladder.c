/*
 * The packet ladder's layout: arrow direction, width, labels (flags,
 * relative seq/ack, scaled window, length, analysis marks) and the
 * endpoints line above it.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "frames.h"
#include "model.h"
#include "tuitest.h"

#define MS INT64_C(1000000)

static struct conn_record conn(void)
{
	/* 192.0.2.1:40000 -> 192.0.2.2:80, both sides sent wscale 7 */
	struct conn_record c = tt_conn4(1, TT_IP(192, 0, 2, 1), 40000,
					TT_IP(192, 0, 2, 2), 80);

	c.first_ns = 1000 * MS;
	c.orig.opts.wscale = 7;
	c.resp.opts.wscale = 7;
	return c;
}

static struct tui_pkt_rec pkt(int64_t t_ms, enum flow_side from,
			      uint16_t flags, uint32_t seq, uint32_t ack,
			      uint16_t win, uint32_t len)
{
	struct tui_pkt_rec p = {
		.ts_ns = 1000 * MS + t_ms * MS, .conn_id = 1,
		.rel_seq = seq, .rel_ack = ack, .len = len, .flags = flags,
		.win = win, .from = (uint8_t)from, .seq_known = true,
		.ack_known = (flags & TCP_ACK) != 0,
	};
	return p;
}

START_TEST(ladder_draws_client_packets_left_to_right)
{
	struct conn_record c = conn();
	struct tui_pkt_rec p = pkt(0, SIDE_ORIG, TCP_SYN, 0, 0, 64240, 0);
	struct tui_ladder_line l;

	tui_ladder_layout(&c, &p, 80, &l);
	ck_assert_int_eq((int)strlen(l.text), 80);
	ck_assert_str_eq(l.text,
			 "+0.000000 |-- [S] seq=0 win=64240 "
			 "-------------------------------------------->|");
	ck_assert(!l.marked);
	ck_assert_int_eq(l.text[l.arrow_from], '|');
	ck_assert_int_eq(l.text[l.arrow_to], '|');
}
END_TEST

START_TEST(ladder_draws_server_packets_right_to_left)
{
	struct conn_record c = conn();
	struct tui_pkt_rec p = pkt(1, SIDE_RESP, TCP_SYN | TCP_ACK, 0, 1,
				   65160, 0);
	struct tui_ladder_line l;

	tui_ladder_layout(&c, &p, 80, &l);
	ck_assert_int_eq((int)strlen(l.text), 80);
	ck_assert_str_eq(l.text,
			 "+0.001000 |<------------------------------------"
			 "- [S.] seq=0 ack=1 win=65160 --|");
}
END_TEST

START_TEST(ladder_scales_the_window_only_after_the_syn)
{
	struct conn_record c = conn();
	struct tui_pkt_rec p = pkt(2, SIDE_ORIG, TCP_ACK | TCP_PSH, 1, 1, 502,
				   37);
	struct tui_ladder_line l;

	tui_ladder_layout(&c, &p, 100, &l);
	ck_assert_ptr_nonnull(strstr(l.text, "[P.] seq=1 ack=1 win=64256 "
					     "len=37 "));
	/* one side without the option: no scaling at all (RFC 7323 2.2) */
	c.resp.opts.wscale = -1;
	tui_ladder_layout(&c, &p, 100, &l);
	ck_assert_ptr_nonnull(strstr(l.text, " win=502 len=37 "));
}
END_TEST

START_TEST(ladder_marks_analysis_flags_and_resets)
{
	struct conn_record c = conn();
	struct tui_pkt_rec p = pkt(3, SIDE_RESP, TCP_ACK, 1, 38, 509, 0);
	struct tui_ladder_line l;

	p.analysis = (1u << AN_DUP_ACK) | (1u << AN_ZERO_WINDOW);
	tui_ladder_layout(&c, &p, 120, &l);
	ck_assert(l.marked);
	ck_assert_ptr_nonnull(strstr(l.text, " !dup-ack !zero-window --|"));
	p.analysis = 1u << AN_CAPTURE_DUP;
	tui_ladder_layout(&c, &p, 120, &l);
	ck_assert(!l.marked);
	p.analysis = 0;
	p.flags = TCP_RST | TCP_ACK;
	tui_ladder_layout(&c, &p, 120, &l);
	ck_assert(l.marked);
	ck_assert_ptr_nonnull(strstr(l.text, "[R.] seq=1 ack=38"));
}
END_TEST

START_TEST(ladder_cuts_long_labels_to_the_width)
{
	struct conn_record c = conn();
	struct tui_pkt_rec p = pkt(4, SIDE_ORIG, TCP_ACK, 123456789,
				   987654321, 65535, 1448);
	struct tui_ladder_line l;

	p.analysis = (1u << AN_RETRANS) | (1u << AN_OUT_OF_ORDER) |
		     (1u << AN_WINDOW_FULL);
	for (int w = 30; w <= 200; w += 7) {
		tui_ladder_layout(&c, &p, w, &l);
		ck_assert_int_eq((int)strlen(l.text), w);
		ck_assert_int_eq(l.text[w - 1], '|');
		ck_assert_int_eq(l.text[w - 2], '>');
	}
	tui_ladder_layout(&c, &p, 40, &l);
	ck_assert_ptr_nonnull(strchr(l.text, '~'));
	/* too narrow for an arrow: the time alone */
	tui_ladder_layout(&c, &p, 15, &l);
	ck_assert_str_eq(l.text, "+0.004000");
}
END_TEST

START_TEST(ladder_times_are_relative_to_the_first_packet)
{
	struct conn_record c = conn();
	struct tui_pkt_rec p = pkt(1234567, SIDE_ORIG, TCP_ACK, 1, 1, 10, 0);
	struct tui_ladder_line l;

	tui_ladder_layout(&c, &p, 80, &l);
	ck_assert_int_eq(strncmp(l.text, "+1234.6   |", 11), 0);
}
END_TEST

START_TEST(ladder_head_names_client_left_and_server_right)
{
	struct conn_record c = conn();
	char head[256];

	tui_ladder_head(&c, 80, head, sizeof(head));
	ck_assert_int_eq((int)strlen(head), 80);
	ck_assert_int_eq(strncmp(head, "time       192.0.2.1:40000", 26), 0);
	ck_assert_str_eq(head + 80 - 12, "192.0.2.2:80");
	c.ip_version = 6;
	memset(c.orig_addr, 0, 16);
	memcpy(c.orig_addr, "\x20\x01\x0d\xb8", 4);
	c.orig_addr[15] = 1;
	tui_ladder_head(&c, 80, head, sizeof(head));
	ck_assert_ptr_nonnull(strstr(head, "[2001:db8::1]:40000"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_ladder");
	TCase *tc = tcase_create("ladder");

	tcase_add_test(tc, ladder_draws_client_packets_left_to_right);
	tcase_add_test(tc, ladder_draws_server_packets_right_to_left);
	tcase_add_test(tc, ladder_scales_the_window_only_after_the_syn);
	tcase_add_test(tc, ladder_marks_analysis_flags_and_resets);
	tcase_add_test(tc, ladder_cuts_long_labels_to_the_width);
	tcase_add_test(tc, ladder_times_are_relative_to_the_first_packet);
	tcase_add_test(tc, ladder_head_names_client_left_and_server_right);
	suite_add_tcase(s, tc);
	return frames_run(s);
}
