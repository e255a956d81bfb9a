/*
 * Table-driven state tests: each row is a packet sequence and the labels
 * its first record must carry, in three vocabularies at once (RFC 9293
 * endpoint states, Zeek conn_state and history, and synscope's handshake
 * outcome and close kind). Zeek labels follow the rules of ANCHORS 6.2
 * and 6.3 applied by hand, as 6.5 does.
 */
#include <check.h>
#include <string.h>

#include "flowtest.h"
#include "frames.h"

struct expect {
	enum ep_state orig, resp;
	enum zeek_state zk;
	const char *history;
	enum handshake_outcome hs;
	enum close_kind close;
	unsigned records;
	uint32_t flags_orig, flags_resp;        /* analysis flags, summed */
};

struct scenario {
	const char *name;
	const struct seg *segs;
	size_t n;
	int64_t finish_us;      /* 0: finish at the last packet */
	struct expect ex;
};

/* SYN, SYN-ACK, ACK, data both ways, client closes first. */
static const struct seg normal_close[] = {
	HANDSHAKE,
	SEG(11000, '>', F_PA, 1, 1, 100, 1000),
	SEG(21000, '<', F_A, 1, 101, 0, 2000),
	SEG(22000, '<', F_PA, 1, 101, 50, 2000),
	SEG(23000, '>', F_A, 101, 51, 0, 1000),
	SEG(30000, '>', F_FA, 101, 51, 0, 1000),
	SEG(40000, '<', F_FA, 51, 102, 0, 2000),
	SEG(41000, '>', F_A, 102, 52, 0, 1000),
};

/* The server answers the SYN with RST+ACK (no listener). */
static const struct seg refused[] = {
	SEG(0, '>', F_S, 0, 0, 0, 1000),
	SEG(1000, '<', F_RA, 0, 1, 0, 0),
};

/* Three SYNs with one ISN, no answer; finished after the SYN timeout. */
static const struct seg unanswered[] = {
	SEG(0, '>', F_S, 0, 0, 0, 1000),
	SEG(1000000, '>', F_S, 0, 0, 0, 1000),
	SEG(3000000, '>', F_S, 0, 0, 0, 1000),
};

/* Picked up midstream: the server's data comes first. */
static const struct seg midstream[] = {
	SEG(0, '<', F_PA, 1, 1, 100, 2000),
	SEG(1000, '>', F_A, 1, 101, 0, 1000),
	SEG(2000, '>', F_PA, 1, 101, 20, 1000),
	SEG(3000, '<', F_A, 101, 21, 0, 2000),
};

/* The client gives up with an RST before any answer. */
static const struct seg syn_then_orig_rst[] = {
	SEG(0, '>', F_S, 0, 0, 0, 1000),
	SEG(1000000, '>', F_R, 1, 0, 0, 0),
};

static const struct seg est_orig_rst[] = {
	HANDSHAKE,
	SEG(11000, '>', F_PA, 1, 1, 100, 1000),
	SEG(21000, '<', F_A, 1, 101, 0, 2000),
	SEG(22000, '>', F_RA, 101, 1, 0, 0),
};

static const struct seg est_resp_rst[] = {
	HANDSHAKE,
	SEG(11000, '>', F_PA, 1, 1, 100, 1000),
	SEG(21000, '<', F_RA, 1, 101, 0, 0),
};

/* Backscatter: a SYN-ACK and an RST with no SYN seen. */
static const struct seg synack_then_rst[] = {
	SEG(0, '<', F_SA, 0, 1, 0, 2000),
	SEG(1000, '<', F_R, 1, 0, 0, 0),
};

/* SYN then FIN from the client, never answered. */
static const struct seg syn_fin[] = {
	SEG(0, '>', F_S, 0, 0, 0, 1000),
	SEG(100, '>', F_F, 1, 0, 0, 1000),
};

/* SYN-ACK then FIN from the server, no SYN seen. */
static const struct seg synack_fin[] = {
	SEG(0, '<', F_SA, 0, 1, 0, 2000),
	SEG(100, '<', F_FA, 1, 1, 0, 2000),
};

static const struct seg handshake_only[] = { HANDSHAKE };

static const struct seg orig_fin_only[] = {
	HANDSHAKE,
	SEG(20000, '>', F_FA, 1, 1, 0, 1000),
};

static const struct seg resp_fin_only[] = {
	HANDSHAKE,
	SEG(20000, '<', F_FA, 1, 1, 0, 2000),
};

/* RFC 9293 3.5: both sides send a bare SYN, then each a SYN-ACK. */
static const struct seg simultaneous_open[] = {
	SEG(0, '>', F_S, 0, 0, 0, 1000),
	SEG(100, '<', F_S, 0, 0, 0, 2000),
	SEG(200, '>', F_SA, 0, 1, 0, 1000),
	SEG(300, '<', F_SA, 0, 1, 0, 2000),
	SEG(400, '>', F_A, 1, 1, 0, 1000),
};

/* The client closes its side; the server keeps sending. */
static const struct seg half_close[] = {
	HANDSHAKE,
	SEG(20000, '>', F_FA, 1, 1, 0, 1000),
	SEG(30000, '<', F_A, 1, 2, 0, 2000),
	SEG(31000, '<', F_PA, 1, 2, 100, 2000),
	SEG(32000, '>', F_A, 2, 101, 0, 1000),
};

/* Both FINs cross: neither acks the other's. */
static const struct seg simultaneous_close[] = {
	HANDSHAKE,
	SEG(20000, '>', F_FA, 1, 1, 0, 1000),
	SEG(20100, '<', F_FA, 1, 1, 0, 2000),
};

/* ... and then both ACKs: both end in TIME-WAIT. */
static const struct seg simultaneous_close_acked[] = {
	HANDSHAKE,
	SEG(20000, '>', F_FA, 1, 1, 0, 1000),
	SEG(20100, '<', F_FA, 1, 1, 0, 2000),
	SEG(20200, '>', F_A, 2, 2, 0, 1000),
	SEG(20300, '<', F_A, 2, 2, 0, 2000),
};

/* The server closes first, so the server waits in TIME-WAIT. */
static const struct seg server_closes_first[] = {
	HANDSHAKE,
	SEG(20000, '<', F_FA, 1, 1, 0, 2000),
	SEG(21000, '>', F_FA, 1, 2, 0, 1000),
	SEG(22000, '<', F_A, 2, 2, 0, 2000),
};

/* The client's ACK before its RST rules out Zeek's RSTOS0 pattern. */
static const struct seg syn_ack_rst[] = {
	SEG(0, '>', F_S, 0, 0, 0, 1000),
	SEG(1000, '>', F_A, 1, 1, 0, 1000),
	SEG(2000, '>', F_R, 1, 0, 0, 0),
};

/* A bare ACK from the server before any SYN-ACK keeps it "inactive"
 * for Zeek, and lower-case letters do not break the pattern. */
static const struct seg syn_resp_ack_rst[] = {
	SEG(0, '>', F_S, 0, 0, 0, 1000),
	SEG(1000, '<', F_A, 0, 1, 0, 2000),
	SEG(2000, '>', F_R, 1, 0, 0, 0),
};

/* The SYN-ACK was not captured; the server's data acks the SYN. */
static const struct seg synack_missed[] = {
	SEG(0, '>', F_S, 0, 0, 0, 1000),
	SEG(10100, '>', F_A, 1, 1, 0, 1000),
	SEG(20000, '<', F_PA, 1, 1, 50, 2000),
	SEG(20100, '>', F_A, 1, 51, 0, 1000),
};

/* The server closed; Zeek ignores the client's zero window after that. */
static const struct seg zero_window_after_fin[] = {
	HANDSHAKE,
	SEG(20000, '<', F_FA, 1, 1, 0, 2000),
	SEG(21000, '>', F_A, 1, 2, 0, 0),
};

/* An RST far outside the window does not close anything. */
static const struct seg blind_rst[] = {
	HANDSHAKE,
	SEG(20000, '<', F_R, 900000, 0, 0, 0),
	SEG(21000, '>', F_PA, 1, 1, 10, 1000),
};

#define NO_FINISH 0

static const struct scenario scenarios[] = {
	{ "normal close", normal_close, NSEGS(normal_close), NO_FINISH,
	  { EP_TIME_WAIT, EP_CLOSED, ZK_SF, "ShADadFf", HS_ESTABLISHED,
	    CLOSE_FIN, 1, 0, 0 } },
	{ "refused", refused, NSEGS(refused), NO_FINISH,
	  { EP_CLOSED, EP_CLOSED, ZK_REJ, "Sr", HS_REFUSED, CLOSE_NONE, 1, 0,
	    0 } },
	{ "unanswered", unanswered, NSEGS(unanswered), 9000000,
	  { EP_SYN_SENT, EP_UNKNOWN, ZK_S0, "S", HS_UNANSWERED, CLOSE_NONE,
	    1, 2, 0 } },
	/* the input ends 3 s in, before the SYN timeout: the resent SYNs
	 * already say the client gave up waiting */
	{ "unanswered, resent, input ends early", unanswered,
	  NSEGS(unanswered), NO_FINISH,
	  { EP_SYN_SENT, EP_UNKNOWN, ZK_S0, "S", HS_UNANSWERED, CLOSE_NONE,
	    1, 2, 0 } },
	{ "one syn, input ends early", unanswered, 1, NO_FINISH,
	  { EP_SYN_SENT, EP_UNKNOWN, ZK_S0, "S", HS_PENDING, CLOSE_OPEN,
	    1, 0, 0 } },
	{ "midstream", midstream, NSEGS(midstream), NO_FINISH,
	  { EP_ESTABLISHED, EP_ESTABLISHED, ZK_OTH, "^dADa", HS_MIDSTREAM,
	    CLOSE_OPEN, 1, 0, 0 } },
	{ "syn then orig rst", syn_then_orig_rst, NSEGS(syn_then_orig_rst),
	  NO_FINISH,
	  { EP_CLOSED, EP_CLOSED, ZK_RSTOS0, "SR", HS_ABORTED, CLOSE_NONE,
	    1, 0, 0 } },
	{ "established, orig rst", est_orig_rst, NSEGS(est_orig_rst),
	  NO_FINISH,
	  { EP_CLOSED, EP_CLOSED, ZK_RSTO, "ShADaR", HS_ESTABLISHED,
	    CLOSE_RST, 1, 0, 0 } },
	{ "established, resp rst", est_resp_rst, NSEGS(est_resp_rst),
	  NO_FINISH,
	  { EP_CLOSED, EP_CLOSED, ZK_RSTR, "ShADr", HS_ESTABLISHED,
	    CLOSE_RST, 1, 0, 0 } },
	{ "syn-ack then rst", synack_then_rst, NSEGS(synack_then_rst),
	  NO_FINISH,
	  { EP_CLOSED, EP_CLOSED, ZK_RSTRH, "^hr", HS_ABORTED, CLOSE_NONE,
	    1, 0, 0 } },
	{ "syn then fin", syn_fin, NSEGS(syn_fin), 10000000,
	  { EP_FIN_WAIT_1, EP_UNKNOWN, ZK_SH, "SF", HS_UNANSWERED,
	    CLOSE_NONE, 1, 0, 0 } },
	{ "syn-ack then fin", synack_fin, NSEGS(synack_fin), NO_FINISH,
	  { EP_UNKNOWN, EP_FIN_WAIT_1, ZK_SHR, "^hf", HS_PENDING, CLOSE_HALF,
	    1, 0, 0 } },
	{ "handshake only", handshake_only, NSEGS(handshake_only), NO_FINISH,
	  { EP_ESTABLISHED, EP_ESTABLISHED, ZK_S1, "ShA", HS_ESTABLISHED,
	    CLOSE_OPEN, 1, 0, 0 } },
	{ "orig fin only", orig_fin_only, NSEGS(orig_fin_only), NO_FINISH,
	  { EP_FIN_WAIT_1, EP_ESTABLISHED, ZK_S2, "ShAF", HS_ESTABLISHED,
	    CLOSE_HALF, 1, 0, 0 } },
	{ "resp fin only", resp_fin_only, NSEGS(resp_fin_only), NO_FINISH,
	  { EP_ESTABLISHED, EP_FIN_WAIT_1, ZK_S3, "ShAf", HS_ESTABLISHED,
	    CLOSE_HALF, 1, 0, 0 } },
	{ "simultaneous open", simultaneous_open, NSEGS(simultaneous_open),
	  NO_FINISH,
	  { EP_ESTABLISHED, EP_ESTABLISHED, ZK_S1, "SsA", HS_SIMULTANEOUS,
	    CLOSE_OPEN, 1, 2, 1 } },
	{ "half close", half_close, NSEGS(half_close), NO_FINISH,
	  { EP_FIN_WAIT_2, EP_CLOSE_WAIT, ZK_S2, "ShAFad", HS_ESTABLISHED,
	    CLOSE_HALF, 1, 0, 0 } },
	{ "simultaneous close", simultaneous_close,
	  NSEGS(simultaneous_close), NO_FINISH,
	  { EP_CLOSING, EP_CLOSING, ZK_SF, "ShAFf", HS_ESTABLISHED,
	    CLOSE_FIN, 1, 0, 0 } },
	{ "simultaneous close, acked", simultaneous_close_acked,
	  NSEGS(simultaneous_close_acked), NO_FINISH,
	  { EP_TIME_WAIT, EP_TIME_WAIT, ZK_SF, "ShAFfa", HS_ESTABLISHED,
	    CLOSE_FIN, 1, 0, 0 } },
	{ "server closes first", server_closes_first,
	  NSEGS(server_closes_first), NO_FINISH,
	  { EP_CLOSED, EP_TIME_WAIT, ZK_SF, "ShAfFa", HS_ESTABLISHED,
	    CLOSE_FIN, 1, 0, 0 } },
	/* the server is never seen: for all the observer knows this is a
	 * capture of one direction, and the client's ACK says it got a
	 * SYN-ACK (Wireshark's iRTT takes it so too) */
	{ "syn, ack, orig rst", syn_ack_rst, NSEGS(syn_ack_rst), NO_FINISH,
	  { EP_CLOSED, EP_CLOSED, ZK_OTH, "SAR", HS_ESTABLISHED, CLOSE_RST, 1,
	    0, 0 } },
	{ "syn, resp ack, orig rst", syn_resp_ack_rst,
	  NSEGS(syn_resp_ack_rst), NO_FINISH,
	  { EP_CLOSED, EP_CLOSED, ZK_RSTOS0, "SaR", HS_ABORTED, CLOSE_NONE,
	    1, 0, 0 } },
	{ "syn-ack not captured", synack_missed, NSEGS(synack_missed),
	  NO_FINISH,
	  { EP_ESTABLISHED, EP_ESTABLISHED, ZK_OTH, "SAd", HS_ESTABLISHED,
	    CLOSE_OPEN, 1, 0, 0 } },
	{ "zero window after the peer's fin", zero_window_after_fin,
	  NSEGS(zero_window_after_fin), NO_FINISH,
	  { EP_CLOSE_WAIT, EP_FIN_WAIT_2, ZK_S3, "ShAf", HS_ESTABLISHED,
	    CLOSE_HALF, 1, 1, 0 } },
	{ "blind rst", blind_rst, NSEGS(blind_rst), NO_FINISH,
	  { EP_ESTABLISHED, EP_ESTABLISHED, ZK_RSTR, "ShArD",
	    HS_ESTABLISHED, CLOSE_RST, 1, 0, 0 } },
};

static uint32_t flag_total(const struct conn_dir *d)
{
	uint32_t n = 0;

	for (int a = 0; a < AN__COUNT; a++)
		n += d->analysis[a];
	return n;
}

/*
 * Loop: every row of `scenarios` yields the labels it lists. The flag
 * totals are the ones tshark 4.0.17 gives for the same packets.
 */
START_TEST(flow_labels_each_scenario_as_its_row_says)
{
	const struct scenario *sc = &scenarios[_i];
	const struct expect *ex = &sc->ex;
	const struct conn_record *r = &ft.rec[0];

	ft_run(sc->segs, sc->n, sc->finish_us);
	ck_assert_msg(ft.nrec == ex->records, "%s: %u records", sc->name,
		      ft.nrec);
	ck_assert_msg(r->orig.state == ex->orig, "%s: orig %s", sc->name,
		      flow_ep_state_name(r->orig.state));
	ck_assert_msg(r->resp.state == ex->resp, "%s: resp %s", sc->name,
		      flow_ep_state_name(r->resp.state));
	ck_assert_msg(r->conn_state == ex->zk, "%s: conn_state %s", sc->name,
		      flow_zeek_state_name(r->conn_state));
	ck_assert_msg(strcmp(r->history, ex->history) == 0,
		      "%s: history %s", sc->name, r->history);
	ck_assert_msg(r->handshake == ex->hs, "%s: handshake %s", sc->name,
		      flow_handshake_name(r->handshake));
	ck_assert_msg(r->close == ex->close, "%s: close %s", sc->name,
		      flow_close_name(r->close));
	ck_assert_msg(flag_total(&r->orig) == ex->flags_orig,
		      "%s: %u orig flags", sc->name, flag_total(&r->orig));
	ck_assert_msg(flag_total(&r->resp) == ex->flags_resp,
		      "%s: %u resp flags", sc->name, flag_total(&r->resp));
}
END_TEST

START_TEST(flow_records_who_closed_and_who_waits_in_time_wait)
{
	ft_run(normal_close, NSEGS(normal_close), 0);
	ck_assert_int_eq(ft.rec[0].active_closer, SIDE_ORIG);
	ck_assert_int_eq(ft.rec[0].time_wait, SIDE_ORIG);
	ck_assert(ft.rec[0].fins_acked);
	ck_assert_int_eq(ft.rec[0].rst_by, SIDE_NONE);
}
END_TEST

START_TEST(flow_puts_the_server_in_time_wait_when_it_closes_first)
{
	ft_run(server_closes_first, NSEGS(server_closes_first), 0);
	ck_assert_int_eq(ft.rec[0].active_closer, SIDE_RESP);
	ck_assert_int_eq(ft.rec[0].time_wait, SIDE_RESP);
	ck_assert(ft.rec[0].fins_acked);
}
END_TEST

START_TEST(flow_leaves_fins_unacked_in_a_simultaneous_close)
{
	ft_run(simultaneous_close, NSEGS(simultaneous_close), 0);
	ck_assert(!ft.rec[0].fins_acked);
	ck_assert_int_eq(ft.rec[0].time_wait, SIDE_NONE);
}
END_TEST

START_TEST(flow_names_the_first_side_to_reach_time_wait)
{
	/* the client's ACK of the server's FIN comes first */
	ft_run(simultaneous_close_acked, NSEGS(simultaneous_close_acked), 0);
	ck_assert_int_eq(ft.rec[0].time_wait, SIDE_RESP);
	ck_assert(ft.rec[0].fins_acked);
}
END_TEST

START_TEST(flow_marks_an_rst_answering_the_syn_as_in_window)
{
	ft_run(refused, NSEGS(refused), 0);
	ck_assert_int_eq(ft.rec[0].rst_by, SIDE_RESP);
	ck_assert(ft.rec[0].rst_in_window);
}
END_TEST

START_TEST(flow_ignores_an_rst_whose_ack_misses_the_syn)
{
	/* RFC 9293 3.10.7.3: in SYN-SENT only an RST acking the SYN counts */
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(1000, '<', F_RA, 0, 77, 0, 0),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_int_eq(ft.rec[0].orig.state, EP_SYN_SENT);
	ck_assert(!ft.rec[0].rst_in_window);
	ck_assert_int_eq(ft.rec[0].handshake, HS_PENDING);
	ck_assert_int_eq(ft.rec[0].conn_state, ZK_REJ);      /* Zeek: any RST */
}
END_TEST

START_TEST(flow_records_an_out_of_window_rst_as_such)
{
	ft_run(blind_rst, NSEGS(blind_rst), 0);
	ck_assert_int_eq(ft.rec[0].rst_by, SIDE_RESP);
	ck_assert(!ft.rec[0].rst_in_window);
}
END_TEST

START_TEST(flow_marks_an_established_rst_in_window)
{
	ft_run(est_orig_rst, NSEGS(est_orig_rst), 0);
	ck_assert_int_eq(ft.rec[0].rst_by, SIDE_ORIG);
	ck_assert(ft.rec[0].rst_in_window);
}
END_TEST

START_TEST(flow_guesses_the_server_from_the_lower_port)
{
	const struct conn_record *r = &ft.rec[0];

	ft_run(midstream, NSEGS(midstream), 0);
	ck_assert(r->orientation_guessed);
	ck_assert_uint_eq(r->orig_port, 40000);
	ck_assert_uint_eq(r->resp_port, 80);
	ck_assert_uint_eq(r->orig_addr[0], 192);
	ck_assert_uint_eq(r->resp_addr[0], 198);
	ck_assert_uint_eq(r->orig.pkts, 2);
	ck_assert_uint_eq(r->resp.pkts, 2);
	ck_assert(!r->orig.isn_seen);
}
END_TEST

START_TEST(flow_takes_the_syn_ack_sender_as_server_without_a_syn)
{
	ft_run(synack_fin, NSEGS(synack_fin), 0);
	ck_assert(!ft.rec[0].orientation_guessed);
	ck_assert_uint_eq(ft.rec[0].resp_port, 80);
	ck_assert_uint_eq(ft.rec[0].resp.pkts, 2);
	ck_assert_uint_eq(ft.rec[0].orig.pkts, 0);
}
END_TEST

START_TEST(flow_counts_syn_retransmissions_with_the_same_isn)
{
	ft_run(unanswered, NSEGS(unanswered), 9000000);
	ck_assert_uint_eq(ft.rec[0].syn_retrans, 2);
	ck_assert_int_eq(ft.rec[0].syn_ns, 0);
	ck_assert_int_eq(ft.rec[0].synack_ns, -1);
	ck_assert_int_eq(ft.rec[0].irtt_ns, -1);
}
END_TEST

START_TEST(flow_counts_syn_ack_retransmissions)
{
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(10000, '<', F_SA, 0, 1, 0, 2000),
		SEG(1010000, '<', F_SA, 0, 1, 0, 2000),
		SEG(3010000, '<', F_SA, 0, 1, 0, 2000),
		SEG(3020000, '>', F_A, 1, 1, 0, 1000),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft.rec[0].synack_retrans, 2);
	ck_assert_int_eq(ft.rec[0].synack_ns, 10000000);
	ck_assert_int_eq(ft.rec[0].handshake, HS_ESTABLISHED);
	ck_assert_int_eq(ft.rec[0].resp.state, EP_ESTABLISHED);
}
END_TEST

START_TEST(flow_holds_the_server_in_syn_received_until_the_third_ack)
{
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(10000, '<', F_SA, 0, 1, 0, 2000),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_int_eq(ft.rec[0].orig.state, EP_ESTABLISHED);
	ck_assert_int_eq(ft.rec[0].resp.state, EP_SYN_RECEIVED);
	ck_assert_int_eq(ft.rec[0].handshake, HS_PENDING);
	ck_assert_int_eq(ft.rec[0].conn_state, ZK_S1);       /* Zeek's rule */
}
END_TEST

START_TEST(flow_does_not_let_a_syn_ack_with_a_wrong_ack_answer_the_syn)
{
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(10000, '<', F_SA, 0, 5, 0, 2000),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_int_eq(ft.rec[0].orig.state, EP_SYN_SENT);
	ck_assert_int_eq(ft.rec[0].resp.state, EP_UNKNOWN);
	ck_assert_int_eq(ft.rec[0].synack_ns, -1);
}
END_TEST

START_TEST(flow_completes_a_handshake_at_the_client_ack_when_the_server_is_unseen)
{
	/* the SYN-ACK is missing and the server has said nothing yet: the
	 * client's first ACK is the evidence, as for Wireshark's iRTT */
	ft_run(synack_missed, NSEGS(synack_missed), 0);
	ck_assert_int_eq(ft.rec[0].ack_ns, 10100000);
	ck_assert_int_eq(ft.rec[0].irtt_ns, 10100000);
	ck_assert_int_eq(ft.rec[0].synack_ns, -1);
	ck_assert_int_eq(ft.rec[0].syn_synack_ns, -1);
	ck_assert_int_eq(ft.rec[0].synack_ack_ns, -1);
}
END_TEST

START_TEST(flow_keeps_a_syn_that_arrives_after_its_syn_ack_in_the_record)
{
	/* capture reordering: the SYN-ACK first, then the SYN it answers */
	static const struct seg s[] = {
		SEG(0, '<', F_SA, 0, 1, 0, 2000),
		SEG(100, '>', F_S, 0, 0, 0, 1000),
		SEG(200, '>', F_A, 1, 1, 0, 1000),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft.nrec, 1);
	ck_assert(!ft.rec[0].reused);
	ck_assert_int_eq(ft.rec[0].handshake, HS_ESTABLISHED);
	ck_assert_uint_eq(ft.rec[0].orig.pkts, 2);
}
END_TEST

/* Loop: one packet and the letter it leaves (ANCHORS 6.3). */
START_TEST(flow_writes_the_zeek_letter_of_each_kind_of_packet)
{
	static const struct {
		struct seg s;
		bool bad_csum;
		const char *history;
	} rows[] = {
		{ SEG(0, '>', F_S | TCP_FIN, 0, 0, 0, 1000), false, "Q" },
		{ SEG(0, '>', F_S | F_R, 0, 0, 0, 1000), false, "Q" },
		{ SEG(0, '<', F_FA | TCP_RST, 1, 1, 0, 0), false, "^i" },
		{ SEG(0, '>', F_PA, 1, 1, 10, 1000), true, "CD" },
		{ SEG(0, '>', F_A, 1, 1, 0, 0), false, "AW" },
	};
	struct decoded_packet p;
	uint8_t buf[FRAME_MAX];

	ft_decode(&rows[_i].s, &p, buf, sizeof(buf));
	if (rows[_i].bad_csum)
		p.tcp.csum = CSUM_BAD;
	flow_table_packet(ft.t, &p, 0);
	flow_table_finish(ft.t, 0);
	ck_assert_str_eq(ft.rec[0].history, rows[_i].history);
}
END_TEST

START_TEST(flow_adds_t_for_resent_payload)
{
	static const struct seg s[] = {
		HANDSHAKE,
		SEG(20000, '>', F_PA, 1, 1, 100, 1000),
		SEG(300000, '>', F_PA, 1, 1, 100, 1000),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_str_eq(ft.rec[0].history, "ShADT");
}
END_TEST

START_TEST(flow_keeps_the_history_within_its_size)
{
	/* 40 RSTs with new seqs: each would add an 'r' */
	struct seg s[41] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };

	for (int i = 1; i < 41; i++) {
		s[i].t_us = i;
		s[i].dir = '<';
		s[i].flags = F_R;
		s[i].seq = 1000000u * (unsigned)i;
	}
	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(strlen(ft.rec[0].history), FLOW_HISTORY_MAX - 1);
}
END_TEST

START_TEST(flow_adds_zeek_letters_on_a_log_scale)
{
	/* 12 zero-window ACKs from the client: 'W' for the 1st and 10th */
	struct seg s[15] = { HANDSHAKE };

	for (int i = 3; i < 15; i++) {
		s[i].t_us = 20000 + i;
		s[i].dir = '>';
		s[i].flags = F_A;
		s[i].seq = 1;
		s[i].ack = 1;
	}
	ft_run(s, NSEGS(s), 0);
	ck_assert_str_eq(ft.rec[0].history, "ShAWW");
}
END_TEST

static Suite *states_suite(void)
{
	const TTest *const details[] = {
		flow_records_who_closed_and_who_waits_in_time_wait,
		flow_puts_the_server_in_time_wait_when_it_closes_first,
		flow_leaves_fins_unacked_in_a_simultaneous_close,
		flow_names_the_first_side_to_reach_time_wait,
		flow_marks_an_rst_answering_the_syn_as_in_window,
		flow_ignores_an_rst_whose_ack_misses_the_syn,
		flow_records_an_out_of_window_rst_as_such,
		flow_marks_an_established_rst_in_window,
		flow_guesses_the_server_from_the_lower_port,
		flow_takes_the_syn_ack_sender_as_server_without_a_syn,
		flow_counts_syn_retransmissions_with_the_same_isn,
		flow_counts_syn_ack_retransmissions,
		flow_holds_the_server_in_syn_received_until_the_third_ack,
		flow_does_not_let_a_syn_ack_with_a_wrong_ack_answer_the_syn,
		flow_completes_a_handshake_at_the_client_ack_when_the_server_is_unseen,
		flow_keeps_a_syn_that_arrives_after_its_syn_ack_in_the_record,
		flow_adds_t_for_resent_payload,
		flow_keeps_the_history_within_its_size,
		flow_adds_zeek_letters_on_a_log_scale,
	};
	Suite *s = suite_create("flow_states");
	TCase *tab = tcase_create("scenarios");
	TCase *one = tcase_create("details");

	tcase_add_checked_fixture(tab, ft_setup, ft_teardown);
	tcase_add_loop_test(tab, flow_labels_each_scenario_as_its_row_says,
			    0, (int)NSEGS(scenarios));
	tcase_add_loop_test(tab,
			    flow_writes_the_zeek_letter_of_each_kind_of_packet,
			    0, 5);
	suite_add_tcase(s, tab);
	ft_add_tests(one, details, NSEGS(details));
	suite_add_tcase(s, one);
	return s;
}

int main(void)
{
	return frames_run(states_suite());
}
