/*
 * Verdicts on synthetic traffic fed through a real flow table: each kind
 * of flood gets its verdict for the right target, within a second of its
 * start, and ends within a few seconds of its end; a scan, backscatter
 * and SYN cookies are told apart; a flash crowd that completes and
 * clients resending SYNs to a slow server raise nothing.
 */
#include <check.h>
#include <stdlib.h>

#include "dtest.h"
#include "frames.h"

#define S_IP DT_IP(10, 0, 0, 1)
#define SEC 1000000LL
#define FLOOD_START (2 * SEC)
#define FLOOD_END (7 * SEC)
#define RUN_END (12 * SEC)

static struct dtworld w;

static void setup(void)
{
	dt_srand(99);
	dtw_init(&w, NULL);
}

static void teardown(void)
{
	dtw_free(&w);
}

static uint32_t legit_client(void)
{
	return DT_IP(198, 51, 100, 1 + dt_rand() % 250);
}

static uint16_t eph(void)
{
	return (uint16_t)(32768 + dt_rand() % 28000);
}

/* Clients that complete, `rate` per second, from t0 to t1. */
static void legit(struct dtq *q, int64_t t0, int64_t t1, double rate,
		  uint16_t port)
{
	int64_t step = (int64_t)(SEC / rate);

	for (int64_t t = t0; t < t1; t += step)
		dt_conn_complete(q, t, legit_client(), eph(), S_IP, port,
				 2000);
}

static uint32_t spoofed(void)
{
	return dt_rand() | 0x01000000u;
}

/* The checks every flood test makes on its one flood alert. */
static const struct detect_alert *expect_flood(enum detect_verdict v,
					       uint32_t ip, int port)
{
	const struct detect_alert *s = dtw_first(&w, DE_START, -1);
	const struct detect_alert *e = dtw_first(&w, DE_END, v);

	ck_assert_msg(s != NULL, "no alert");
	ck_assert_msg(s->verdict == v, "verdict %s",
		      detect_verdict_name(s->verdict));
	ck_assert_uint_eq(dtw_addr(&s->dst), ip);
	ck_assert_int_eq(s->has_port, port >= 0);
	if (port >= 0)
		ck_assert_uint_eq(s->dport, (unsigned)port);
	ck_assert_int_ge(s->start_ns, FLOOD_START * 1000);
	ck_assert_msg(s->start_ns <= (FLOOD_START + SEC) * 1000,
		      "raised %.3f s after the start",
		      (double)(s->start_ns - FLOOD_START * 1000) / 1e9);
	ck_assert_msg(e != NULL, "never ended");
	ck_assert_uint_eq(e->id, s->id);
	ck_assert_msg(e->ts_ns <= (FLOOD_END + 5 * SEC) * 1000 &&
		      e->end_ns <= (FLOOD_END + 2 * SEC) * 1000,
		      "ended %.3f s after the flood",
		      (double)(e->ts_ns - FLOOD_END * 1000) / 1e9);
	ck_assert_int_ge(e->end_ns, FLOOD_END * 1000 - 1000000000LL);
	ck_assert_uint_eq(dtw_count(&w, DE_START, -1) -
				  dtw_count(&w, DE_START, DV_SYN_COOKIES),
			  1);
	ck_assert(e->confidence > 0.5 && e->confidence < 1.0);
	ck_assert(e->detectors & DETECT_BY_THRESHOLD);
	return e;
}

START_TEST(detect_calls_a_flood_from_random_sources_spoofed)
{
	struct dtq q = { 0 };

	legit(&q, 0, RUN_END, 20, 80);
	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 500)
		dt_conn_half_open(&q, t, spoofed(), eph(), S_IP, 80, 1000,
				  false, 0);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *e = expect_flood(DV_SPOOFED_SYN_FLOOD,
						    S_IP, 80);
	ck_assert_uint_gt(e->sources, 5000);
	ck_assert_uint_ge(e->peak_half_open, 128);
	ck_assert(e->completion < 0.05);
	ck_assert(e->syn_rate > 1500.0);
	ck_assert(e->thresholds & DETECT_T_HALF_OPEN);
	ck_assert(!e->closed_port);
	ck_assert(e->detectors & DETECT_BY_CUSUM);
}
END_TEST

START_TEST(detect_calls_an_ipv6_flood_from_random_sources_spoofed)
{
	struct dtq q = { 0 };

	w.v6 = true;
	legit(&q, 0, RUN_END, 20, 443);
	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 500)
		dt_conn_half_open(&q, t, spoofed(), eph(), S_IP, 443, 1000,
				  false, 0);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *s = dtw_first(&w, DE_START, -1);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->verdict, DV_SPOOFED_SYN_FLOOD);
	ck_assert_uint_eq(s->dst.version, 6);
	ck_assert_uint_eq(s->dst.addr[0], 0x20);
	ck_assert_uint_eq(s->dst.addr[15], 1);
	ck_assert_uint_eq(s->dport, 443);
	ck_assert_uint_eq(dtw_count(&w, DE_END, DV_SPOOFED_SYN_FLOOD), 1);
}
END_TEST

START_TEST(detect_calls_a_flood_from_one_address_single_source)
{
	struct dtq q = { 0 };
	uint32_t src = DT_IP(203, 0, 113, 9);
	uint16_t port = 1024;

	legit(&q, 0, RUN_END, 20, 80);
	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 1000)
		dt_conn_half_open(&q, t, src, port++, S_IP, 80, 1000, false,
				  0);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *e = expect_flood(DV_SINGLE_SOURCE_FLOOD,
						    S_IP, 80);
	ck_assert_uint_ge(e->ntop, 1);
	ck_assert_uint_eq(dtw_addr(&e->top[0].addr), src);
	ck_assert_uint_ge(e->top[0].count, 4000);
}
END_TEST

START_TEST(detect_calls_rsts_answering_a_flood_a_flood_at_a_closed_port)
{
	struct dtq q = { 0 };

	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 1000)
		dt_conn_refused(&q, t, spoofed(), eph(), S_IP, 81, 500);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *e = expect_flood(DV_SPOOFED_SYN_FLOOD,
						    S_IP, 81);
	ck_assert(e->closed_port);
	ck_assert(e->thresholds & DETECT_T_REFUSED);
	ck_assert_uint_eq(e->peak_half_open, 0);
	ck_assert(e->completion == 0.0);
	ck_assert_uint_ge(e->rsts, 4000);
}
END_TEST

START_TEST(detect_calls_a_spread_over_ports_of_one_host_a_host_flood)
{
	struct dtq q = { 0 };
	uint32_t host = DT_IP(10, 0, 0, 2);

	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 1000)
		dt_conn_refused(&q, t, spoofed(), eph(), host,
				(uint16_t)(1 + dt_rand() % 60000), 500);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *e = expect_flood(DV_SPOOFED_SYN_FLOOD,
						    host, -1);
	ck_assert_uint_gt(e->ports, 500);
}
END_TEST

START_TEST(detect_calls_one_source_over_many_ports_a_scan_not_a_flood)
{
	struct dtq q = { 0 };
	uint32_t scanner = DT_IP(203, 0, 113, 50);

	legit(&q, 0, RUN_END, 20, 80);
	for (int p = 1; p <= 1000; p++) {
		int64_t t = FLOOD_START + p * 1000;
		uint16_t sp = 40000;
		if (p == 22 || p == 80) {
			dt_conn_half_open(&q, t, scanner, sp, S_IP,
					  (uint16_t)p, 500, true, 0);
		} else {
			dt_conn_refused(&q, t, scanner, sp, S_IP, (uint16_t)p,
					500);
		}
	}
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *s = dtw_first(&w, DE_START, DV_SYN_SCAN);
	const struct detect_alert *e = dtw_first(&w, DE_END, DV_SYN_SCAN);
	ck_assert_msg(s != NULL, "no scan alert");
	ck_assert_uint_eq(dtw_addr(&s->dst), S_IP);
	ck_assert(!s->has_port);
	ck_assert_uint_eq(dtw_addr(&s->top[0].addr), scanner);
	ck_assert_int_le(s->start_ns, (FLOOD_START + SEC) * 1000);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_gt(e->ports, 800);
	ck_assert_int_le(e->end_ns, (FLOOD_START + 2 * SEC) * 1000);
	ck_assert_uint_eq(dtw_floods(&w), 0);
}
END_TEST

START_TEST(detect_calls_unsolicited_syn_acks_backscatter_from_the_victim)
{
	struct dtq q = { 0 };
	uint32_t victim = DT_IP(203, 0, 113, 77);

	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 5000) {
		uint32_t to = DT_IP(10, 1, dt_rand() % 256, dt_rand() % 256);
		struct dt_pkt p = { t, K_SYNACK, victim, to, 80, eph(),
				    dt_rand(), dt_rand(), DT_MSS, 0, 0 };
		dtq_push(&q, &p);
		p.t_us += SEC;
		dtq_push(&q, &p);
		if (dt_rand() % 4 == 0) {
			struct dt_pkt r = { t + 1, K_RSTACK, victim, to, 81,
					    eph(), 0, dt_rand(), 0, 0, 0 };
			dtq_push(&q, &r);
		}
	}
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *s = dtw_first(&w, DE_START, DV_BACKSCATTER);
	const struct detect_alert *e = dtw_first(&w, DE_END, DV_BACKSCATTER);
	ck_assert_msg(s != NULL, "no backscatter alert");
	ck_assert_uint_eq(dtw_addr(&s->dst), victim);
	ck_assert(!s->has_port);
	ck_assert_uint_eq(dtw_count(&w, DE_START, DV_BACKSCATTER), 1);
	ck_assert_int_le(s->start_ns, (FLOOD_START + SEC) * 1000);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_gt(e->sources, 500);
	ck_assert_uint_gt(e->synacks, 500);
	ck_assert_uint_gt(e->rsts, 100);
	ck_assert_uint_eq(e->ports, 2);
	ck_assert_uint_eq(dtw_floods(&w), 0);
}
END_TEST

START_TEST(detect_raises_nothing_for_a_flash_crowd_that_completes)
{
	struct dtq q = { 0 };

	legit(&q, 0, RUN_END, 20, 80);
	for (int64_t t = FLOOD_START; t < FLOOD_START + 3 * SEC; t += 333)
		dt_conn_complete(&q, t, dt_rand(), eph(), S_IP, 80, 5000);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	ck_assert_uint_eq(w.records, 0);
}
END_TEST

/*
 * A slow server: it answers 40% of first SYNs; the others are resent
 * after 1 s (half of those answered) and 3 s (all answered).
 */
START_TEST(detect_raises_nothing_for_clients_resending_syns_to_a_slow_server)
{
	struct dtq q = { 0 };

	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 2500) {
		uint32_t c = dt_rand();
		uint16_t cp = eph();
		uint32_t ci = dt_rand(), si = dt_rand();
		unsigned r = dt_rand() % 10;
		int64_t answered = r < 4 ? t : r < 7 ? t + SEC : t + 3 * SEC;
		struct dt_pkt syn = { t, K_SYN, c, S_IP, cp, 80, ci, 0,
				      DT_MSS, 0, 0 };
		dtq_push(&q, &syn);
		for (int64_t at = t + SEC; at <= answered; at += 2 * SEC) {
			syn.t_us = at;
			dtq_push(&q, &syn);
		}
		struct dt_pkt sa = { answered + 20000, K_SYNACK, S_IP, c, 80,
				     cp, si, ci + 1, DT_MSS, 0, 0 };
		struct dt_pkt ack = { answered + 40000, K_ACK, c, S_IP, cp,
				      80, ci + 1, si + 1, 0, 0, 0 };
		dtq_push(&q, &sa);
		dtq_push(&q, &ack);
	}
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	ck_assert_uint_eq(dtw_floods(&w), 0);
}
END_TEST

START_TEST(detect_tells_syn_cookies_from_the_timestamp_encoding)
{
	struct dtq q = { 0 };

	legit(&q, 0, RUN_END, 20, 80);
	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 500)
		dt_conn_half_open(&q, t, spoofed(), eph(), S_IP, 80, 1000,
				  true, DT_MSS | DT_WS | DT_SACK | DT_TS);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *c = dtw_first(&w, DE_START, DV_SYN_COOKIES);
	ck_assert_msg(c != NULL, "no cookie alert");
	ck_assert_uint_eq(dtw_addr(&c->dst), S_IP);
	ck_assert_int_le(c->start_ns, (FLOOD_START + SEC) * 1000);
	ck_assert(c->confidence >= 0.9);
	ck_assert(c->thresholds & DETECT_T_COOKIES);
	expect_flood(DV_SPOOFED_SYN_FLOOD, S_IP, 80);
}
END_TEST

START_TEST(detect_tells_syn_cookies_from_syn_acks_losing_their_options)
{
	struct dtq q = { 0 };

	legit(&q, 0, RUN_END, 20, 80);  /* SYN-ACKs echo wscale and SACK */
	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 500)
		dt_conn_half_open(&q, t, spoofed(), eph(), S_IP, 80, 1000,
				  true, DT_MSS | DT_WS | DT_SACK);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *c = dtw_first(&w, DE_START, DV_SYN_COOKIES);
	ck_assert_msg(c != NULL, "no cookie alert");
	ck_assert(c->confidence >= 0.8);
}
END_TEST

START_TEST(detect_tells_syn_cookies_from_syn_acks_never_resent)
{
	struct dtq q = { 0 };

	legit(&q, 0, RUN_END, 20, 80);
	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 500)
		dt_conn_half_open(&q, t, spoofed(), eph(), S_IP, 80, 1000,
				  true, 0);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *c = dtw_first(&w, DE_START, DV_SYN_COOKIES);
	ck_assert_msg(c != NULL, "no cookie alert");
	ck_assert(c->confidence >= 0.6);
}
END_TEST

START_TEST(detect_sees_no_cookies_at_a_server_that_resends_its_syn_acks)
{
	struct dtq q = { 0 };

	legit(&q, 0, RUN_END, 20, 80);
	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 500)
		dt_conn_half_open(&q, t, spoofed(), eph(), S_IP, 80, 1000,
				  false, DT_MSS | DT_WS | DT_SACK | DT_TS);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	ck_assert_uint_eq(dtw_count(&w, -1, DV_SYN_COOKIES), 0);
	expect_flood(DV_SPOOFED_SYN_FLOOD, S_IP, 80);
}
END_TEST

/* A server without cookies drops SYNs once its queue is full. */
START_TEST(detect_calls_a_flood_the_server_stops_answering_a_flood)
{
	struct dtq q = { 0 };
	int answered = 0;

	legit(&q, 0, FLOOD_START, 20, 80);
	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 500) {
		if (answered++ < 128)
			dt_conn_half_open(&q, t, spoofed(), eph(), S_IP, 80,
					  1000, false, 0);
		else
			dt_syn_only(&q, t, spoofed(), eph(), S_IP, 80, 0);
	}
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *e = expect_flood(DV_SPOOFED_SYN_FLOOD,
						    S_IP, 80);
	ck_assert(e->thresholds & DETECT_T_UNANSWERED);
	ck_assert_uint_eq(dtw_count(&w, -1, DV_SYN_COOKIES), 0);
}
END_TEST

START_TEST(detect_ends_an_alert_on_a_quiet_clock_and_sends_updates)
{
	struct dtq q = { 0 };
	int64_t end = FLOOD_START + 20 * SEC;

	for (int64_t t = FLOOD_START; t < end; t += 1000)
		dt_conn_refused(&q, t, spoofed(), eph(), S_IP, 81, 500);
	dtq_run(&q, &w);
	ck_assert_uint_eq(dtw_count(&w, DE_START, -1), 1);
	ck_assert_uint_eq(dtw_count(&w, DE_END, -1), 0);
	/* updates every 5 s while it lasts */
	unsigned updates = dtw_count(&w, DE_UPDATE, -1);
	ck_assert_msg(updates >= 3 && updates <= 4, "%u updates", updates);
	/* nothing more arrives: the clock alone ends it */
	for (int64_t t = end; t < end + 10 * SEC; t += SEC / 2)
		detect_tick(w.d, t * 1000);
	const struct detect_alert *e = dtw_first(&w, DE_END, -1);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_le(e->ts_ns, (end + 4 * SEC) * 1000);
	ck_assert_int_le(e->end_ns, (end + SEC + SEC / 10) * 1000);
	struct detect_stats st;
	detect_stats(w.d, &st);
	ck_assert_uint_eq(st.alerts, 1);
	ck_assert_uint_eq(st.active, 0);
	struct detect_alert list[4];
	ck_assert_uint_eq(detect_alerts(w.d, list, 4), 1);
	ck_assert_uint_eq(list[0].event, DE_END);
}
END_TEST

START_TEST(detect_finish_ends_every_open_alert)
{
	struct dtq q = { 0 };

	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 1000)
		dt_conn_refused(&q, t, spoofed(), eph(), S_IP, 81, 500);
	dtq_run(&q, &w);
	struct detect_alert list[4];
	ck_assert_uint_eq(detect_alerts(w.d, list, 4), 1);
	ck_assert_uint_eq(list[0].event, DE_START);
	detect_finish(w.d, FLOOD_END * 1000);
	const struct detect_alert *e = dtw_first(&w, DE_END, -1);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->ts_ns, FLOOD_END * 1000);
	ck_assert_int_eq(e->end_ns, FLOOD_END * 1000);
}
END_TEST

/* Each flood detector alone (--detector): the one left raises the same
 * flood, and every record names it and it only. */
static const unsigned lone_detector[] = { DETECT_BY_THRESHOLD,
					  DETECT_BY_CUSUM };

START_TEST(detect_raises_a_flood_with_either_detector_alone_naming_only_it)
{
	unsigned only = lone_detector[_i];
	struct detect_config c;
	struct dtq q = { 0 };

	dtw_free(&w);
	detect_config_default(&c);
	c.fixed_seed = true;
	c.seed = 42;
	c.detectors = only;
	dtw_init(&w, &c);
	legit(&q, 0, RUN_END, 20, 80);
	for (int64_t t = FLOOD_START; t < FLOOD_END; t += 500)
		dt_conn_half_open(&q, t, spoofed(), eph(), S_IP, 80, 1000,
				  false, 0);
	dtq_run(&q, &w);
	dtw_finish(&w, RUN_END);
	const struct detect_alert *s = dtw_first(&w, DE_START,
						 DV_SPOOFED_SYN_FLOOD);
	ck_assert_msg(s != NULL, "%s alone raised no flood",
		      detect_detector_name(only == DETECT_BY_CUSUM));
	ck_assert_uint_eq(dtw_addr(&s->dst), S_IP);
	ck_assert_uint_eq(s->dport, 80);
	ck_assert_msg(s->start_ns <= (FLOOD_START + SEC) * 1000,
		      "raised %.3f s after the start",
		      (double)(s->start_ns - FLOOD_START * 1000) / 1e9);
	ck_assert_uint_eq(dtw_count(&w, DE_END, DV_SPOOFED_SYN_FLOOD), 1);
	ck_assert_uint_eq(dtw_floods(&w), dtw_count(&w, -1,
						    DV_SPOOFED_SYN_FLOOD));
	for (unsigned i = 0; i < w.n; i++) {
		const struct detect_alert *a = &w.a[i];
		if (a->verdict != DV_SPOOFED_SYN_FLOOD)
			continue;
		ck_assert_uint_eq(a->detectors, only);
		ck_assert_uint_eq(!!(a->thresholds & DETECT_T_CUSUM),
				  only == DETECT_BY_CUSUM);
	}
}
END_TEST

START_TEST(detect_create_refuses_a_detector_it_does_not_know)
{
	struct detect_config c;

	detect_config_default(&c);
	c.detectors = 0x4u;
	ck_assert_ptr_null(detect_create(&c));
}
END_TEST

static Suite *verdict_suite(void)
{
	Suite *s = suite_create("detect_verdicts");
	TCase *tf = tcase_create("floods");
	TCase *to = tcase_create("others");
	TCase *tb = tcase_create("benign");
	TCase *tl = tcase_create("lifecycle");
	TCase *all[] = { tf, to, tb, tl };

	tcase_add_test(tf, detect_calls_a_flood_from_random_sources_spoofed);
	tcase_add_test(tf, detect_calls_an_ipv6_flood_from_random_sources_spoofed);
	tcase_add_test(tf, detect_calls_a_flood_from_one_address_single_source);
	tcase_add_test(tf,
		detect_calls_rsts_answering_a_flood_a_flood_at_a_closed_port);
	tcase_add_test(tf,
		detect_calls_a_spread_over_ports_of_one_host_a_host_flood);
	tcase_add_test(tf,
		detect_calls_a_flood_the_server_stops_answering_a_flood);
	tcase_add_loop_test(tf,
		detect_raises_a_flood_with_either_detector_alone_naming_only_it,
		0, sizeof(lone_detector) / sizeof(lone_detector[0]));
	tcase_add_test(tl, detect_create_refuses_a_detector_it_does_not_know);
	tcase_add_test(to,
		detect_calls_one_source_over_many_ports_a_scan_not_a_flood);
	tcase_add_test(to,
		detect_calls_unsolicited_syn_acks_backscatter_from_the_victim);
	tcase_add_test(to, detect_tells_syn_cookies_from_the_timestamp_encoding);
	tcase_add_test(to,
		detect_tells_syn_cookies_from_syn_acks_losing_their_options);
	tcase_add_test(to, detect_tells_syn_cookies_from_syn_acks_never_resent);
	tcase_add_test(to,
		detect_sees_no_cookies_at_a_server_that_resends_its_syn_acks);
	tcase_add_test(tb, detect_raises_nothing_for_a_flash_crowd_that_completes);
	tcase_add_test(tb,
		detect_raises_nothing_for_clients_resending_syns_to_a_slow_server);
	tcase_add_test(tl,
		detect_ends_an_alert_on_a_quiet_clock_and_sends_updates);
	tcase_add_test(tl, detect_finish_ends_every_open_alert);
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		tcase_set_timeout(all[i], 60);
		suite_add_tcase(s, all[i]);
	}
	return s;
}

int main(void)
{
	return frames_run(verdict_suite());
}
