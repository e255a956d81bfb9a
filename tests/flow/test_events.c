/*
 * Events: each fires once, at the packet (or the packet time) that causes
 * it, from the side that sent it; CLOSED comes exactly once per
 * connection, last.
 */
#include <check.h>
#include <string.h>

#include "flowtest.h"
#include "frames.h"

struct want {
	enum flow_event_type type;
	int64_t ts_us;
	enum flow_side from;
};

static const struct seg normal_close[] = {
	HANDSHAKE,
	SEG(11000, '>', F_PA, 1, 1, 100, 1000),
	SEG(21000, '<', F_A, 1, 101, 0, 2000),
	SEG(30000, '>', F_FA, 101, 1, 0, 1000),
	SEG(40000, '<', F_FA, 1, 102, 0, 2000),
	SEG(41000, '>', F_A, 102, 2, 0, 1000),
};

/* The recorded events are exactly `w`, in order. */
static void expect_events(const struct want *w, unsigned n)
{
	ck_assert_uint_eq(ft.nev, n);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_msg(ft.ev[i].type == w[i].type, "event %u is %s", i,
			      flow_event_name(ft.ev[i].type));
		ck_assert_int_eq(ft.ev[i].ts_ns, w[i].ts_us * 1000);
		ck_assert_int_eq(ft.ev[i].from, w[i].from);
	}
}

START_TEST(flow_fires_the_events_of_a_normal_connection_once_in_order)
{
	static const struct want w[] = {
		{ FLOW_EV_SYN, 0, SIDE_ORIG },
		{ FLOW_EV_SYNACK, 10000, SIDE_RESP },
		{ FLOW_EV_ESTABLISHED, 10100, SIDE_ORIG },
		{ FLOW_EV_FIN, 30000, SIDE_ORIG },
		{ FLOW_EV_FIN, 40000, SIDE_RESP },
		{ FLOW_EV_CLOSED, 41000, SIDE_NONE },
	};

	ft_run(normal_close, NSEGS(normal_close), 0);
	expect_events(w, NSEGS(w));
}
END_TEST

START_TEST(flow_fires_rst_then_refused_for_a_refused_syn)
{
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(1000, '<', F_RA, 0, 1, 0, 0),
	};
	static const struct want w[] = {
		{ FLOW_EV_SYN, 0, SIDE_ORIG },
		{ FLOW_EV_RST, 1000, SIDE_RESP },
		{ FLOW_EV_REFUSED, 1000, SIDE_RESP },
		{ FLOW_EV_CLOSED, 1000, SIDE_NONE },
	};

	ft_run(s, NSEGS(s), 0);
	expect_events(w, NSEGS(w));
}
END_TEST

START_TEST(flow_fires_timeout_when_finish_finds_a_syn_unanswered)
{
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(1000000, '>', F_S, 0, 0, 0, 1000),
	};
	static const struct want w[] = {
		{ FLOW_EV_SYN, 0, SIDE_ORIG },
		{ FLOW_EV_TIMEOUT, 9000000, SIDE_NONE },
		{ FLOW_EV_CLOSED, 9000000, SIDE_NONE },
	};

	ft_run(s, NSEGS(s), 9000000);
	expect_events(w, NSEGS(w));
	ck_assert_int_eq(ft.ev[1].hs, HS_UNANSWERED);
}
END_TEST

START_TEST(flow_fires_timeouts_on_packet_time)
{
	struct seg syn = SEG(0, '>', F_S, 0, 0, 0, 1000);

	ft_feed(&syn);
	ft.cport = 41000;
	syn.t_us = 4900000;
	ft_feed(&syn);
	ck_assert_uint_eq(ft_events(FLOW_EV_TIMEOUT, 0), 0);
	ft.cport = 42000;
	syn.t_us = 5100001;
	ft_feed(&syn);
	ck_assert_uint_eq(ft_events(FLOW_EV_TIMEOUT, 1), 1);
	ck_assert_uint_eq(ft_events(FLOW_EV_TIMEOUT, 2), 0);
	ck_assert_int_eq(ft.ev[ft_event_index(FLOW_EV_TIMEOUT, 1)].ts_ns,
			 INT64_C(5100001000));
	/* the timeout comes before the event of the packet that caused it */
	ck_assert_int_lt(ft_event_index(FLOW_EV_CLOSED, 1),
			 ft_event_index(FLOW_EV_SYN, 3));
}
END_TEST

START_TEST(flow_fires_one_rst_event_per_side)
{
	static const struct seg s[] = {
		HANDSHAKE,
		SEG(20000, '>', F_RA, 1, 1, 0, 0),
		SEG(20001, '>', F_RA, 1, 1, 0, 0),
		SEG(20002, '<', F_R, 1, 0, 0, 0),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft_events(FLOW_EV_RST, 0), 2);
	ck_assert_int_eq(ft.ev[ft_event_index(FLOW_EV_RST, 0)].from,
			 SIDE_ORIG);
	ck_assert_uint_eq(ft_events(FLOW_EV_CLOSED, 0), 1);
}
END_TEST

START_TEST(flow_fires_one_fin_event_per_side_despite_resends)
{
	struct seg s[NSEGS(normal_close) + 1];

	memcpy(s, normal_close, sizeof(normal_close));
	s[NSEGS(normal_close)] =
		(struct seg)SEG(500000, '>', F_FA, 101, 2, 0, 1000);
	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft_events(FLOW_EV_FIN, 0), 2);
}
END_TEST

START_TEST(flow_fires_evicted_then_closed_for_an_evicted_connection)
{
	struct seg syn = SEG(0, '>', F_S, 0, 0, 0, 1000);
	int ev, cl;

	for (uint16_t i = 0; i < 17; i++) {
		ft.cport = (uint16_t)(41000 + i);
		syn.t_us = i;
		ft_feed(&syn);
	}
	ev = ft_event_index(FLOW_EV_EVICTED, 1);
	cl = ft_event_index(FLOW_EV_CLOSED, 1);
	ck_assert_int_ge(ev, 0);
	ck_assert_int_eq(cl, ev + 1);
	ck_assert_uint_eq(ft_events(FLOW_EV_EVICTED, 0), 1);
	ck_assert_uint_eq(ft_events(FLOW_EV_CLOSED, 0), 1);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_EVICTED);
}
END_TEST

START_TEST(flow_fires_established_once_for_a_simultaneous_open)
{
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(100, '<', F_S, 0, 0, 0, 2000),
		SEG(200, '>', F_SA, 0, 1, 0, 1000),
		SEG(300, '<', F_SA, 0, 1, 0, 2000),
		SEG(400, '>', F_A, 1, 1, 0, 1000),
	};

	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft_events(FLOW_EV_ESTABLISHED, 0), 1);
	ck_assert_int_eq(ft.ev[ft_event_index(FLOW_EV_ESTABLISHED, 0)].ts_ns,
			 300000);
	ck_assert_uint_eq(ft_events(FLOW_EV_SYN, 0), 1);
}
END_TEST

START_TEST(flow_shows_the_record_as_of_the_event)
{
	ft_run(normal_close, NSEGS(normal_close), 0);
	ck_assert_int_eq(ft.ev[ft_event_index(FLOW_EV_SYN, 1)].hs, HS_PENDING);
	ck_assert_int_eq(ft.ev[ft_event_index(FLOW_EV_ESTABLISHED, 1)].hs,
			 HS_ESTABLISHED);
}
END_TEST

/* A mixed run: reuse, timeouts, evictions, refusals and finish. */
START_TEST(flow_closes_every_connection_exactly_once)
{
	struct seg syn = SEG(0, '>', F_S, 0, 0, 0, 1000);
	struct flow_table_stats st;
	unsigned closed[128] = { 0 };

	ft_run(normal_close, NSEGS(normal_close), -1);      /* no finish */
	for (uint16_t i = 0; i < 40; i++) {
		ft.cport = (uint16_t)(41000 + i % 25);
		syn.t_us = 100000 + i * 100000;
		syn.seq = i;            /* new ISNs: reuse on the repeats */
		ft_feed(&syn);
	}
	ft.cport = 0;
	syn.seq = 5000;
	ft_feed(&syn);                  /* reuses the closed tuple */
	flow_table_finish(ft.t, INT64_C(60000000000));
	flow_table_stats(ft.t, &st);
	ck_assert_uint_gt(st.reused, 0);
	ck_assert_uint_gt(st.evicted + st.expired, 0);
	ck_assert_uint_eq(st.active, 0);
	ck_assert_uint_eq(ft.closed_total, st.created);
	for (unsigned i = 0; i < ft.nev; i++)
		if (ft.ev[i].type == FLOW_EV_CLOSED)
			closed[ft.ev[i].id]++;
	for (uint64_t id = 1; id <= st.created; id++)
		ck_assert_msg(closed[id] == 1, "id %u closed %u times",
			      (unsigned)id, closed[id]);
}
END_TEST

static unsigned second_count;

static void second_subscriber(void *ctx, const struct flow_event *ev)
{
	(void)ctx;
	if (ev->type == FLOW_EV_CLOSED)
		second_count++;
}

START_TEST(flow_delivers_each_event_to_every_subscriber)
{
	second_count = 0;
	ck_assert_int_eq(flow_table_subscribe(ft.t, second_subscriber, NULL),
			 0);
	ft_run(normal_close, NSEGS(normal_close), 0);
	ck_assert_uint_eq(second_count, 1);
	ck_assert_uint_eq(ft_events(FLOW_EV_CLOSED, 0), 1);
}
END_TEST

static Suite *events_suite(void)
{
	const TTest *const tests[] = {
		flow_fires_the_events_of_a_normal_connection_once_in_order,
		flow_fires_rst_then_refused_for_a_refused_syn,
		flow_fires_timeout_when_finish_finds_a_syn_unanswered,
		flow_fires_timeouts_on_packet_time,
		flow_fires_one_rst_event_per_side,
		flow_fires_one_fin_event_per_side_despite_resends,
		flow_fires_evicted_then_closed_for_an_evicted_connection,
		flow_fires_established_once_for_a_simultaneous_open,
		flow_shows_the_record_as_of_the_event,
		flow_closes_every_connection_exactly_once,
		flow_delivers_each_event_to_every_subscriber,
	};
	Suite *s = suite_create("flow_events");
	TCase *tc = tcase_create("events");

	ft_add_tests(tc, tests, NSEGS(tests));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return frames_run(events_suite());
}
