/*
 * Snapshots: the rows copied from the table and the closed ring, their
 * sorting by every column and filtering, the per-state counts and the
 * servers aggregation.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "model.h"
#include "tuitest.h"

#define MS INT64_C(1000000)

static struct tui_model *m;
static struct tui_snap *snap;

static void setup(void)
{
	tt_setup(&m, &snap);
}

static void teardown(void)
{
	tt_teardown(&m, &snap);
}

/* A closed connection handed to the model as the table would. */
static void closed(uint64_t id, uint8_t client_last, uint16_t sport,
		   uint8_t server_last, uint16_t dport,
		   void (*tweak)(struct conn_record *c))
{
	struct conn_record c = tt_conn4(id, TT_IP(192, 0, 2, client_last),
					sport, TT_IP(198, 51, 100, server_last),
					dport);
	struct flow_event ev = { .type = FLOW_EV_CLOSED, .conn = &c };

	c.first_ns = (int64_t)id * MS;
	c.last_ns = (int64_t)id * 2 * MS;
	c.irtt_ns = -1;
	c.handshake = HS_ESTABLISHED;
	c.conn_state = ZK_SF;
	c.orig.state = EP_TIME_WAIT;
	c.resp.state = EP_CLOSED;
	if (tweak)
		tweak(&c);
	ev.ts_ns = c.last_ns;
	tui_model_flow_event(m, &ev);
}

static void busy(struct conn_record *c)
{
	c->orig.pkts = 30;
	c->resp.bytes = 5;
	c->irtt_ns = 3 * MS;
}

static void rejected(struct conn_record *c)
{
	c->handshake = HS_REFUSED;
	c->conn_state = ZK_REJ;
	c->rst_by = SIDE_RESP;
	c->orig.pkts = 1;
	c->orig.state = EP_CLOSED;
}

static void slow(struct conn_record *c)
{
	c->orig.pkts = 20;
	c->resp.bytes = 500;
	c->irtt_ns = 30 * MS;
	c->orig.analysis[AN_RETRANS] = 2;
}

static void three_rows(void)
{
	closed(1, 9, 40000, 2, 80, busy);
	closed(2, 1, 40001, 2, 81, rejected);
	closed(3, 5, 40002, 3, 443, slow);
	ck_assert_int_eq(tui_snap_take(snap, m, ft.t), 0);
}

static void order_is(enum tui_col col, bool reverse, uint64_t a, uint64_t b,
		     uint64_t c)
{
	struct tui_query q = { .sort = col, .reverse = reverse };

	tui_snap_select(snap, &q);
	ck_assert_uint_eq(snap->norder, 3);
	uint64_t got[3] = {
		snap->rows[snap->order[0]].rec.id,
		snap->rows[snap->order[1]].rec.id,
		snap->rows[snap->order[2]].rec.id,
	};
	ck_assert_msg(got[0] == a && got[1] == b && got[2] == c,
		      "%s%s: %llu %llu %llu", tui_col_name(col),
		      reverse ? " reversed" : "", (unsigned long long)got[0],
		      (unsigned long long)got[1], (unsigned long long)got[2]);
}

START_TEST(snap_sorts_text_columns_up_and_numbers_down)
{
	three_rows();
	order_is(TC_ID, false, 1, 2, 3);
	order_is(TC_ID, true, 3, 2, 1);
	order_is(TC_CLIENT, false, 2, 3, 1);    /* .1 .5 .9 */
	order_is(TC_SERVER, false, 1, 2, 3);    /* .2:80 .2:81 .3:443 */
	order_is(TC_CONN, false, 2, 1, 3);      /* REJ SF SF */
	order_is(TC_PKTS_CS, false, 1, 3, 2);   /* 30 20 1 */
	order_is(TC_PKTS_CS, true, 2, 3, 1);
	order_is(TC_BYTES_SC, false, 3, 1, 2);  /* 500 5 0 */
	order_is(TC_RTT, false, 3, 1, 2);       /* 30ms 3ms - */
	order_is(TC_RTX, false, 3, 1, 2);       /* 2, then ties by id */
	order_is(TC_FLAGS, false, 3, 2, 1);     /* 2 retrans, an RST, none */
	order_is(TC_CSTATE, false, 1, 3, 2);    /* TIME-WAIT < CLOSED */
}
END_TEST

START_TEST(snap_sorts_age_and_idle_oldest_first)
{
	three_rows();
	snap->now_ns = 100 * MS;
	order_is(TC_AGE, false, 1, 2, 3);       /* first_ns 1 2 3 ms */
	order_is(TC_IDLE, false, 1, 2, 3);      /* last_ns 2 4 6 ms */
	order_is(TC_AGE, true, 3, 2, 1);
}
END_TEST

START_TEST(snap_every_column_sorts_without_losing_rows)
{
	three_rows();
	for (int c = 0; c < TC__COUNT; c++) {
		for (int r = 0; r < 2; r++) {
			struct tui_query q = { .sort = (enum tui_col)c,
					       .reverse = r };
			uint64_t sum = 0;

			tui_snap_select(snap, &q);
			ck_assert_uint_eq(snap->norder, 3);
			for (size_t i = 0; i < 3; i++)
				sum += snap->rows[snap->order[i]].rec.id;
			ck_assert_uint_eq(sum, 6);
			ck_assert_str_ne(tui_col_name((enum tui_col)c), "?");
		}
	}
}
END_TEST

START_TEST(snap_selects_what_the_filter_lets_through)
{
	struct tui_filter f;
	char err[128];
	struct tui_query q = { .filter = &f, .sort = TC_ID };

	three_rows();
	ck_assert_int_eq(tui_filter_parse("conn:REJ", &f, err, sizeof(err)),
			 0);
	tui_snap_select(snap, &q);
	ck_assert_uint_eq(snap->norder, 1);
	ck_assert_uint_eq(snap->rows[snap->order[0]].rec.id, 2);
	ck_assert_int_eq(tui_filter_parse("flag:retrans port:443", &f, err,
					  sizeof(err)),
			 0);
	tui_snap_select(snap, &q);
	ck_assert_uint_eq(snap->norder, 1);
	ck_assert_uint_eq(snap->rows[snap->order[0]].rec.id, 3);
	/* closed rows can be hidden; these three are all closed */
	f.n = 0;
	q.hide_closed = true;
	tui_snap_select(snap, &q);
	ck_assert_uint_eq(snap->norder, 0);
	ck_assert_ptr_nonnull(tui_snap_find(snap, 3));
	ck_assert_ptr_null(tui_snap_find(snap, 4));
}
END_TEST

START_TEST(snap_counts_the_states_of_held_endpoints)
{
	static const struct seg est[] = { HANDSHAKE };
	static const struct seg syn = SEG(20000, '>', F_S, 0, 0, 0, 1000);

	ft_run(est, NSEGS(est), -1);
	ft.cport = 40001;
	ft_feed(&syn);
	ft.cport = 40002;
	ft_feed(&syn);
	ck_assert_int_eq(tui_snap_take(snap, m, ft.t), 0);
	ck_assert_uint_eq(snap->nheld, 3);
	ck_assert_uint_eq(snap->states[EP_ESTABLISHED], 2);
	ck_assert_uint_eq(snap->states[EP_SYN_SENT], 2);
	ck_assert_uint_eq(snap->states[EP_UNKNOWN], 2);
	ck_assert_uint_eq(snap->half_open, 2);
	ck_assert_uint_eq(snap->flows.active, 3);
	ck_assert_uint_eq(snap->attempts, 3);
	ck_assert_uint_eq(snap->completed, 1);
}
END_TEST

START_TEST(snap_aggregates_servers_with_their_median_rtt)
{
	static const struct seg est[] = { HANDSHAKE };  /* RTT 10.1 ms */
	static const struct seg syn = SEG(20000, '>', F_S, 0, 0, 0, 1000);

	/* 198.51.100.2:80: one established, one half-open (held), one
	 * refused and one with 3 ms (closed); 198.51.100.3:443: one */
	ft_run(est, NSEGS(est), -1);
	ft.cport = 40001;
	ft_feed(&syn);
	closed(10, 7, 50000, 2, 80, rejected);
	closed(11, 7, 50001, 2, 80, busy);
	closed(12, 7, 50002, 3, 443, slow);
	ck_assert_int_eq(tui_snap_take(snap, m, ft.t), 0);
	ck_assert_uint_eq(snap->nservers, 2);

	const struct tui_server *a = &snap->servers[0], *b = &snap->servers[1];
	ck_assert_uint_eq(a->port, 80);
	ck_assert_uint_eq(a->addr[3], 2);
	ck_assert_uint_eq(a->conns, 4);
	ck_assert_uint_eq(a->half_open, 1);
	ck_assert_uint_eq(a->refused, 1);
	ck_assert_uint_eq(a->resets, 0);
	/* medians of 3 and 10.1 ms: the lower middle */
	ck_assert_int_eq(a->rtt_median, 3 * MS);
	ck_assert_uint_eq(b->port, 443);
	ck_assert_uint_eq(b->conns, 1);
	ck_assert_int_eq(b->rtt_median, 30 * MS);
}
END_TEST

START_TEST(snap_keeps_the_last_closed_records_only)
{
	for (uint64_t i = 1; i <= TUI_CLOSED_MAX + 5; i++)
		closed(i, 1, (uint16_t)(1000 + i), 2, 80, NULL);
	ck_assert_int_eq(tui_snap_take(snap, m, ft.t), 0);
	ck_assert_uint_eq(snap->nrows, TUI_CLOSED_MAX);
	ck_assert_ptr_null(tui_snap_find(snap, 5));
	ck_assert_ptr_nonnull(tui_snap_find(snap, 6));
	ck_assert(tui_snap_find(snap, TUI_CLOSED_MAX + 5)->closed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_snap");
	TCase *tc = tcase_create("snap");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, snap_sorts_text_columns_up_and_numbers_down);
	tcase_add_test(tc, snap_sorts_age_and_idle_oldest_first);
	tcase_add_test(tc, snap_every_column_sorts_without_losing_rows);
	tcase_add_test(tc, snap_selects_what_the_filter_lets_through);
	tcase_add_test(tc, snap_counts_the_states_of_held_endpoints);
	tcase_add_test(tc, snap_aggregates_servers_with_their_median_rtt);
	tcase_add_test(tc, snap_keeps_the_last_closed_records_only);
	suite_add_tcase(s, tc);
	return frames_run(s);
}
