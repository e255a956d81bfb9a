/*
 * The dashboard's live accumulators: per-second buckets and rates, the
 * sparkline levels, handshake RTT percentiles, the packet ring and the
 * pinned connection, the counters and state history fed by real flow
 * events (tests/flow/flowtest.c builds the segments).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "model.h"
#include "tuitest.h"

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

static struct tui_model *m;

static void setup(void)
{
	tt_setup(&m, NULL);
}

static void teardown(void)
{
	tt_teardown(&m, NULL);
}

/* A TCP packet with these flags, not tracked by any connection. */
static void packet(int64_t ts, uint16_t flags, uint64_t conn,
		   uint32_t wirelen)
{
	struct decoded_packet dp;
	struct tui_packet p;

	memset(&dp, 0, sizeof(dp));
	dp.tcp.flags = flags;
	dp.tcp.win = 1000;
	memset(&p, 0, sizeof(p));
	p.ts_ns = ts;
	p.wirelen = wirelen;
	p.dp = &dp;
	p.info.conn_id = conn;
	p.info.from = SIDE_ORIG;
	tui_model_packet(m, &p);
}

START_TEST(model_counts_bare_syns_per_second_of_packet_time)
{
	uint64_t v[4];

	packet(100 * MS, TCP_SYN, 0, 60);
	packet(500 * MS, TCP_SYN, 0, 60);
	packet(600 * MS, TCP_SYN | TCP_ACK, 0, 60); /* not a bare SYN */
	packet(1200 * MS, TCP_SYN, 0, 60);
	packet(3900 * MS, TCP_SYN, 0, 60);
	tui_model_series(m, TS_SYNS, v, 4);
	ck_assert_uint_eq(v[0], 2);
	ck_assert_uint_eq(v[1], 1);
	ck_assert_uint_eq(v[2], 0);
	ck_assert_uint_eq(v[3], 1);
	tui_model_series(m, TS_PKTS, v, 4);
	ck_assert_uint_eq(v[0], 3);
	ck_assert_uint_eq(m->syn_pkts, 4);
	ck_assert_uint_eq(m->packets, 5);
	ck_assert_uint_eq(m->bytes, 300);
}
END_TEST

START_TEST(model_rates_average_the_last_seconds)
{
	/* 10 packets a second for 10 s: the 5 s window sees 50 */
	for (int i = 0; i < 100; i++)
		packet(i * 100 * MS, TCP_ACK, 0, 100);
	tui_model_set_now(m, 10 * SEC - 1);
	ck_assert(tui_model_rate(m, TS_PKTS) > 9.99 &&
		  tui_model_rate(m, TS_PKTS) < 10.01);
	ck_assert(tui_model_rate(m, TS_BYTES) > 999.9 &&
		  tui_model_rate(m, TS_BYTES) < 1000.1);
	ck_assert(tui_model_rate(m, TS_SYNS) == 0);
}
END_TEST

START_TEST(model_rates_over_a_short_capture_use_its_length)
{
	/* 3 packets over 2.5 s */
	packet(0, TCP_SYN, 0, 60);
	packet(1000 * MS, TCP_SYN, 0, 60);
	packet(2500 * MS, TCP_SYN, 0, 60);
	ck_assert(tui_model_rate(m, TS_SYNS) > 1.19 &&
		  tui_model_rate(m, TS_SYNS) < 1.21);
	/* a single packet: at least one second */
	tui_model_destroy(m);
	m = tui_model_create();
	packet(7 * SEC, TCP_SYN, 0, 60);
	ck_assert(tui_model_rate(m, TS_SYNS) == 1.0);
}
END_TEST

START_TEST(model_series_forgets_buckets_outside_the_window)
{
	uint64_t v[TUI_SPARK_SECS];

	packet(1 * SEC, TCP_SYN, 0, 60);
	/* 400 s later the slot of second 1 belongs to second 301 */
	packet(401 * SEC, TCP_SYN, 0, 60);
	tui_model_series(m, TS_SYNS, v, TUI_SPARK_SECS);
	uint64_t sum = 0;
	for (size_t i = 0; i < TUI_SPARK_SECS; i++)
		sum += v[i];
	ck_assert_uint_eq(sum, 1);
	ck_assert_uint_eq(v[TUI_SPARK_SECS - 1], 1);
	/* an old straggler does not land in a newer second */
	packet(101 * SEC + 5, TCP_SYN, 0, 60);
	tui_model_series(m, TS_SYNS, v, TUI_SPARK_SECS);
	ck_assert_uint_eq(v[TUI_SPARK_SECS - 1], 1);
}
END_TEST

START_TEST(model_spark_levels_show_any_traffic)
{
	ck_assert_int_eq(tui_spark_level(0, 10), 0);
	ck_assert_int_eq(tui_spark_level(5, 0), 0);
	ck_assert_int_eq(tui_spark_level(1, 10), 1);
	ck_assert_int_eq(tui_spark_level(1, 1000000), 1);
	ck_assert_int_eq(tui_spark_level(5, 10), 4);
	ck_assert_int_eq(tui_spark_level(10, 10), 8);
	ck_assert_int_eq(tui_spark_level(999, 1000), 8);
	ck_assert_int_eq(tui_spark_level(20, 10), 8);
}
END_TEST

START_TEST(model_rtt_percentiles_use_the_nearest_rank)
{
	struct conn_record c;
	struct flow_event ev = { .type = FLOW_EV_ESTABLISHED, .conn = &c };

	ck_assert_int_eq(tui_model_rtt_pct(m, 50), -1);
	memset(&c, 0, sizeof(c));
	/* 100 handshakes of 1..100 ms, in reverse order */
	for (int i = 100; i >= 1; i--) {
		c.id = (uint64_t)i;
		c.irtt_ns = i * MS;
		tui_model_flow_event(m, &ev);
	}
	ck_assert_int_eq(tui_model_rtt_pct(m, 50), 50 * MS);
	ck_assert_int_eq(tui_model_rtt_pct(m, 99), 99 * MS);
	ck_assert_int_eq(tui_model_rtt_pct(m, 100), 100 * MS);
	ck_assert_uint_eq(m->completed, 100);
}
END_TEST

START_TEST(model_rtt_keeps_only_the_latest_samples)
{
	struct conn_record c;
	struct flow_event ev = { .type = FLOW_EV_ESTABLISHED, .conn = &c };

	memset(&c, 0, sizeof(c));
	c.irtt_ns = 1 * MS;
	for (int i = 0; i < TUI_RTT_SAMPLES; i++)
		tui_model_flow_event(m, &ev);
	c.irtt_ns = 9 * MS;
	for (int i = 0; i < TUI_RTT_SAMPLES; i++)
		tui_model_flow_event(m, &ev);
	ck_assert_int_eq(tui_model_rtt_pct(m, 1), 9 * MS);
}
END_TEST

START_TEST(model_counts_the_events_of_real_connections)
{
	static const struct seg normal[] = {
		HANDSHAKE,
		SEG(11000, '>', F_PA, 1, 1, 100, 1000),
		SEG(21000, '<', F_A, 1, 101, 0, 2000),
	};
	static const struct seg refused[] = {
		SEG(100000, '>', F_S, 0, 0, 0, 1000),
		SEG(101000, '<', F_RA, 0, 1, 0, 0),
	};

	for (size_t i = 0; i < NSEGS(normal); i++)
		tt_feed(m, &normal[i]);
	ft.cport = 40001;
	for (size_t i = 0; i < NSEGS(refused); i++)
		tt_feed(m, &refused[i]);
	ck_assert_uint_eq(m->attempts, 2);
	ck_assert_uint_eq(m->completed, 1);
	ck_assert_uint_eq(m->refused, 1);
	ck_assert_uint_eq(m->tcp_packets, 7);
	ck_assert_int_eq(tui_model_rtt_pct(m, 50), 10100 * 1000);
	flow_table_finish(ft.t, 200 * 1000);
	/* both records are kept for the views once closed */
	ck_assert_uint_eq(m->closed_ring.head, 2);
	ck_assert_uint_eq(m->closed[0].id, 1);
}
END_TEST

START_TEST(model_counts_an_unanswered_syn_when_it_times_out)
{
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
	};

	tt_feed(m, &s[0]);
	ck_assert_uint_eq(m->unanswered, 0);
	/* another connection's packet 6 s later expires it */
	ft.cport = 40001;
	struct seg later = SEG(6000000, '>', F_S, 0, 0, 0, 1000);
	tt_feed(m, &later);
	ck_assert_uint_eq(m->unanswered, 1);
}
END_TEST

START_TEST(model_pins_a_connection_against_a_flood)
{
	const struct tui_pkt_rec *out[TUI_PIN_PKTS];

	for (int i = 0; i < 10; i++)
		packet(i * MS, TCP_ACK, i % 2 ? 2 : 1, 60);
	tui_model_pin(m, 2);
	/* what the shared ring held comes along */
	ck_assert_uint_eq(tui_model_pinned_pkts(m, out, TUI_PIN_PKTS), 5);
	ck_assert_int_eq(out[0]->ts_ns, 1 * MS);
	ck_assert_int_eq(out[4]->ts_ns, 9 * MS);
	/* a flood of another connection pushes nothing of it out */
	for (int i = 0; i < 3 * TUI_PKT_RING; i++)
		packet(SEC + i, TCP_SYN, 1, 60);
	packet(2 * SEC, TCP_ACK, 2, 60);
	ck_assert_uint_eq(tui_model_pinned_pkts(m, out, TUI_PIN_PKTS), 6);
	ck_assert_int_eq(out[5]->ts_ns, 2 * SEC);
	/* its own packets beyond the pinned ring keep the newest */
	for (int i = 0; i < TUI_PIN_PKTS + 10; i++)
		packet(3 * SEC + i, TCP_ACK, 2, 60);
	ck_assert_uint_eq(tui_model_pinned_pkts(m, out, TUI_PIN_PKTS),
			  TUI_PIN_PKTS);
	ck_assert_int_eq(out[TUI_PIN_PKTS - 1]->ts_ns,
			 3 * SEC + TUI_PIN_PKTS + 9);
	tui_model_pin(m, 0);
	ck_assert_uint_eq(tui_model_pinned_pkts(m, out, TUI_PIN_PKTS), 0);
}
END_TEST

START_TEST(model_records_each_state_change_of_a_closing_connection)
{
	static const struct seg s[] = {
		HANDSHAKE,
		SEG(11000, '>', F_PA, 1, 1, 100, 1000),
		SEG(21000, '<', F_A, 1, 101, 0, 2000),
		SEG(30000, '>', F_FA, 101, 1, 0, 1000),
		SEG(31000, '<', F_A, 1, 102, 0, 2000),
		SEG(40000, '<', F_FA, 1, 102, 0, 2000),
		SEG(41000, '>', F_A, 102, 2, 0, 1000),
	};
	static const struct {
		unsigned cause;
		enum ep_state o, r;
	} want[] = {
		{ FLOW_EV_SYN, EP_SYN_SENT, EP_UNKNOWN },
		{ FLOW_EV_SYNACK, EP_ESTABLISHED, EP_SYN_RECEIVED },
		{ FLOW_EV_ESTABLISHED, EP_ESTABLISHED, EP_ESTABLISHED },
		{ FLOW_EV_FIN, EP_FIN_WAIT_1, EP_ESTABLISHED },
		/* the ACK of the FIN raises no event: found by the check */
		{ TUI_CAUSE_SEEN, EP_FIN_WAIT_2, EP_CLOSE_WAIT },
		{ FLOW_EV_FIN, EP_FIN_WAIT_2, EP_LAST_ACK },
		{ TUI_CAUSE_SEEN, EP_TIME_WAIT, EP_CLOSED },
	};
	const struct tui_hist_rec *h[TUI_PIN_HIST];
	size_t n;

	for (size_t i = 0; i < NSEGS(s); i++)
		tt_feed(m, &s[i]);
	tui_model_pin(m, 1);
	n = tui_model_pinned_hist(m, h, TUI_PIN_HIST);
	ck_assert_uint_eq(n, NSEGS(want));
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(h[i]->cause == want[i].cause, "%zu: %s", i,
			      tui_cause_name(h[i]->cause));
		ck_assert_int_eq(h[i]->orig, want[i].o);
		ck_assert_int_eq(h[i]->resp, want[i].r);
	}
	ck_assert_int_eq(h[4]->ts_ns, 31000 * 1000);
	/* seeing the same states again records nothing */
	tt_note(m, 1);
	ck_assert_uint_eq(tui_model_pinned_hist(m, h, TUI_PIN_HIST), n);
}
END_TEST

START_TEST(model_formats_durations_and_counts_compactly)
{
	static const struct {
		int64_t ns;
		const char *text;
	} d[] = {
		{ -1, "-" }, { 0, "0us" }, { 999999, "999us" },
		{ 1234567, "1.23ms" }, { 12345678, "12.3ms" },
		{ 123456789, "123ms" }, { 1500000000, "1.50s" },
		{ 15 * SEC, "15.0s" }, { 125 * SEC, "2m05s" },
		{ 3725 * SEC, "1h02m" },
	};
	static const struct {
		uint64_t v;
		const char *text;
	} c[] = {
		{ 0, "0" }, { 9999, "9999" }, { 12345, "12K" },
		{ 1234567, "1.2M" }, { 999999999, "1.0G" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		tui_fmt_dur(d[i].ns, buf, sizeof(buf));
		ck_assert_str_eq(buf, d[i].text);
	}
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		tui_fmt_count(c[i].v, buf, sizeof(buf));
		ck_assert_str_eq(buf, c[i].text);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_model");
	TCase *tc = tcase_create("model");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, model_counts_bare_syns_per_second_of_packet_time);
	tcase_add_test(tc, model_rates_average_the_last_seconds);
	tcase_add_test(tc, model_rates_over_a_short_capture_use_its_length);
	tcase_add_test(tc, model_series_forgets_buckets_outside_the_window);
	tcase_add_test(tc, model_spark_levels_show_any_traffic);
	tcase_add_test(tc, model_rtt_percentiles_use_the_nearest_rank);
	tcase_add_test(tc, model_rtt_keeps_only_the_latest_samples);
	tcase_add_test(tc, model_counts_the_events_of_real_connections);
	tcase_add_test(tc, model_counts_an_unanswered_syn_when_it_times_out);
	tcase_add_test(tc, model_pins_a_connection_against_a_flood);
	tcase_add_test(tc,
		       model_records_each_state_change_of_a_closing_connection);
	tcase_add_test(tc, model_formats_durations_and_counts_compactly);
	suite_add_tcase(s, tc);
	return frames_run(s);
}
