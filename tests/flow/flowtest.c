#include "flowtest.h"

#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "decode.h"
#include "frames.h"

struct flowtest ft;

static const uint8_t zeros[1500];

static void record_event(void *ctx, const struct flow_event *ev)
{
	struct flowtest *f = ctx;

	if (f->nev < FT_EV_MAX) {
		f->ev[f->nev].type = ev->type;
		f->ev[f->nev].ts_ns = ev->ts_ns;
		f->ev[f->nev].from = ev->from;
		f->ev[f->nev].id = ev->conn->id;
		f->ev[f->nev].hs = ev->conn->handshake;
		f->nev++;
	}
	if (ev->type == FLOW_EV_CLOSED) {
		if (f->nrec < FT_REC_MAX)
			f->rec[f->nrec++] = *ev->conn;
		f->closed_total++;
		if (f->watch_id && ev->conn->id == f->watch_id) {
			f->watched = *ev->conn;
			f->watched_closed++;
		}
	}
}

void ft_recreate(const struct flow_config *c)
{
	flow_table_destroy(ft.t);
	ft.cfg = *c;
	ft.t = flow_table_create(c);
	ck_assert_ptr_nonnull(ft.t);
	ck_assert_int_eq(flow_table_subscribe(ft.t, record_event, &ft), 0);
}

void ft_setup(void)
{
	struct flow_config c;

	memset(&ft, 0, sizeof(ft));
	flow_config_default(&c);
	c.max_flows = 64;
	c.max_half_open = 16;
	c.fixed_seed = true;
	c.seed = 42;
	ft.isn_c = ISN_C;
	ft.isn_s = ISN_S;
	ft_recreate(&c);
}

void ft_teardown(void)
{
	flow_table_destroy(ft.t);
	ft.t = NULL;
}

void ft_add_tests(TCase *tc, const TTest *const *tests, size_t n)
{
	tcase_add_checked_fixture(tc, ft_setup, ft_teardown);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
}

/* Options in wire order, NOP-padded to a multiple of four. */
static size_t build_opts(const struct seg *s, uint8_t *o)
{
	size_t n = 0;

	if (s->opt & OPT_MSS) {
		const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };   /* 1460 */

		memcpy(o + n, mss, 4);
		n += 4;
	}
	if (s->opt & OPT_SACK) {
		o[n++] = 4;                                     /* SACK-OK */
		o[n++] = 2;
	}
	if (s->opt & OPT_TS) {
		const uint8_t ts[10] = { 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };

		memcpy(o + n, ts, 10);
		n += 10;
	}
	if (s->opt & OPT_WS) {
		o[n++] = 3;                                     /* wscale */
		o[n++] = 3;
		o[n++] = s->ws;
	}
	if (s->opt & OPT_TFO) {
		o[n++] = 34;                            /* cookie request */
		o[n++] = 2;
	}
	if (s->opt & OPT_MPTCP) {
		const uint8_t mp[4] = { 30, 4, 0x01, 0x81 }; /* MP_CAPABLE */

		memcpy(o + n, mp, 4);
		n += 4;
	}
	while (n % 4)
		o[n++] = 1;                                     /* NOP */
	return n;
}

size_t ft_frame(const struct seg *s, uint8_t ip_version, uint16_t cport,
		uint32_t isn_c, uint32_t isn_s, uint16_t ipid, uint8_t *buf,
		size_t cap)
{
	struct frame_spec fs = frame_spec_default(ip_version);
	bool fwd = s->dir == '>';
	uint8_t opts[40];
	uint8_t tmp[16];
	size_t n;

	fs.sport = cport;
	if (!fwd) {
		memcpy(tmp, fs.src, 16);
		memcpy(fs.src, fs.dst, 16);
		memcpy(fs.dst, tmp, 16);
		fs.sport = 80;
		fs.dport = cport;
	}
	fs.seq = (fwd ? isn_c : isn_s) + s->seq;
	/* no ACK flag, no ack number: what stacks send, and what tshark
	 * must see for the comparisons to mean anything */
	fs.ack = (s->flags & TCP_ACK) ? (fwd ? isn_s : isn_c) + s->ack : 0;
	fs.flags = s->flags;
	fs.win = s->win;
	fs.tcp_opts_len = build_opts(s, opts);
	fs.tcp_opts = opts;
	fs.payload = zeros;
	fs.payload_len = s->len;
	n = frame_ip(buf, cap, &fs, NULL);
	if (ip_version == 4) {
		frame_wr16(buf + 4, ipid);
		frame_fix_ipv4_csum(buf);
	}
	return n;
}

void ft_decode(const struct seg *s, struct decoded_packet *p, uint8_t *buf,
	       size_t cap)
{
	uint16_t ipid = s->ipid;
	size_t n;

	if (ipid == 0) {
		/* fresh ids count down from 0xffff, clear of explicit ones */
		ipid = (uint16_t)(0xffff - ft.next_ipid++);
	}
	n = ft_frame(s, ft.ip_version ? ft.ip_version : 4,
		     ft.cport ? ft.cport : 40000, ft.isn_c, ft.isn_s, ipid, buf,
		     cap);
	ck_assert_int_eq(decode_packet(buf, (uint32_t)n, (uint32_t)n,
				       DECODE_LINK_RAW_LT, p),
			 DECODE_TCP);
}

void ft_feed(const struct seg *s)
{
	uint8_t buf[FRAME_MAX];
	struct decoded_packet p;

	ft_decode(s, &p, buf, sizeof(buf));
	flow_table_packet(ft.t, &p, s->t_us * 1000);
}

void ft_run(const struct seg *segs, size_t n, int64_t finish_us)
{
	for (size_t i = 0; i < n; i++)
		ft_feed(&segs[i]);
	if (finish_us < 0)
		return;
	if (finish_us == 0 && n > 0)
		finish_us = segs[n - 1].t_us;
	flow_table_finish(ft.t, finish_us * 1000);
}

unsigned ft_events(enum flow_event_type type, uint64_t id)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ft.nev; i++)
		if (ft.ev[i].type == type && (id == 0 || ft.ev[i].id == id))
			n++;
	return n;
}

int ft_event_index(enum flow_event_type type, uint64_t id)
{
	for (unsigned i = 0; i < ft.nev; i++)
		if (ft.ev[i].type == type && (id == 0 || ft.ev[i].id == id))
			return (int)i;
	return -1;
}
