/*
 * The threaded table (flow_config.threaded) against the synchronous one:
 * the same traffic, with expiries, evictions and refusals, must give the
 * observer and the subscribers the same calls in the same order with the
 * same records, only on the worker's thread.
 */
#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flowtest.h"
#include "frames.h"

/* One call the table made: an observed segment or an event. */
struct call {
	bool observed;
	bool clocked;           /* only the time of a segment */
	int64_t ts_ns;
	uint32_t seq, ack;
	uint16_t flags, sport, dport;
	uint8_t src0, dst0;
	enum flow_event_type type;
	enum flow_side from;
	uint64_t id;
	uint64_t pkts[2], bytes[2];
	enum zeek_state conn_state;
	enum handshake_outcome hs;
	char history[FLOW_HISTORY_MAX];
};

#define CALLS_MAX 200000

struct log {
	struct call *c;
	size_t n;
	bool overflow;
	bool off_thread;        /* some call came on another thread */
	pthread_t feeder;
};

static struct call *next_call(struct log *l)
{
	if (!pthread_equal(pthread_self(), l->feeder))
		l->off_thread = true;
	if (l->n == CALLS_MAX) {
		l->overflow = true;
		return NULL;
	}
	struct call *c = &l->c[l->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

static void on_segment(void *ctx, const struct flow_segment *s)
{
	struct call *c = next_call(ctx);

	if (!c)
		return;
	c->observed = true;
	c->ts_ns = s->ts_ns;
	c->seq = s->seq;
	c->ack = s->ack;
	c->flags = s->flags;
	c->sport = s->sport;
	c->dport = s->dport;
	c->src0 = s->src[3];
	c->dst0 = s->dst[3];
}

static void on_clock(void *ctx, int64_t ts_ns)
{
	struct call *c = next_call(ctx);

	if (!c)
		return;
	c->clocked = true;
	c->ts_ns = ts_ns;
}

static void on_event(void *ctx, const struct flow_event *ev)
{
	const struct conn_record *r = ev->conn;
	struct call *c = next_call(ctx);

	if (!c)
		return;
	c->type = ev->type;
	c->ts_ns = ev->ts_ns;
	c->from = ev->from;
	c->id = r->id;
	c->pkts[0] = r->orig.pkts;
	c->pkts[1] = r->resp.pkts;
	c->bytes[0] = r->orig.bytes;
	c->bytes[1] = r->resp.bytes;
	c->conn_state = r->conn_state;
	c->hs = r->handshake;
	memcpy(c->history, r->history, sizeof(c->history));
}

/* xorshift: the same traffic for both tables */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * A few thousand connections over a 64-flow table, a dozen open at a
 * time: some complete and close, some are reset, some stay unanswered
 * (a SYN flood's worth, past the half-open cap), some go quiet long
 * enough to time out. Each step sends the next segment of one of them.
 */
#define CONNS 3000
#define OPEN_AT_ONCE 12

struct script {
	uint16_t cport;
	uint32_t isn_c, isn_s;
	uint8_t kind;           /* 0 close, 1 reset, 2 unanswered, 3 idle */
	uint8_t step;
};

static bool next_seg(struct script *s, int64_t t_us, struct seg *out)
{
	static const struct seg close_rows[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(0, '<', F_SA, 0, 1, 0, 2000),
		SEG(0, '>', F_A, 1, 1, 0, 1000),
		SEG(0, '>', F_PA, 1, 1, 100, 1000),
		SEG(0, '<', F_PA, 1, 101, 300, 2000),
		SEG(0, '>', F_FA, 101, 301, 0, 1000),
		SEG(0, '<', F_FA, 301, 102, 0, 2000),
		SEG(0, '>', F_A, 102, 302, 0, 1000),
	};
	static const struct seg reset_rows[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(0, '<', F_SA, 0, 1, 0, 2000),
		SEG(0, '>', F_A, 1, 1, 0, 1000),
		SEG(0, '>', F_PA, 1, 1, 50, 1000),
		SEG(0, '<', F_RA, 1, 51, 0, 0),
	};
	static const struct seg syn_rows[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
	};
	static const struct seg idle_rows[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(0, '<', F_SA, 0, 1, 0, 2000),
		SEG(0, '>', F_A, 1, 1, 0, 1000),
		SEG(0, '>', F_PA, 1, 1, 10, 1000),
	};
	static const struct {
		const struct seg *rows;
		unsigned n;
	} kinds[] = {
		{ close_rows, NSEGS(close_rows) },
		{ reset_rows, NSEGS(reset_rows) },
		{ syn_rows, NSEGS(syn_rows) },
		{ idle_rows, NSEGS(idle_rows) },
	};

	if (s->step >= kinds[s->kind].n)
		return false;
	*out = kinds[s->kind].rows[s->step++];
	out->t_us = t_us;
	return true;
}

static void run_traffic(struct flow_table *t)
{
	struct script open[OPEN_AT_ONCE];
	uint32_t r = 2463534242u;
	unsigned started = 0;
	int64_t t_us = 0;

	memset(open, 0, sizeof(open));
	for (unsigned i = 0; i < OPEN_AT_ONCE; i++)
		open[i].step = 255;     /* done: replaced at once */
	for (;;) {
		unsigned i = rnd(&r) % OPEN_AT_ONCE;
		struct script *s = &open[i];
		struct seg row;

		if (!next_seg(s, t_us, &row)) {
			if (started == CONNS)
				break;
			s->cport = (uint16_t)(1024 + started);
			s->isn_c = rnd(&r);
			s->isn_s = rnd(&r);
			s->kind = (uint8_t)(rnd(&r) % 4);
			s->step = 0;
			started++;
			continue;
		}
		/* now and then a pause past the SYN and idle timeouts */
		t_us += rnd(&r) % 500 == 0 ? 30000000 : rnd(&r) % 2000;

		uint8_t buf[FRAME_MAX];
		struct decoded_packet p;
		size_t n = ft_frame(&row, 4, s->cport, s->isn_c, s->isn_s,
				    (uint16_t)rnd(&r), buf, sizeof(buf));
		ck_assert_int_eq(decode_packet(buf, (uint32_t)n, (uint32_t)n,
					       DECODE_LINK_RAW_LT, &p),
				 DECODE_TCP);
		flow_table_packet(t, &p, t_us * 1000);
	}
	flow_table_finish(t, t_us * 1000);
}

/* `only`: the observer takes these flags' segments, the clock the rest
 * (flow_table_observe_some); 0: it takes every segment */
static void run_table(bool threaded, uint16_t only, struct log *l,
		      struct flow_table_stats *st)
{
	struct flow_config c;
	struct flow_table *t;

	flow_config_default(&c);
	c.max_flows = 64;
	c.max_half_open = 16;
	c.fixed_seed = true;
	c.seed = 7;
	c.threaded = threaded;
	t = flow_table_create(&c);
	ck_assert_ptr_nonnull(t);
	if (only)
		ck_assert_int_eq(flow_table_observe_some(t, on_segment, only,
							 on_clock, l), 0);
	else
		ck_assert_int_eq(flow_table_observe(t, on_segment, l), 0);
	ck_assert_int_eq(flow_table_subscribe(t, on_event, l), 0);
	l->c = calloc(CALLS_MAX, sizeof(*l->c));
	ck_assert_ptr_nonnull(l->c);
	l->feeder = pthread_self();
	run_traffic(t);
	flow_table_stats(t, st);
	flow_table_destroy(t);
}

START_TEST(flow_threaded_table_makes_the_same_calls_in_the_same_order)
{
	struct log sync = { 0 }, thr = { 0 };
	struct flow_table_stats ss, ts;

	run_table(false, 0, &sync, &ss);
	run_table(true, 0, &thr, &ts);
	ck_assert(!sync.overflow && !thr.overflow);
	/* the traffic reaches every path: expiry, eviction, refusal */
	ck_assert_uint_gt(ss.expired, 0);
	ck_assert_uint_gt(ss.evicted, 0);
	ck_assert_uint_gt(ss.refused, 0);
	ck_assert_uint_eq(ss.created, ts.created);
	ck_assert_uint_eq(ss.expired, ts.expired);
	ck_assert_uint_eq(ss.evicted, ts.evicted);
	ck_assert_uint_eq(ss.refused, ts.refused);
	ck_assert_uint_eq(sync.n, thr.n);
	for (size_t i = 0; i < sync.n; i++)
		ck_assert_msg(memcmp(&sync.c[i], &thr.c[i],
				     sizeof(sync.c[i])) == 0,
			      "call %zu of %zu differs", i, sync.n);
	ck_assert(!sync.off_thread);
	ck_assert(thr.off_thread);
	free(sync.c);
	free(thr.c);
}
END_TEST

/*
 * Observing some segments, the observer gets just those and the clock
 * the time of the others, in the order of every call, threaded or not.
 */
START_TEST(flow_observer_of_some_segments_keeps_time_by_the_others)
{
	const uint16_t only = TCP_SYN | TCP_RST;
	struct log all = { 0 }, some[2] = { { 0 }, { 0 } };
	struct flow_table_stats st;
	size_t clocked = 0;

	run_table(false, 0, &all, &st);
	for (size_t i = 0; i < all.n; i++) {
		struct call *c = &all.c[i];

		if (c->observed && !(c->flags & only)) {
			int64_t ts = c->ts_ns;

			memset(c, 0, sizeof(*c));
			c->clocked = true;
			c->ts_ns = ts;
			clocked++;
		}
	}
	ck_assert_uint_gt(clocked, all.n / 4);
	for (int threaded = 0; threaded < 2; threaded++) {
		struct log *l = &some[threaded];

		run_table(threaded, only, l, &st);
		ck_assert(!l->overflow);
		ck_assert_uint_eq(l->n, all.n);
		for (size_t i = 0; i < all.n; i++)
			ck_assert_msg(memcmp(&all.c[i], &l->c[i],
					     sizeof(all.c[i])) == 0,
				      "call %zu of %zu differs (threaded %d)",
				      i, all.n, threaded);
		free(l->c);
	}
	free(all.c);
	/* a filter needs a clock */
	struct flow_table *t = flow_table_create(&ft.cfg);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(flow_table_observe_some(t, on_segment, only, NULL,
						 NULL), -1);
	flow_table_destroy(t);
}
END_TEST

START_TEST(flow_observer_sees_the_segments_the_table_refuses)
{
	struct seg syn = SEG(0, '>', F_S, 0, 0, 0, 1000);
	struct log l = { 0 };
	struct flow_table_stats st;
	struct flow_config c = ft.cfg;

	c.max_half_open = 0;    /* every SYN refused */
	ft_recreate(&c);
	l.c = calloc(CALLS_MAX, sizeof(*l.c));
	ck_assert_ptr_nonnull(l.c);
	l.feeder = pthread_self();
	ck_assert_int_eq(flow_table_observe(ft.t, on_segment, &l), 0);
	ck_assert_int_eq(flow_table_observe(ft.t, on_segment, &l), -1);
	for (int i = 0; i < 5; i++) {
		ft.cport = (uint16_t)(2000 + i);
		ft_feed(&syn);
	}
	flow_table_stats(ft.t, &st);
	ck_assert_uint_eq(st.refused, 5);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_uint_eq(l.c[4].sport, 2004);
	ck_assert_uint_eq(l.c[4].dport, 80);
	ck_assert_uint_eq(l.c[4].src0, 1);      /* 192.0.2.1 */
	ck_assert_uint_eq(l.c[4].dst0, 2);      /* 198.51.100.2 */
	ck_assert_uint_eq(l.c[4].seq, ISN_C);
	free(l.c);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		flow_observer_sees_the_segments_the_table_refuses,
		flow_observer_of_some_segments_keeps_time_by_the_others,
	};
	Suite *s = suite_create("flow_worker");
	TCase *tw = tcase_create("threaded");
	TCase *to = tcase_create("observer");

	/* thousands of connections, twice: a minute under valgrind */
	tcase_set_timeout(tw, 120);
	tcase_add_test(tw,
		       flow_threaded_table_makes_the_same_calls_in_the_same_order);
	suite_add_tcase(s, tw);
	ft_add_tests(to, tests, NSEGS(tests));
	suite_add_tcase(s, to);
	return frames_run(s);
}
