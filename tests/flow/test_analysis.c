/*
 * Wireshark's analysis flags, counted per direction, plus what the
 * handshake measures (iRTT, windows, options) and the per-direction
 * counters. The rows of `cases` were also written out as a capture and
 * run through tshark 4.0.17, which flagged the same segments except in
 * the two rows marked "differs from tshark 4.0.17" (see flow/analysis.c).
 */
#include <check.h>
#include <string.h>

#include "flowtest.h"
#include "frames.h"

struct an_case {
	const char *name;
	const struct seg *segs;
	size_t n;
	uint32_t orig[AN__COUNT];
	uint32_t resp[AN__COUNT];
};

static const struct seg clean[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(30000, '<', F_PA, 1, 101, 50, 2000),
	SEG(31000, '>', F_A, 101, 51, 0, 1000),
};

/* The same segment again after an RTO, never ACKed in between. */
static const struct seg retrans[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(300000, '>', F_PA, 1, 1, 100, 1000),
};

/* ... and again once it had been ACKed: spurious. */
static const struct seg spurious[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(30000, '<', F_A, 1, 101, 0, 2000),
	SEG(300000, '>', F_PA, 1, 1, 100, 1000),
};

/* 101..201 not captured; two dup ACKs, then the fast retransmission. */
static const struct seg fast[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(20100, '>', F_PA, 201, 1, 100, 1000),
	SEG(20200, '>', F_PA, 301, 1, 100, 1000),
	SEG(30000, '<', F_A, 1, 101, 0, 2000),
	SEG(30100, '<', F_A, 1, 101, 0, 2000),
	SEG(30200, '<', F_A, 1, 101, 0, 2000),
	SEG(31000, '>', F_PA, 101, 1, 100, 1000),
	SEG(40000, '<', F_A, 1, 401, 0, 2000),
	SEG(500000, '>', F_PA, 101, 1, 100, 1000),
};

/* The same, all within one iRTT: fast retransmission beats OOO. */
static const struct seg fast_not_ooo[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(20100, '>', F_PA, 201, 1, 100, 1000),
	SEG(20200, '>', F_PA, 301, 1, 100, 1000),
	SEG(20300, '<', F_A, 1, 101, 0, 2000),
	SEG(20400, '<', F_A, 1, 101, 0, 2000),
	SEG(20500, '<', F_A, 1, 101, 0, 2000),
	SEG(20600, '>', F_PA, 101, 1, 100, 1000),
};

/* The segment before arrives 0.1 ms late: out of order (< iRTT). */
static const struct seg ooo[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(20100, '>', F_PA, 201, 1, 100, 1000),
	SEG(20200, '>', F_PA, 101, 1, 100, 1000),
};

/* A resend of ACKed data within the iRTT: spurious beats OOO. */
static const struct seg spurious_not_ooo[] = {
	HANDSHAKE,
	SEG(1000000, '>', F_PA, 1, 1, 100, 1000),
	SEG(1000100, '>', F_PA, 101, 1, 100, 1000),
	SEG(1000200, '<', F_A, 1, 201, 0, 2000),
	SEG(1000300, '>', F_PA, 1, 1, 100, 1000),
};

/* Keep-alives of 0 and 1 byte at nextseq - 1, each answered. */
static const struct seg keepalive[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(30000, '<', F_A, 1, 101, 0, 2000),
	SEG(10000000, '>', F_A, 100, 1, 0, 1000),
	SEG(10010000, '<', F_A, 1, 101, 0, 2000),
	SEG(20000000, '>', F_A, 100, 1, 1, 1000),
	SEG(20010000, '<', F_A, 1, 101, 0, 2000),
};

/* The server's window closes; the client probes it twice. */
static const struct seg zero_window[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(30000, '<', F_A, 1, 101, 0, 0),
	SEG(1000000, '>', F_A, 101, 1, 1, 1000),
	SEG(1010000, '<', F_A, 1, 101, 0, 0),
	SEG(2000000, '>', F_A, 101, 1, 1, 1000),
	SEG(2010000, '<', F_A, 1, 102, 0, 500),
	SEG(2020000, '>', F_PA, 102, 1, 100, 1000),
};

static const struct seg window_update[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(30000, '<', F_A, 1, 101, 0, 0),
	SEG(40000, '<', F_A, 1, 101, 0, 8000),
};

/* Both scale by 2: the server offers 100 << 2 = 400, filled exactly. */
static const struct seg window_full[] = {
	SEG_OPT(0, '>', F_S, 0, 0, 0, 100, OPT_WS, 2),
	SEG_OPT(10000, '<', F_SA, 0, 1, 0, 100, OPT_WS, 2),
	SEG(10100, '>', F_A, 1, 1, 0, 100),
	SEG(1000000, '<', F_A, 1, 1, 0, 100),
	SEG(1001000, '>', F_PA, 1, 1, 400, 100),
};

/* Going past the edge is not "window full" (the check is ==). */
static const struct seg window_overrun[] = {
	SEG_OPT(0, '>', F_S, 0, 0, 0, 100, OPT_WS, 2),
	SEG_OPT(10000, '<', F_SA, 0, 1, 0, 100, OPT_WS, 2),
	SEG(10100, '>', F_A, 1, 1, 0, 100),
	SEG(1000000, '<', F_A, 1, 1, 0, 100),
	SEG(1001000, '>', F_PA, 1, 1, 500, 100),
};

/* The SYN-ACK's window (never scaled) is the one to fill. */
static const struct seg window_full_synack[] = {
	SEG_OPT(0, '>', F_S, 0, 0, 0, 100, OPT_WS, 2),
	SEG_OPT(10000, '<', F_SA, 0, 1, 0, 100, OPT_WS, 2),
	SEG(10100, '>', F_A, 1, 1, 0, 100),
	SEG(1001000, '>', F_PA, 1, 1, 100, 100),
};

static const struct seg dup_acks[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(30000, '<', F_A, 1, 101, 0, 2000),
	SEG(30100, '<', F_A, 1, 101, 0, 2000),
	SEG(30200, '<', F_A, 1, 101, 0, 2000),
};

/* Midstream; the server ACKs data the capture never saw. */
static const struct seg ack_unseen[] = {
	SEG(0, '>', F_PA, 1, 1, 100, 1000),
	SEG(100000, '<', F_A, 1, 501, 0, 2000),
	SEG(200000, '<', F_A, 1, 501, 0, 2000),
	SEG(300000, '<', F_A, 1, 601, 0, 2000),
	SEG(400000, '>', F_PA, 101, 1, 100, 1000),
	SEG(500000, '<', F_A, 1, 701, 0, 2000),
};

/* The same, but the hole is inside what the client was seen to send:
 * reported when the ACK covers it, and again when an ACK passes all. */
static const struct seg ack_unseen_hole[] = {
	SEG(0, '>', F_PA, 1, 1, 100, 1000),
	SEG(100000, '>', F_PA, 301, 1, 100, 1000),
	SEG(200000, '<', F_A, 1, 401, 0, 2000),
	SEG(300000, '<', F_A, 1, 601, 0, 2000),
};

/* The late segment comes 5 ms after: within the 10.1 ms iRTT. Differs
 * from tshark 4.0.17, whose threshold is 3 ms: a retransmission there. */
static const struct seg ooo_within_irtt[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(20100, '>', F_PA, 201, 1, 100, 1000),
	SEG(25100, '>', F_PA, 101, 1, 100, 1000),
};

/* ... and 20 ms after: past the iRTT, a retransmission. */
static const struct seg ooo_past_irtt[] = {
	HANDSHAKE,
	SEG(20000, '>', F_PA, 1, 1, 100, 1000),
	SEG(20100, '>', F_PA, 201, 1, 100, 1000),
	SEG(40100, '>', F_PA, 101, 1, 100, 1000),
};

/* After an "ACKed unseen" the server's dup-ACK count restarts at 1, so
 * its two dup ACKs still make the client's resend a fast one. */
static const struct seg fast_after_unseen[] = {
	SEG(0, '>', F_PA, 1, 1, 100, 1000),
	SEG(1000, '<', F_PA, 1, 101, 100, 2000),
	SEG(2000, '>', F_A, 101, 501, 0, 1000),
	SEG(3000, '>', F_PA, 201, 501, 100, 1000),
	SEG(10000, '<', F_A, 101, 101, 0, 2000),
	SEG(10100, '<', F_A, 101, 101, 0, 2000),
	SEG(10200, '>', F_PA, 101, 501, 100, 1000),
};

/* One packet captured twice (same IP id): not a retransmission. Differs
 * from tshark 4.0.17, which calls it one. */
static const struct seg capture_dup[] = {
	HANDSHAKE,
	SEG_ID(20000, '>', F_PA, 1, 1, 100, 1000, 7),
	SEG_ID(20001, '>', F_PA, 1, 1, 100, 1000, 7),
};

static const struct seg syn_resent[] = {
	SEG(0, '>', F_S, 0, 0, 0, 1000),
	SEG(1000000, '>', F_S, 0, 0, 0, 1000),
	SEG(1010000, '<', F_SA, 0, 1, 0, 2000),
	SEG(1010100, '>', F_A, 1, 1, 0, 1000),
};

static const struct an_case cases[] = {
	{ "clean", clean, NSEGS(clean), { 0 }, { 0 } },
	{ "retransmission", retrans, NSEGS(retrans),
	  { [AN_RETRANS] = 1 }, { 0 } },
	{ "spurious", spurious, NSEGS(spurious),
	  { [AN_SPURIOUS_RETRANS] = 1 }, { 0 } },
	{ "fast", fast, NSEGS(fast),
	  { [AN_LOST_SEGMENT] = 1, [AN_FAST_RETRANS] = 1,
	    [AN_SPURIOUS_RETRANS] = 1 },
	  { [AN_DUP_ACK] = 2 } },
	{ "fast beats ooo", fast_not_ooo, NSEGS(fast_not_ooo),
	  { [AN_LOST_SEGMENT] = 1, [AN_FAST_RETRANS] = 1 },
	  { [AN_DUP_ACK] = 2 } },
	{ "out of order", ooo, NSEGS(ooo),
	  { [AN_LOST_SEGMENT] = 1, [AN_OUT_OF_ORDER] = 1 }, { 0 } },
	{ "spurious beats ooo", spurious_not_ooo, NSEGS(spurious_not_ooo),
	  { [AN_SPURIOUS_RETRANS] = 1 }, { 0 } },
	{ "keep-alive", keepalive, NSEGS(keepalive),
	  { [AN_KEEP_ALIVE] = 2 }, { [AN_KEEP_ALIVE_ACK] = 2 } },
	{ "zero window", zero_window, NSEGS(zero_window),
	  { [AN_ZERO_WINDOW_PROBE] = 2, [AN_LOST_SEGMENT] = 1 },
	  { [AN_ZERO_WINDOW] = 2, [AN_ZERO_WINDOW_PROBE_ACK] = 1,
	    [AN_ACK_UNSEEN] = 1 } },
	{ "window update", window_update, NSEGS(window_update), { 0 },
	  { [AN_ZERO_WINDOW] = 1, [AN_WINDOW_UPDATE] = 1 } },
	{ "window full", window_full, NSEGS(window_full),
	  { [AN_WINDOW_FULL] = 1 }, { [AN_DUP_ACK] = 1 } },
	{ "window overrun", window_overrun, NSEGS(window_overrun), { 0 },
	  { [AN_DUP_ACK] = 1 } },
	{ "window full on syn-ack window", window_full_synack,
	  NSEGS(window_full_synack), { [AN_WINDOW_FULL] = 1 }, { 0 } },
	{ "dup acks", dup_acks, NSEGS(dup_acks), { 0 },
	  { [AN_DUP_ACK] = 2 } },
	{ "acked unseen", ack_unseen, NSEGS(ack_unseen),
	  { [AN_SPURIOUS_RETRANS] = 1 },
	  { [AN_ACK_UNSEEN] = 1, [AN_DUP_ACK] = 1 } },
	{ "acked unseen across a hole", ack_unseen_hole,
	  NSEGS(ack_unseen_hole), { [AN_LOST_SEGMENT] = 1 },
	  { [AN_ACK_UNSEEN] = 2 } },
	{ "out of order within the irtt", ooo_within_irtt,
	  NSEGS(ooo_within_irtt),
	  { [AN_LOST_SEGMENT] = 1, [AN_OUT_OF_ORDER] = 1 }, { 0 } },
	{ "out of order past the irtt", ooo_past_irtt, NSEGS(ooo_past_irtt),
	  { [AN_LOST_SEGMENT] = 1, [AN_RETRANS] = 1 }, { 0 } },
	{ "fast after acked unseen", fast_after_unseen,
	  NSEGS(fast_after_unseen),
	  { [AN_ACK_UNSEEN] = 1, [AN_LOST_SEGMENT] = 1,
	    [AN_FAST_RETRANS] = 1 },
	  { [AN_DUP_ACK] = 2 } },
	{ "capture duplicate", capture_dup, NSEGS(capture_dup),
	  { [AN_CAPTURE_DUP] = 1 }, { 0 } },
	{ "syn resent", syn_resent, NSEGS(syn_resent),
	  { [AN_RETRANS] = 1 }, { 0 } },
};

/* Loop: each row's flags, per direction, and nothing else. */
START_TEST(flow_counts_exactly_the_analysis_flags_of_each_row)
{
	const struct an_case *tc = &cases[_i];
	const struct conn_record *r = &ft.rec[0];

	ft_run(tc->segs, tc->n, 0);
	ck_assert_msg(ft.nrec == 1, "%s: %u records", tc->name, ft.nrec);
	for (int a = 0; a < AN__COUNT; a++) {
		ck_assert_msg(r->orig.analysis[a] == tc->orig[a],
			      "%s: orig %s = %u", tc->name,
			      flow_analysis_name(a), r->orig.analysis[a]);
		ck_assert_msg(r->resp.analysis[a] == tc->resp[a],
			      "%s: resp %s = %u", tc->name,
			      flow_analysis_name(a), r->resp.analysis[a]);
	}
}
END_TEST

START_TEST(flow_counts_a_resend_with_a_new_ip_id_as_a_retransmission)
{
	struct seg s[NSEGS(capture_dup)];

	memcpy(s, capture_dup, sizeof(s));
	s[4].ipid = 8;
	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft.rec[0].orig.analysis[AN_RETRANS], 1);
	ck_assert_uint_eq(ft.rec[0].orig.analysis[AN_CAPTURE_DUP], 0);
	ck_assert_uint_eq(ft.rec[0].orig.pkts, 4);
}
END_TEST

START_TEST(flow_counts_a_capture_duplicate_once_in_the_totals)
{
	ft_run(capture_dup, NSEGS(capture_dup), 0);
	ck_assert_uint_eq(ft.rec[0].orig.pkts, 3);
	ck_assert_uint_eq(ft.rec[0].orig.bytes, 100);
	ck_assert_uint_eq(ft.rec[0].orig.ip_bytes, 40 + 40 + 140);
	ck_assert_str_eq(ft.rec[0].history, "ShAD");
}
END_TEST

START_TEST(flow_measures_irtt_and_its_halves)
{
	static const struct seg s[] = { HANDSHAKE };

	ft_run(s, NSEGS(s), 0);
	ck_assert_int_eq(ft.rec[0].syn_ns, 0);
	ck_assert_int_eq(ft.rec[0].synack_ns, 10000000);
	ck_assert_int_eq(ft.rec[0].ack_ns, 10100000);
	ck_assert_int_eq(ft.rec[0].irtt_ns, 10100000);
	ck_assert_int_eq(ft.rec[0].syn_synack_ns, 10000000);
	ck_assert_int_eq(ft.rec[0].synack_ack_ns, 100000);
}
END_TEST

START_TEST(flow_measures_irtt_from_the_syn_that_was_answered)
{
	/* as tshark: iRTT 10.1 ms, not 1.0101 s */
	ft_run(syn_resent, NSEGS(syn_resent), 0);
	ck_assert_int_eq(ft.rec[0].syn_ns, 0);
	ck_assert_int_eq(ft.rec[0].irtt_ns, 10100000);
	ck_assert_int_eq(ft.rec[0].syn_synack_ns, 10000000);
	ck_assert_int_eq(ft.rec[0].synack_ack_ns, 100000);
	ck_assert_uint_eq(ft.rec[0].syn_retrans, 1);
}
END_TEST

START_TEST(flow_scales_windows_once_both_syns_carry_the_option)
{
	static const struct seg s[] = {
		SEG_OPT(0, '>', F_S, 0, 0, 0, 1000, OPT_WS, 7),
		SEG_OPT(10000, '<', F_SA, 0, 1, 0, 2000, OPT_WS, 7),
		SEG(10100, '>', F_A, 1, 1, 0, 10),
		SEG(20000, '<', F_A, 1, 1, 0, 30),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_int_eq(ft.rec[0].orig.opts.wscale, 7);
	ck_assert_int_eq(ft.rec[0].resp.opts.wscale, 7);
	ck_assert_uint_eq(ft.rec[0].orig.win_min, 1000);     /* SYN: as sent */
	ck_assert_uint_eq(ft.rec[0].orig.win_max, 10 << 7);
	ck_assert_uint_eq(ft.rec[0].resp.win_min, 2000);
	ck_assert_uint_eq(ft.rec[0].resp.win_max, 30 << 7);
}
END_TEST

START_TEST(flow_leaves_windows_unscaled_when_one_syn_lacks_the_option)
{
	static const struct seg s[] = {
		SEG_OPT(0, '>', F_S, 0, 0, 0, 1000, OPT_WS, 7),
		SEG(10000, '<', F_SA, 0, 1, 0, 2000),
		SEG(10100, '>', F_A, 1, 1, 0, 10),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_int_eq(ft.rec[0].orig.opts.wscale, 7);
	ck_assert_int_eq(ft.rec[0].resp.opts.wscale, -1);
	ck_assert_uint_eq(ft.rec[0].orig.win_min, 10);
	ck_assert_uint_eq(ft.rec[0].orig.win_max, 1000);
}
END_TEST

START_TEST(flow_reports_an_unknown_scale_when_the_handshake_was_missed)
{
	ft_run(ack_unseen, NSEGS(ack_unseen), 0);
	ck_assert_int_eq(ft.rec[0].orig.opts.wscale, -1);
	ck_assert_int_eq(ft.rec[0].resp.opts.wscale, -1);
	ck_assert_int_eq(ft.rec[0].orig.opts.mss, -1);
	ck_assert_uint_eq(ft.rec[0].resp.win_min, 2000);
	ck_assert_uint_eq(ft.rec[0].resp.win_max, 2000);
}
END_TEST

START_TEST(flow_records_what_each_syn_negotiated)
{
	static const struct seg s[] = {
		SEG_OPT(0, '>', F_S | TCP_ECE | TCP_CWR, 0, 0, 0, 1000,
			OPT_MSS | OPT_SACK | OPT_TS | OPT_WS | OPT_TFO |
				OPT_MPTCP,
			3),
		SEG_OPT(10000, '<', F_SA | TCP_ECE, 0, 1, 0, 2000, OPT_MSS, 0),
	};
	const struct conn_opts *o = &ft.rec[0].orig.opts;
	const struct conn_opts *r = &ft.rec[0].resp.opts;

	ft_run(s, NSEGS(s), 0);
	ck_assert_int_eq(o->mss, 1460);
	ck_assert_int_eq(o->wscale, 3);
	ck_assert(o->sack_ok && o->ts && o->tfo && o->mptcp && o->ecn);
	ck_assert_int_eq(r->mss, 1460);
	ck_assert_int_eq(r->wscale, -1);
	ck_assert(!r->sack_ok && !r->ts && !r->tfo && !r->mptcp);
	ck_assert(r->ecn);              /* RFC 3168: SYN-ACK with ECE only */
}
END_TEST

START_TEST(flow_tracks_sequence_numbers_across_the_wrap)
{
	static const struct seg s[] = {
		HANDSHAKE,
		SEG(11000, '>', F_PA, 1, 1, 100, 1000),
		SEG(21000, '<', F_PA, 1, 101, 100, 2000),
		SEG(23000, '>', F_A, 101, 101, 0, 1000),
		SEG(30000, '>', F_FA, 101, 101, 0, 1000),
		SEG(40000, '<', F_FA, 101, 102, 0, 2000),
		SEG(41000, '>', F_A, 102, 102, 0, 1000),
	};
	const struct conn_record *r = &ft.rec[0];

	ft.isn_c = 0xffffffc0u;         /* data crosses 2^32 both ways */
	ft.isn_s = 0xffffffe0u;
	ft_run(s, NSEGS(s), 0);
	ck_assert_int_eq(r->orig.state, EP_TIME_WAIT);
	ck_assert_int_eq(r->resp.state, EP_CLOSED);
	ck_assert_int_eq(r->close, CLOSE_FIN);
	ck_assert(r->fins_acked);
	ck_assert_uint_eq(r->orig.isn, 0xffffffc0u);
	ck_assert_uint_eq(r->orig.missed_bytes + r->resp.missed_bytes, 0);
	for (int a = 0; a < AN__COUNT; a++)
		ck_assert_uint_eq(r->orig.analysis[a] + r->resp.analysis[a], 0);
}
END_TEST

/* Loss and resends on both sides of 2^32: the flags of the "fast" row. */
START_TEST(flow_compares_sequence_numbers_modulo_two_to_the_32)
{
	const struct conn_record *r = &ft.rec[0];

	ft.isn_c = 0xffffff00u;         /* 101 .. 201 lies across the wrap */
	ft.isn_s = 0x7fffff00u;         /* far from the client's numbers */
	ft_run(fast, NSEGS(fast), 0);
	ck_assert_uint_eq(r->orig.analysis[AN_LOST_SEGMENT], 1);
	ck_assert_uint_eq(r->orig.analysis[AN_FAST_RETRANS], 1);
	ck_assert_uint_eq(r->orig.analysis[AN_SPURIOUS_RETRANS], 1);
	ck_assert_uint_eq(r->orig.analysis[AN_RETRANS], 0);
	ck_assert_uint_eq(r->resp.analysis[AN_DUP_ACK], 2);
	ck_assert_uint_eq(r->orig.missed_bytes, 0);
	ck_assert_int_eq(r->orig.state, EP_ESTABLISHED);
}
END_TEST

START_TEST(flow_counts_bytes_acked_but_never_captured_as_missed)
{
	static const struct seg s[] = {
		HANDSHAKE,
		SEG(20000, '>', F_PA, 1, 1, 100, 1000),
		SEG(20100, '>', F_PA, 201, 1, 100, 1000),
		SEG(30000, '<', F_A, 1, 301, 0, 2000),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft.rec[0].orig.missed_bytes, 100);
	ck_assert_uint_eq(ft.rec[0].resp.missed_bytes, 0);
	ck_assert_str_eq(ft.rec[0].history, "ShADaG");  /* 'G' after the ACK */
}
END_TEST

START_TEST(flow_does_not_count_a_filled_gap_as_missed)
{
	ft_run(ooo, NSEGS(ooo), 0);
	ck_assert_uint_eq(ft.rec[0].orig.missed_bytes, 0);
}
END_TEST

START_TEST(flow_counts_data_acked_beyond_the_last_seen_as_missed)
{
	/* acks reach 501, 601, 701 while the capture saw up to 101: 600
	 * bytes. The late copy of 101 .. 201 does not undo a gap that was
	 * already reported, as in Zeek. */
	ft_run(ack_unseen, NSEGS(ack_unseen), 0);
	ck_assert_uint_eq(ft.rec[0].orig.missed_bytes, 600);
}
END_TEST

START_TEST(flow_measures_the_time_spent_at_a_zero_window)
{
	ft_run(zero_window, NSEGS(zero_window), 0);
	/* 30 ms .. 2.01 s */
	ck_assert_int_eq(ft.rec[0].resp.zero_win_ns, 1980000000);
	ck_assert_int_eq(ft.rec[0].orig.zero_win_ns, 0);
	ck_assert_uint_eq(ft.rec[0].resp.win_min, 0);
}
END_TEST

START_TEST(flow_closes_an_open_zero_window_at_the_last_packet)
{
	struct seg s[NSEGS(window_update)];

	memcpy(s, window_update, sizeof(s));
	s[5].win = 0;   /* still closed 10 ms later, at the end */
	ft_run(s, NSEGS(s), 0);
	ck_assert_int_eq(ft.rec[0].resp.zero_win_ns, 10000000);
}
END_TEST

static Suite *analysis_suite(void)
{
	const TTest *const flags[] = {
		flow_counts_a_resend_with_a_new_ip_id_as_a_retransmission,
		flow_counts_a_capture_duplicate_once_in_the_totals,
	};
	const TTest *const handshake[] = {
		flow_measures_irtt_and_its_halves,
		flow_measures_irtt_from_the_syn_that_was_answered,
		flow_scales_windows_once_both_syns_carry_the_option,
		flow_leaves_windows_unscaled_when_one_syn_lacks_the_option,
		flow_reports_an_unknown_scale_when_the_handshake_was_missed,
		flow_records_what_each_syn_negotiated,
	};
	const TTest *const counters[] = {
		flow_tracks_sequence_numbers_across_the_wrap,
		flow_compares_sequence_numbers_modulo_two_to_the_32,
		flow_counts_bytes_acked_but_never_captured_as_missed,
		flow_does_not_count_a_filled_gap_as_missed,
		flow_counts_data_acked_beyond_the_last_seen_as_missed,
		flow_measures_the_time_spent_at_a_zero_window,
		flow_closes_an_open_zero_window_at_the_last_packet,
	};
	Suite *s = suite_create("flow_analysis");
	TCase *tab = tcase_create("flags");
	TCase *hs = tcase_create("handshake");
	TCase *cnt = tcase_create("counters");

	ft_add_tests(tab, flags, NSEGS(flags));
	tcase_add_loop_test(tab,
			    flow_counts_exactly_the_analysis_flags_of_each_row,
			    0, (int)NSEGS(cases));
	suite_add_tcase(s, tab);
	ft_add_tests(hs, handshake, NSEGS(handshake));
	suite_add_tcase(s, hs);
	ft_add_tests(cnt, counters, NSEGS(counters));
	suite_add_tcase(s, cnt);
	return s;
}

int main(void)
{
	return frames_run(analysis_suite());
}
