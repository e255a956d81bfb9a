/* Unit tests for report/summary.c: RTT percentiles from the histogram, the
 * bounded server table, the top-problems ordering and the printed report,
 * from connection records built by hand. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "flow.h"
#include "report.h"
#include "summary.h"

#define T0 INT64_C(1700000000000000000)

/* An established, FIN-closed IPv4 connection 10.0.0.1:port > server:80
 * with the given iRTT (-1: no handshake seen). */
static void conn(struct conn_record *c, uint64_t id, uint8_t server,
		 uint16_t port, int64_t irtt_ns)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->ip_version = 4;
	memcpy(c->orig_addr, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(c->resp_addr, (uint8_t[]){ 10, 0, 1, server }, 4);
	c->orig_port = port;
	c->resp_port = 80;
	c->first_ns = T0;
	c->last_ns = T0 + 1000000;
	c->syn_ns = irtt_ns >= 0 ? T0 : -1;
	c->synack_ns = irtt_ns >= 0 ? T0 + irtt_ns / 2 : -1;
	c->ack_ns = irtt_ns >= 0 ? T0 + irtt_ns : -1;
	c->irtt_ns = irtt_ns;
	c->syn_synack_ns = irtt_ns >= 0 ? irtt_ns / 2 : -1;
	c->synack_ack_ns = irtt_ns >= 0 ? irtt_ns - irtt_ns / 2 : -1;
	c->handshake = irtt_ns >= 0 ? HS_ESTABLISHED : HS_MIDSTREAM;
	c->close = CLOSE_FIN;
	c->conn_state = ZK_SF;
	c->orig.opts.mss = c->resp.opts.mss = -1;
	c->orig.opts.wscale = c->resp.opts.wscale = -1;
	c->orig.state = EP_TIME_WAIT;
	c->resp.state = EP_CLOSED;
}

/* The report as a string; free() it. */
static char *print(const struct summary *s, const struct summary_context *x)
{
	FILE *f = tmpfile();
	char *text;
	long len;

	ck_assert_ptr_nonnull(f);
	summary_print(f, s, x);
	len = ftell(f);
	ck_assert_int_ge(len, 0);
	text = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(text);
	rewind(f);
	ck_assert_uint_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	text[len] = '\0';
	fclose(f);
	return text;
}

static const struct run_totals no_frames;

static const struct summary_context bare_ctx = {
	.totals = &no_frames,
	.source = "test.pcap",
	.linktype_name = "EN10MB",
	.ts_digits = 6,
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void assert_within_1pct(int64_t got, int64_t want)
{
	double err = (double)(got - want) / (double)want;

	ck_assert_msg(err > -0.01 && err < 0.01,
		      "estimate %lld vs exact %lld", (long long)got,
		      (long long)want);
}

START_TEST(summary_rtt_percentiles_are_within_one_percent)
{
	enum { N = 20000 };
	static int64_t v[N];
	static const double q[] = { 0.5, 0.9, 0.99 };
	struct summary *s = summary_create(NULL);
	struct conn_record c;
	uint64_t x = 88172645463325252u;

	ck_assert_ptr_nonnull(s);
	/* log-uniform from 1 us to 134 s (a power of two, then a mantissa
	 * in [1, 2)), from a fixed xorshift stream */
	for (unsigned i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t octave = INT64_C(1000) << (x % 27);
		v[i] = octave + (int64_t)((double)octave *
					  (double)(x >> 40 & 0xffff) / 65536.0);
		conn(&c, i + 1, 1, (uint16_t)(1024 + i), v[i]);
		summary_add_conn(s, &c);
	}
	qsort(v, N, sizeof(v[0]), cmp_i64);
	for (unsigned i = 0; i < 3; i++) {
		/* nearest rank: the ceil(q * N)-th smallest value */
		int64_t exact = v[(size_t)(q[i] * N + 0.999999) - 1];
		assert_within_1pct(summary_rtt_quantile_ns(s,
					SUMMARY_RTT_IRTT, q[i]), exact);
	}
	ck_assert_int_eq(summary_rtt_quantile_ns(s, SUMMARY_RTT_IRTT, 1.0),
			 v[N - 1]);
	summary_destroy(s);
}
END_TEST

START_TEST(summary_rtt_percentiles_of_a_uniform_spread_are_close)
{
	struct summary *s = summary_create(NULL);
	struct conn_record c;

	/* 1 .. 10000 us: p50 is 5000 us, p90 9000 us, p99 9900 us */
	for (unsigned i = 1; i <= 10000; i++) {
		conn(&c, i, 1, (uint16_t)i, (int64_t)i * 1000);
		summary_add_conn(s, &c);
	}
	assert_within_1pct(summary_rtt_quantile_ns(s, SUMMARY_RTT_IRTT, 0.5),
			   5000000);
	assert_within_1pct(summary_rtt_quantile_ns(s, SUMMARY_RTT_IRTT, 0.9),
			   9000000);
	assert_within_1pct(summary_rtt_quantile_ns(s, SUMMARY_RTT_IRTT, 0.99),
			   9900000);
	assert_within_1pct(summary_rtt_quantile_ns(s, SUMMARY_RTT_SYN_SYNACK,
						   0.5), 2500000);
	summary_destroy(s);
}
END_TEST

START_TEST(summary_rtt_is_unknown_without_handshakes_and_clamped_past_the_top)
{
	struct summary *s = summary_create(NULL);
	struct conn_record c;

	ck_assert_int_eq(summary_rtt_quantile_ns(s, SUMMARY_RTT_IRTT, 0.5), -1);
	conn(&c, 1, 1, 1000, -1);
	summary_add_conn(s, &c);
	ck_assert_int_eq(summary_rtt_quantile_ns(s, SUMMARY_RTT_IRTT, 0.5), -1);
	/* an hour: past the histogram's top, still reported as the max */
	conn(&c, 2, 1, 1001, INT64_C(3600000000000));
	summary_add_conn(s, &c);
	ck_assert_int_eq(summary_rtt_quantile_ns(s, SUMMARY_RTT_IRTT, 0.5),
			 INT64_C(3600000000000));
	ck_assert_int_eq(summary_rtt_quantile_ns(s, SUMMARY_RTT__COUNT, 0.5),
			 -1);
	/* out-of-range quantiles give the extremes */
	ck_assert_int_eq(summary_rtt_quantile_ns(s, SUMMARY_RTT_IRTT, -1.0),
			 INT64_C(3600000000000));
	ck_assert_int_eq(summary_rtt_quantile_ns(s, SUMMARY_RTT_IRTT, 2.0),
			 INT64_C(3600000000000));
	summary_destroy(s);
}
END_TEST

START_TEST(summary_server_table_counts_what_overflows_it)
{
	struct summary_config cfg;
	struct summary *s;
	struct conn_record c;
	char *text;

	summary_config_default(&cfg);
	cfg.max_servers = 4;
	s = summary_create(&cfg);
	ck_assert_ptr_nonnull(s);
	for (unsigned i = 1; i <= 6; i++) {
		conn(&c, i, (uint8_t)i, (uint16_t)(2000 + i), 1000000);
		summary_add_conn(s, &c);
	}
	/* a server already held keeps counting once the table is full */
	conn(&c, 7, 1, 3000, 1000000);
	summary_add_conn(s, &c);
	text = print(s, &bare_ctx);
	ck_assert_ptr_nonnull(strstr(text,
		"Servers (top 4 of 4 by connections):\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"          2         0           0         0      1.00 ms  "
		"10.0.1.1:80\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"  the table holds 4 servers: 2 connections to further "
		"servers are not in it\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"  the servers table was full: 2 connections left out of it\n"));
	ck_assert_ptr_null(strstr(text, "10.0.1.5:80"));
	free(text);
	summary_destroy(s);
}
END_TEST

START_TEST(summary_servers_with_equal_counts_sort_by_address_then_port)
{
	struct summary *s = summary_create(NULL);
	struct conn_record c;
	char *text;

	conn(&c, 1, 9, 1001, -1);
	summary_add_conn(s, &c);
	conn(&c, 2, 3, 1002, -1);
	c.resp_port = 443;
	summary_add_conn(s, &c);
	conn(&c, 3, 3, 1003, -1);
	summary_add_conn(s, &c);
	text = print(s, &bare_ctx);
	char *a = strstr(text, "10.0.1.3:80\n");
	char *b = strstr(text, "10.0.1.3:443\n");
	char *d = strstr(text, "10.0.1.9:80\n");
	ck_assert(a && b && d && a < b && b < d);
	free(text);
	summary_destroy(s);
}
END_TEST

/* A connection whose score is `score` retransmissions. */
static void troubled(struct conn_record *c, uint64_t id, uint32_t score)
{
	conn(c, id, 1, (uint16_t)(5000 + id), 1000000);
	c->orig.analysis[AN_RETRANS] = score;
}

START_TEST(summary_top_problems_order_by_score_then_by_id)
{
	struct summary_config cfg;
	struct summary *s;
	struct conn_record c;
	char *text;

	summary_config_default(&cfg);
	cfg.top_problems = 3;
	s = summary_create(&cfg);
	troubled(&c, 1, 5);
	summary_add_conn(s, &c);
	troubled(&c, 2, 10);
	summary_add_conn(s, &c);
	troubled(&c, 3, 5);     /* ties with 1, later: left out */
	summary_add_conn(s, &c);
	troubled(&c, 4, 0);     /* no trouble: never listed */
	summary_add_conn(s, &c);
	/* 2 dup ACKs, a zero window, a lost segment and an RST: 5 + 1 */
	conn(&c, 5, 1, 5005, 1000000);
	c.resp.analysis[AN_DUP_ACK] = 2;
	c.orig.analysis[AN_ZERO_WINDOW] = 1;
	c.resp.analysis[AN_LOST_SEGMENT] = 1;
	c.resp.analysis[AN_FAST_RETRANS] = 1;
	c.close = CLOSE_RST;
	c.rst_by = SIDE_RESP;
	summary_add_conn(s, &c);
	text = print(s, &bare_ctx);
	char *p1 = strstr(text, "   1. score 10 ");
	char *p2 = strstr(text, "   2. score 6 ");
	char *p3 = strstr(text, "   3. score 5 ");
	ck_assert(p1 && p2 && p3 && p1 < p2 && p2 < p3);
	ck_assert_ptr_nonnull(strstr(p1, "10.0.0.1:5002 > 10.0.1.1:80  SF\n"
					 "      retransmission 10\n"));
	ck_assert_ptr_nonnull(strstr(p2, "10.0.0.1:5005 > 10.0.1.1:80  SF\n"
		"      retransmission 1, lost_segment 1, duplicate_ack 2, "
		"zero_window 1, reset by resp\n"));
	ck_assert_ptr_nonnull(strstr(p3, "10.0.0.1:5001 >"));
	ck_assert_ptr_null(strstr(text, ":5003 >"));
	ck_assert_ptr_null(strstr(text, ":5004 >"));
	free(text);
	summary_destroy(s);
}
END_TEST

START_TEST(summary_refusals_are_not_problems_but_server_counts)
{
	struct summary *s = summary_create(NULL);
	struct conn_record c;
	char *text;

	conn(&c, 1, 1, 1001, -1);
	c.handshake = HS_REFUSED;
	c.close = CLOSE_NONE;
	c.rst_by = SIDE_RESP;
	c.conn_state = ZK_REJ;
	summary_add_conn(s, &c);
	text = print(s, &bare_ctx);
	ck_assert_ptr_nonnull(strstr(text, "most problems"));
	ck_assert_ptr_nonnull(strstr(text, "top 10):\n  none\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"          1         1           0         0            -  "
		"10.0.1.1:80\n"));
	free(text);
	summary_destroy(s);
}
END_TEST

/* Check's messages are too short for a whole report: print both texts,
 * then fail. */
static void expect_text(const char *got, const char *want)
{
	if (strcmp(got, want)) {
		fprintf(stderr, "got:\n%s\nwant:\n%s\n", got, want);
		ck_abort_msg("the report differs (both printed above)");
	}
}

/* The whole report for a small run, so a change of layout is a choice. */
START_TEST(summary_report_reads_as_one_deterministic_text)
{
	struct summary_config cfg;
	struct summary *s;
	struct conn_record c;
	struct run_totals t = {
		.frames = 14, .wire_bytes = 1500, .ip4 = 13, .ip6 = 1,
		.flags_syn = 4, .flags_synack = 2, .flags_fin = 2,
		.flags_rst = 1, .first_sec = 1700000000,
		.last_sec = 1700000001, .last_nsec = 500000000,
	};
	struct flow_table_stats fs = {
		.peak = 3, .created = 4, .expired = 1, .evicted = 1,
	};
	struct summary_context ctx = {
		.totals = &t, .flows = &fs, .source = "run.pcap",
		.linktype_name = "EN10MB", .ts_digits = 6, .live = true,
		.received = 14, .dropped_kernel = 2,
	};
	char *text;

	t.status[DECODE_TCP] = 13;
	t.status[DECODE_NOT_TCP] = 1;
	t.anomalies[ANOM_TCP_OPT_WSCALE_LARGE] = 1;
	summary_config_default(&cfg);
	cfg.uid_salt = 42;
	s = summary_create(&cfg);
	conn(&c, 1, 1, 40000, 345000);
	c.orig.opts = (struct conn_opts){ .mss = 1460, .wscale = 7,
		.sack_ok = true, .ts = true, .ecn = true };
	c.resp.opts = (struct conn_opts){ .mss = 1400, .wscale = -1,
		.sack_ok = true };
	c.orig.analysis[AN_RETRANS] = 2;
	c.resp.analysis[AN_DUP_ACK] = 1;
	summary_add_conn(s, &c);
	conn(&c, 2, 1, 40001, -1);
	c.syn_ns = T0;
	c.orig.opts.mss = 1460;
	c.handshake = HS_REFUSED;
	c.close = CLOSE_NONE;
	c.conn_state = ZK_REJ;
	c.rst_by = SIDE_RESP;
	summary_add_conn(s, &c);
	conn(&c, 3, 2, 40002, -1);
	c.syn_ns = T0;
	c.handshake = HS_UNANSWERED;
	c.close = CLOSE_NONE;
	c.conn_state = ZK_S0;
	summary_add_conn(s, &c);
	conn(&c, 4, 1, 40003, 2500000);
	c.close = CLOSE_RST;
	c.rst_by = SIDE_ORIG;
	c.conn_state = ZK_RSTO;
	summary_add_conn(s, &c);
	text = print(s, &ctx);
	expect_text(text,
		"run.pcap (EN10MB): 14 frames, 1500 bytes\n"
		"  from 2023-11-14 22:13:20.000000 to 2023-11-14"
		" 22:13:21.500000 UTC (1.500 s)\n"
		"  TCP segments           13\n"
		"    of which             4 SYN, 2 SYN-ACK, 2 FIN, 1 RST\n"
		"  IPv4 packets           13\n"
		"  IPv6 packets           1\n"
		"  not IP                 0\n"
		"  IP, not TCP            1\n"
		"  IP fragments           0\n"
		"  truncated              0\n"
		"  malformed              0\n"
		"  bad IPv4 checksums     0\n"
		"  bad TCP checksums      0\n"
		"  decode anomalies:\n"
		"    decode.tcp.opt.wscale_large      1\n"
		"  capture                14 received by filter, 2 dropped"
		" by kernel, 0 dropped by interface\n"
		"\n"
		"Connections: 4\n"
		"  flow table             peak 3, expired 1, evicted 1,"
		" refused 0 (table full), 4-tuples reused 0\n"
		"Handshakes:\n"
		"  pending                0 (0.0%)\n"
		"  established            2 (50.0%)\n"
		"  refused                1 (25.0%)\n"
		"  unanswered             1 (25.0%)\n"
		"  simultaneous_open      0 (0.0%)\n"
		"  midstream              0 (0.0%)\n"
		"  aborted                0 (0.0%)\n"
		"Teardowns:\n"
		"  open                   0 (0.0%)\n"
		"  fin                    1 (25.0%)\n"
		"  half_close             0 (0.0%)\n"
		"  rst                    1 (25.0%)\n"
		"  idle_timeout           0 (0.0%)\n"
		"  evicted                0 (0.0%)\n"
		"  none                   2 (50.0%)\n"
		"Zeek conn_state:\n"
		"  S0                     1 (25.0%)\n"
		"  SF                     1 (25.0%)\n"
		"  REJ                    1 (25.0%)\n"
		"  RSTO                   1 (25.0%)\n"
		"\n"
		"Handshake RTT (percentiles estimated from a log histogram,"
		" within 0.4%):\n"
		"                                 p50         p90        "
		" p99         max   samples\n"
		"  iRTT (SYN to ACK)         345.1 us     2.50 ms     2.50"
		" ms     2.50 ms         2\n"
		"  SYN to SYN-ACK            172.5 us     1.25 ms     1.25"
		" ms     1.25 ms         2\n"
		"  SYN-ACK to ACK            172.5 us     1.25 ms     1.25"
		" ms     1.25 ms         2\n"
		"\n"
		"TCP options in handshakes:\n"
		"                                 SYN     SYN-ACK\n"
		"  seen                             4           2\n"
		"  MSS                          50.0%       50.0%\n"
		"  window scale                 25.0%        0.0%\n"
		"  SACK permitted               25.0%       50.0%\n"
		"  timestamps                   25.0%        0.0%\n"
		"  ECN                          25.0%        0.0%\n"
		"  TFO                           0.0%        0.0%\n"
		"  MPTCP                         0.0%        0.0%\n"
		"\n"
		"TCP analysis flags (Wireshark tcp.analysis.*):\n"
		"                                 total        orig       "
		" resp\n"
		"  retransmission                     2           2         "
		"  0\n"
		"  duplicate_ack                      1           0         "
		"  1\n"
		"\n"
		"Servers (top 2 of 2 by connections):\n"
		"      conns   refused  unanswered    resets  median iRTT "
		" server\n"
		"          3         1           0         1     345.0 us "
		" 10.0.1.1:80\n"
		"          1         0           1         0            - "
		" 10.0.1.2:80\n"
		"\n"
		"Connections with most problems (score = retransmissions +"
		" lost segments\n"
		"  + duplicate ACKs + zero windows + 1 if reset; top 10):\n"
		"   1. score 3  CPMuFU3l3WIG  10.0.0.1:40000 > 10.0.1.1:80 "
		" SF\n"
		"      retransmission 2, duplicate_ack 1\n"
		"   2. score 1  CiywVhMSO1Z7  10.0.0.1:40003 > 10.0.1.1:80 "
		" RSTO\n"
		"      reset by orig\n"
		"\n"
		"Warnings:\n"
		"  2 packets were dropped before synscope saw them: the"
		" figures above miss them\n"
		"  the flow table was full: 1 connections were evicted early"
		" and 0 never tracked\n");
	free(text);
	summary_destroy(s);
}
END_TEST

static Suite *summary_suite(void)
{
	Suite *s = suite_create("summary");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, summary_rtt_percentiles_are_within_one_percent);
	tcase_add_test(tc, summary_rtt_percentiles_of_a_uniform_spread_are_close);
	tcase_add_test(tc,
		summary_rtt_is_unknown_without_handshakes_and_clamped_past_the_top);
	tcase_add_test(tc, summary_server_table_counts_what_overflows_it);
	tcase_add_test(tc,
		summary_servers_with_equal_counts_sort_by_address_then_port);
	tcase_add_test(tc, summary_top_problems_order_by_score_then_by_id);
	tcase_add_test(tc, summary_refusals_are_not_problems_but_server_counts);
	tcase_add_test(tc, summary_report_reads_as_one_deterministic_text);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(summary_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
