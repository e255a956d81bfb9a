#include "dtest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void wr_ip(uint8_t *out, uint32_t ip)
{
	out[0] = (uint8_t)(ip >> 24);
	out[1] = (uint8_t)(ip >> 16);
	out[2] = (uint8_t)(ip >> 8);
	out[3] = (uint8_t)ip;
}

void dt_build(const struct dt_pkt *s, struct decoded_packet *p)
{
	static const uint16_t flags[] = {
		[K_SYN] = TCP_SYN, [K_SYNACK] = TCP_SYN | TCP_ACK,
		[K_ACK] = TCP_ACK, [K_RST] = TCP_RST,
		[K_RSTACK] = TCP_RST | TCP_ACK,
	};
	struct tcp_opts *o = &p->tcp.opts;

	memset(p, 0, sizeof(*p));
	p->ip.version = 4;
	p->ip.hlen = 20;
	p->ip.ttl = 64;
	p->ip.proto = 6;
	p->ip.total_len = 40;
	p->ip.csum = CSUM_GOOD;
	wr_ip(p->ip.src, s->src);
	wr_ip(p->ip.dst, s->dst);
	p->tcp.sport = s->sport;
	p->tcp.dport = s->dport;
	p->tcp.seq = s->seq;
	p->tcp.ack = s->ack;
	p->tcp.hlen = 20;
	p->tcp.flags = flags[s->kind];
	if (s->opt & DT_ECE)
		p->tcp.flags |= TCP_ECE;
	p->tcp.win = 64240;
	p->tcp.csum = CSUM_GOOD;
	if (s->opt & DT_MSS) {
		o->present |= TCPOPT_HAS_MSS;
		o->mss = 1460;
	}
	if (s->opt & DT_WS) {
		o->present |= TCPOPT_HAS_WSCALE;
		o->wscale = s->ws;
	}
	if (s->opt & DT_SACK)
		o->present |= TCPOPT_HAS_SACKOK;
	if (s->opt & DT_TS) {
		o->present |= TCPOPT_HAS_TS;
		o->tsval = s->tsval;
	}
}

static void record(void *ctx, const struct detect_alert *a)
{
	struct dtworld *w = ctx;

	w->records++;
	if (getenv("DT_DEBUG"))
		fprintf(stderr, "alert %llu %s %s %u.%u.%u.%u:%u ts %.3f "
			"start %.3f end %.3f rate %.0f ho %u/%u compl %.3f "
			"src %llu det %x thr %x conf %.2f\n",
			(unsigned long long)a->id, detect_event_name(a->event),
			detect_verdict_name(a->verdict), a->dst.addr[0],
			a->dst.addr[1], a->dst.addr[2], a->dst.addr[3],
			a->has_port ? a->dport : 0, (double)a->ts_ns / 1e9,
			(double)a->start_ns / 1e9, (double)a->end_ns / 1e9,
			a->syn_rate, a->half_open, a->peak_half_open,
			a->completion, (unsigned long long)a->sources,
			a->detectors, a->thresholds, a->confidence);
	if (w->n < DT_ALERTS_MAX)
		w->a[w->n++] = *a;
}

void dtw_init(struct dtworld *w, const struct detect_config *c)
{
	struct flow_config fc;

	memset(w, 0, sizeof(*w));
	if (c) {
		w->cfg = *c;
	} else {
		detect_config_default(&w->cfg);
		w->cfg.fixed_seed = true;
		w->cfg.seed = 42;
	}
	flow_config_default(&fc);
	fc.max_flows = 16384;
	fc.max_half_open = 4096;
	fc.fixed_seed = true;
	fc.seed = 7;
	w->ft = flow_table_create(&fc);
	w->d = detect_create(&w->cfg);
	ck_assert_ptr_nonnull(w->ft);
	ck_assert_ptr_nonnull(w->d);
	ck_assert_int_eq(detect_attach(w->d, w->ft), 0);
	ck_assert_int_eq(detect_subscribe(w->d, record, w), 0);
}

void dtw_free(struct dtworld *w)
{
	flow_table_destroy(w->ft);
	detect_destroy(w->d);
	w->ft = NULL;
	w->d = NULL;
}

void dtw_feed(struct dtworld *w, const struct dt_pkt *s)
{
	struct decoded_packet p;
	int64_t ts = s->t_us * 1000;

	dt_build(s, &p);
	if (w->v6) {
		/* 2001:db8::a.b.c.d */
		uint8_t src[4], dst[4];
		memcpy(src, p.ip.src, 4);
		memcpy(dst, p.ip.dst, 4);
		memset(p.ip.src, 0, 16);
		memset(p.ip.dst, 0, 16);
		p.ip.src[0] = p.ip.dst[0] = 0x20;
		p.ip.src[1] = p.ip.dst[1] = 0x01;
		p.ip.src[2] = p.ip.dst[2] = 0x0d;
		p.ip.src[3] = p.ip.dst[3] = 0xb8;
		memcpy(p.ip.src + 12, src, 4);
		memcpy(p.ip.dst + 12, dst, 4);
		p.ip.version = 6;
		p.ip.hlen = 40;
		p.ip.total_len = 60;
	}
	flow_table_packet(w->ft, &p, ts);     /* and the detector, first */
}

void dtw_finish(struct dtworld *w, int64_t t_us)
{
	flow_table_finish(w->ft, t_us * 1000);
	detect_finish(w->d, t_us * 1000);
}

unsigned dtw_count(const struct dtworld *w, int event, int verdict)
{
	unsigned n = 0;

	for (unsigned i = 0; i < w->n; i++)
		if ((event < 0 || (int)w->a[i].event == event) &&
		    (verdict < 0 || (int)w->a[i].verdict == verdict))
			n++;
	return n;
}

const struct detect_alert *dtw_first(const struct dtworld *w, int event,
				     int verdict)
{
	for (unsigned i = 0; i < w->n; i++)
		if ((event < 0 || (int)w->a[i].event == event) &&
		    (verdict < 0 || (int)w->a[i].verdict == verdict))
			return &w->a[i];
	return NULL;
}

unsigned dtw_floods(const struct dtworld *w)
{
	return dtw_count(w, -1, DV_SYN_FLOOD) +
	       dtw_count(w, -1, DV_SPOOFED_SYN_FLOOD) +
	       dtw_count(w, -1, DV_SINGLE_SOURCE_FLOOD);
}

uint32_t dtw_addr(const struct detect_addr *a)
{
	return (uint32_t)a->addr[0] << 24 | (uint32_t)a->addr[1] << 16 |
	       (uint32_t)a->addr[2] << 8 | a->addr[3];
}

void dtq_push(struct dtq *q, const struct dt_pkt *p)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 1024;
		q->v = realloc(q->v, q->cap * sizeof(*q->v));
		ck_assert_ptr_nonnull(q->v);
	}
	q->v[q->n++] = *p;
}

static const struct dt_pkt *sort_base;

/* Time order; push order breaks ties, so qsort is stable here. */
static int by_time(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int64_t tx = sort_base[x].t_us, ty = sort_base[y].t_us;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return (x > y) - (x < y);
}

void dtq_run(struct dtq *q, struct dtworld *w)
{
	size_t *idx = malloc((q->n ? q->n : 1) * sizeof(*idx));

	ck_assert_ptr_nonnull(idx);
	for (size_t i = 0; i < q->n; i++)
		idx[i] = i;
	sort_base = q->v;
	qsort(idx, q->n, sizeof(*idx), by_time);
	for (size_t i = 0; i < q->n; i++)
		dtw_feed(w, &q->v[idx[i]]);
	free(idx);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

static uint64_t rng = 88172645463325252ULL;

void dt_srand(uint64_t seed)
{
	rng = seed ? seed : 1;
}

uint32_t dt_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

void dt_conn_complete(struct dtq *q, int64_t t, uint32_t c, uint16_t cport,
		      uint32_t s, uint16_t sport, int64_t rtt_us)
{
	uint32_t ci = dt_rand(), si = dt_rand();
	struct dt_pkt p[] = {
		{ t, K_SYN, c, s, cport, sport, ci, 0, DT_MSS | DT_WS | DT_SACK,
		  7, 0 },
		{ t + rtt_us / 2, K_SYNACK, s, c, sport, cport, si, ci + 1,
		  DT_MSS | DT_WS | DT_SACK, 7, 0 },
		{ t + rtt_us, K_ACK, c, s, cport, sport, ci + 1, si + 1, 0, 0,
		  0 },
	};

	for (size_t i = 0; i < 3; i++)
		dtq_push(q, &p[i]);
}

void dt_conn_half_open(struct dtq *q, int64_t t, uint32_t c, uint16_t cport,
		       uint32_t s, uint16_t sport, int64_t rtt_us,
		       bool cookies, uint8_t synopt)
{
	uint32_t ci = dt_rand(), si = dt_rand();
	uint8_t ws = 7;
	uint8_t aopt = DT_MSS | (synopt & (DT_WS | DT_SACK | DT_TS));
	uint32_t tsval = dt_rand();
	struct dt_pkt syn = { t, K_SYN, c, s, cport, sport, ci, 0, synopt, ws,
			      (uint32_t)t };

	if (cookies && (synopt & DT_TS)) {
		/* Linux: the low 6 bits carry wscale | SACK << 4 */
		tsval = (tsval & ~0x3fu) | ((synopt & DT_WS) ? ws : 0x0fu) |
			((synopt & DT_SACK) ? 0x10u : 0);
	} else if (cookies) {
		aopt &= (uint8_t)~(DT_WS | DT_SACK);
	}
	struct dt_pkt sa = { t + rtt_us / 2, K_SYNACK, s, c, sport, cport, si,
			     ci + 1, aopt, 7, tsval };
	dtq_push(q, &syn);
	dtq_push(q, &sa);
	if (!cookies) {
		sa.t_us += 1000000;
		dtq_push(q, &sa);
		sa.t_us += 2000000;
		dtq_push(q, &sa);
	}
}

void dt_conn_refused(struct dtq *q, int64_t t, uint32_t c, uint16_t cport,
		     uint32_t s, uint16_t sport, int64_t rtt_us)
{
	uint32_t ci = dt_rand();
	struct dt_pkt p[] = {
		{ t, K_SYN, c, s, cport, sport, ci, 0, 0, 0, 0 },
		{ t + rtt_us / 2, K_RSTACK, s, c, sport, cport, 0, ci + 1, 0,
		  0, 0 },
	};

	dtq_push(q, &p[0]);
	dtq_push(q, &p[1]);
}

void dt_syn_only(struct dtq *q, int64_t t, uint32_t c, uint16_t cport,
		 uint32_t s, uint16_t sport, uint8_t synopt)
{
	struct dt_pkt p = { t, K_SYN, c, s, cport, sport, dt_rand(), 0, synopt,
			    7, (uint32_t)t };

	dtq_push(q, &p);
}
