/*
 * detect: what goes in. Every TCP segment (detect_flow_segment) and every
 * flow event (detect_flow_event) is turned into counts on three kinds of
 * entity, each in a table of fixed size (table.c):
 *
 *   target   server ip:port   SYNs, SYN-ACKs, RST answers, completions,
 *                             the half-open gauge, source sketches,
 *                             cookie evidence
 *   host     server ip        the same, summed over ports; and the
 *                             replies it sends to no SYN (backscatter)
 *   pair     source -> host   distinct ports: scans
 *
 * Counts land in the current bucket of the entity's sliding window; when
 * packet time passes a bucket's end, verdict.c evaluates the window. The
 * entities with an alert open are also stepped on every interval from
 * the global clock, so a quiet period still ends their alerts.
 *
 * Packets tell what the flow table may not see (SYNs it refused, resent
 * SYNs and SYN-ACKs, the options a SYN-ACK carries); flow events tell
 * what needs the connection's state (the server endpoint in SYN-RECEIVED,
 * a completed handshake, an RST that refused a SYN, a SYN-ACK or RST that
 * answers no SYN).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect_int.h"

#define CATCHUP_MAX (DWIN_BUCKETS + 40)

void detect_config_default(struct detect_config *c)
{
	memset(c, 0, sizeof(*c));
	/* ~2 KB each (window, HyperLogLog, top sources): 8 MB for the
	 * servers a busy site exposes at once; a sweep over ports does not
	 * fill it, since a target needs a second SYN to get an entry */
	c->max_targets = 4096;
	c->max_hosts = 1024;
	/* scanners get an entry on their second port only, so spoofed
	 * one-off sources never reach this table */
	c->max_sources = 4096;
	/* 100 ms buckets, 10 to the window: rates over the last second,
	 * fine enough to raise within a second of a flood's start */
	c->interval_ns = NS_PER_S / 10;
	/* Juniper's screen raises at 200 SYN/s; half that is still far
	 * above what one client makes (a browser opens ~6 connections),
	 * and it fills Linux's smallest SYN backlog (128) in ~1 s. Rate
	 * alone never raises: completion must be low as well */
	c->syn_rate = 100.0;
	/* Linux's minimum tcp_max_syn_backlog: this many endpoints in
	 * SYN-RECEIVED on one port fill a default-sized queue */
	c->half_open = 128.0;
	/* real clients complete nearly every attempt they make (a resent
	 * SYN is not a new attempt); below half, most SYNs come from
	 * something that is not a TCP stack waiting for an answer */
	c->completion = 0.5;
	/* the CUSUM steps once per bucket. X is the unanswered excess in
	 * units of the usual responses per bucket; a tolerates up to half
	 * of that as normal (handshakes straddling a bucket edge), and
	 * h = 5 raises in one step for a flood 10x the floor, in 10 steps
	 * (1 s) for one at the floor itself (Wang et al.'s tuned values
	 * are for 20 s periods and do not carry over) */
	c->cusum_h = 5.0;
	c->cusum_a = 0.5;
	/* nmap's default scan covers 1000 ports; a client talks to a few
	 * ports of a host. 100 distinct ports in scan_window is a scan */
	c->scan_ports = 100;
	/* a capture that starts mid-handshake or asymmetric routing gives a
	 * few replies with no SYN; 10/s from one server for the raise time
	 * is someone flooding it with our addresses as sources */
	c->backscatter_rate = 10.0;
	/* an alert lasts 2 s at least and ends after 2 s of calm: shorter
	 * ends flap with a flood's bursts, longer ones delay the end */
	c->hold_ns = 2 * NS_PER_S;
	c->clear_ns = 2 * NS_PER_S;
	/* one update per alert every 5 s: enough to follow a long flood,
	 * few enough to read */
	c->update_ns = 5 * NS_PER_S;
	/* two buckets in a row: one bucket's burst never raises */
	c->raise_ns = NS_PER_S / 10;
	/* a slow server's clients resend their SYNs (1 s, then doubling);
	 * flood tools do not. When resent SYNs are 30% of new ones the
	 * senders are real stacks waiting for an answer */
	c->retry_ratio = 0.3;
	/* "spoofed": at least 16 distinct sources averaging at most 3 SYNs
	 * each; random source addresses give one SYN per source */
	c->spoof_sources = 16;
	c->spoof_per_source = 3.0;
	/* "single source": one address sends more than half the SYNs */
	c->single_share = 0.5;
	c->scan_window_ns = 10 * NS_PER_S;
	c->cusum_pair = DETECT_PAIR_ACK;
	/* the flow table's default half-open cap (max_flows / 4) */
	c->max_half_open = 65536;
	c->max_alerts = 256;
	c->seed = 0;
	c->fixed_seed = false;
	c->detectors = DETECT_BY_THRESHOLD | DETECT_BY_CUSUM;
}

/* A key when none is fixed: unpredictable enough from outside, and only
 * the C library is at hand here. */
static uint64_t seed_draw(void)
{
	uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	uintptr_t here = (uintptr_t)&x;

	x ^= (uint64_t)here * UINT64_C(0x9e3779b97f4a7c15);
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

struct detect *detect_create(const struct detect_config *c)
{
	struct detect *d;
	uint32_t hs = 16;

	if (!c || c->interval_ns <= 0 || c->max_alerts == 0 ||
	    c->max_half_open == 0 || c->max_half_open > (1u << 28) ||
	    (c->detectors & ~(DETECT_BY_THRESHOLD | DETECT_BY_CUSUM)))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = *c;
	if (!d->cfg.detectors)
		d->cfg.detectors = DETECT_BY_THRESHOLD | DETECT_BY_CUSUM;
	d->hk.k0 = c->fixed_seed ? c->seed : seed_draw();
	d->hk.k1 = mix64(d->hk.k0);
	while (hs < 2 * c->max_half_open)
		hs <<= 1;
	d->ho_mask = hs - 1;
	d->fp_mask = DETECT_FP_SLOTS - 1;
	if (dtab_init(&d->targets, c->max_targets, sizeof(struct dent),
		      &d->hk, 0x1111) < 0 ||
	    dtab_init(&d->hosts, c->max_hosts, sizeof(struct dent), &d->hk,
		      0x2222) < 0 ||
	    dtab_init(&d->pairs, c->max_sources, sizeof(struct dpair),
		      &d->hk, 0x3333) < 0)
		goto fail;
	d->ho = calloc(hs, sizeof(*d->ho));
	d->fp = calloc(DETECT_FP_SLOTS, sizeof(*d->fp));
	d->slots = calloc(c->max_alerts, sizeof(*d->slots));
	d->ended = calloc(DETECT_ENDED_MAX, sizeof(*d->ended));
	if (!d->ho || !d->fp || !d->slots || !d->ended)
		goto fail;
	return d;
fail:
	detect_destroy(d);
	return NULL;
}

/* Bytes detect_create(c) takes: all the detector will ever hold. */
size_t detect_footprint(const struct detect_config *c)
{
	size_t hs = 16;

	if (!c)
		return 0;
	while (hs < 2 * (size_t)c->max_half_open)
		hs <<= 1;
	return sizeof(struct detect) +
	       dtab_footprint(c->max_targets, sizeof(struct dent)) +
	       dtab_footprint(c->max_hosts, sizeof(struct dent)) +
	       dtab_footprint(c->max_sources, sizeof(struct dpair)) +
	       hs * sizeof(((struct detect *)0)->ho[0]) +
	       DETECT_FP_SLOTS * sizeof(((struct detect *)0)->fp[0]) +
	       c->max_alerts * sizeof(((struct detect *)0)->slots[0]) +
	       DETECT_ENDED_MAX * sizeof(((struct detect *)0)->ended[0]);
}

void detect_destroy(struct detect *d)
{
	if (!d)
		return;
	dtab_free(&d->targets);
	dtab_free(&d->hosts);
	dtab_free(&d->pairs);
	free(d->ho);
	free(d->fp);
	free(d->slots);
	free(d->ended);
	free(d);
}

int detect_subscribe(struct detect *d, detect_alert_fn fn, void *ctx)
{
	if (!d || !fn || d->nsubs >= DETECT_MAX_SUBSCRIBERS)
		return -1;
	d->subs[d->nsubs].fn = fn;
	d->subs[d->nsubs].ctx = ctx;
	d->nsubs++;
	return 0;
}

void daddr_set(struct detect_addr *a, uint8_t version, const uint8_t *addr)
{
	memset(a, 0, sizeof(*a));
	a->version = version;
	memcpy(a->addr, addr, version == 6 ? 16 : 4);
}

void dkey_target(struct dkey *k, uint8_t version, const uint8_t *addr,
		 uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->version = version;
	k->has_port = 1;
	k->port = port;
	memcpy(k->a, addr, version == 6 ? 16 : 4);
}

void dkey_host(struct dkey *k, uint8_t version, const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	k->version = version;
	memcpy(k->a, addr, version == 6 ? 16 : 4);
}

void dkey_pair(struct dkey *k, uint8_t version, const uint8_t *host,
	       const uint8_t *scanner)
{
	dkey_host(k, version, host);
	memcpy(k->b, scanner, version == 6 ? 16 : 4);
}

static uint8_t syn_info(const struct flow_segment *p)
{
	uint8_t info = FPI_VALID | FPI_WS_MASK;

	if (p->opt_present & TCPOPT_HAS_WSCALE)
		info = (uint8_t)(FPI_VALID |
				 (p->opt_wscale > 14 ? 14 : p->opt_wscale));
	if (p->opt_present & TCPOPT_HAS_SACKOK)
		info |= FPI_SACK;
	if (p->opt_present & TCPOPT_HAS_TS)
		info |= FPI_TS;
	if ((p->flags & (TCP_ECE | TCP_CWR)) == (TCP_ECE | TCP_CWR))
		info |= FPI_ECN;
	return info;
}

/* Time */

void dd_advance(struct detect *d, struct dent *e, enum dkind kind,
		int64_t now)
{
	unsigned steps = 0;

	while (now >= e->w.end) {
		if (++steps > CATCHUP_MAX && !e->flood_alert &&
		    !e->cookie_alert && !e->bscat_alert) {
			/* long quiet: every later bucket is empty and calm */
			int64_t iv = d->cfg.interval_ns;
			dwin_clear(&e->w);
			cusum_reset(&e->cs);
			hyst_reset(&e->flood);
			hyst_reset(&e->cookie);
			hyst_reset(&e->bscat);
			e->w.end = (now / iv - (now % iv < 0) + 1) * iv;
			return;
		}
		dv_eval_entity(d, e, kind, e->w.end);
		dwin_rotate(&e->w, d->cfg.interval_ns);
	}
}

static void *slot_entity(struct detect *d, const struct aslot *s)
{
	switch (s->kind) {
	case DK_TARGET: return dtab_at(&d->targets, s->ent);
	case DK_HOST: return dtab_at(&d->hosts, s->ent);
	default: return dtab_at(&d->pairs, s->ent);
	}
}

/* Steps every entity with an alert open up to `now`. */
static void tick(struct detect *d, int64_t now)
{
	for (uint32_t i = 0; i < d->cfg.max_alerts && d->nactive; i++) {
		struct aslot *s = &d->slots[i];
		if (!s->used)
			continue;
		void *e = slot_entity(d, s);
		if (s->kind == DK_PAIR)
			dv_pair_tick(d, e, now);
		else
			dd_advance(d, e, s->kind, now);
	}
}

static DETECT_NOINLINE void advance_time_slow(struct detect *d, int64_t ts)
{
	int64_t iv = d->cfg.interval_ns;

	if (!d->started) {
		d->started = true;
		d->now = ts;
		d->tick_end = (ts / iv - (ts % iv < 0) + 1) * iv;
		return;
	}
	if (ts > d->now)
		d->now = ts;
	if (d->now >= d->tick_end) {
		tick(d, d->now);
		d->tick_end = (d->now / iv - (d->now % iv < 0) + 1) * iv;
	}
}

/* Time moves to max(now, ts); an interval that ends on the way is closed
 * first. Nearly every segment stays inside the current interval. */
static void advance_time(struct detect *d, int64_t ts)
{
	int64_t now = ts > d->now ? ts : d->now;

	if (!d->started || now >= d->tick_end) {
		advance_time_slow(d, ts);
		return;
	}
	d->now = now;
}

/* Entities */

static struct dent *entity(struct detect *d, enum dkind kind,
			   const struct dkey *k, bool admit)
{
	struct dtab *t = kind == DK_TARGET ? &d->targets : &d->hosts;
	bool created;
	struct dent *e = dtab_get(t, k, admit, &created, NULL, NULL);

	if (!e)
		return NULL;
	if (created) {
		dwin_init(&e->w, d->now, d->cfg.interval_ns);
		e->last_pressure = INT64_MIN;
		e->weak_since = INT64_MIN;
		e->last_hot = INT64_MIN;
		e->bs_last_hot = INT64_MIN;
	} else {
		dd_advance(d, e, kind, d->now);
	}
	return e;
}

/* A source address for the sketches, with its hash: made once for the
 * target and the host that both count it. */
struct dsource {
	struct detect_addr a;
	uint64_t h;
};

static void source_make(struct detect *d, struct dsource *s, uint8_t version,
			const uint8_t *addr)
{
	daddr_set(&s->a, version, addr);
	s->h = dhash(&d->hk, &s->a, sizeof(s->a));
}

static void sketch_source(struct dent *e, const struct dsource *s)
{
	hll_add(&e->hll, s->h);
	topk_add(&e->top, &s->a, 1);
	e->sketch_n++;
}

/* Counts one packet from `src` to `port` of host entity `hs`: the
 * counter, the source sketches and the ports seen. */
static void host_count(struct detect *d, struct dent *hs, enum dctr ctr,
		       const struct dsource *src, uint16_t port)
{
	dwin_add(&hs->w, ctr, 1);
	sketch_source(hs, src);
	topk16_add(&hs->ports, port);
	lcount_add(&hs->portset, dhash(&d->hk, &port, sizeof(port)));
}

/* The entities of server addr:port: e[0] the target, e[1] the host; NULL
 * where the table is full (or, without `admit`, holds none). */
static void server_entities(struct detect *d, uint8_t version,
			    const uint8_t *addr, uint16_t port, bool admit,
			    struct dent *e[2])
{
	struct dkey k;

	dkey_target(&k, version, addr, port);
	e[0] = entity(d, DK_TARGET, &k, admit);
	dkey_host(&k, version, addr);
	e[1] = entity(d, DK_HOST, &k, admit);
}

/* True when this SYN (or SYN-ACK) went by before, as fp_check() says. */
static bool syn_retransmitted(struct detect *d, const struct flow_segment *p,
			      int64_t ts, bool synack, uint8_t info)
{
	struct fpkey fk;

	fpkey_make(&fk, p->ip_version, p->src, p->dst, p->sport,
		   p->dport, p->seq, synack);
	return fp_check(d, &fk, ts, info) == FP_RETX;
}

static void on_syn(struct detect *d, const struct flow_segment *p,
		   int64_t ts)
{
	bool retx = syn_retransmitted(d, p, ts, false, syn_info(p));
	struct dent *e[2];
	struct dsource src;
	struct dkey k;

	server_entities(d, p->ip_version, p->dst, p->dport, true, e);
	struct dent *tg = e[0], *hs = e[1];
	if (retx) {
		if (tg)
			dwin_add(&tg->w, DC_SYN_RETX, 1);
		if (hs)
			dwin_add(&hs->w, DC_SYN_RETX, 1);
		return;
	}
	if (tg || hs)
		source_make(d, &src, p->ip_version, p->src);
	if (tg) {
		dwin_add(&tg->w, DC_SYN, 1);
		sketch_source(tg, &src);
	}
	if (hs)
		host_count(d, hs, DC_SYN, &src, p->dport);
	dkey_pair(&k, p->ip_version, p->dst, p->src);
	struct dpair *pr = dtab_get(&d->pairs, &k, true, NULL, NULL, NULL);
	if (pr)
		dv_pair_syn(d, pr, p->dport, ts);
}

/*
 * Linux SYN cookies (net/ipv4/syncookies.c, cookie_init_timestamp): with
 * timestamps, the low 6 bits of the SYN-ACK's TSval carry the options the
 * cookie cannot hold: the client's window scale (15 = none), SACK-
 * permitted (bit 4) and ECN (bit 5). Any other SYN-ACK matches by chance
 * 1 time in 64. Without timestamps there is nowhere to keep them, so a
 * cookie SYN-ACK carries neither window scale nor SACK-permitted even
 * when the SYN offered them.
 */
static void cookie_evidence(struct dent *tg, const struct flow_segment *p,
			    uint8_t syn)
{
		bool ws = p->opt_present & TCPOPT_HAS_WSCALE;
	bool sack = p->opt_present & TCPOPT_HAS_SACKOK;
	bool syn_ws = (syn & FPI_WS_MASK) != FPI_WS_MASK;

	if ((syn & FPI_TS) && (p->opt_present & TCPOPT_HAS_TS)) {
		unsigned want = (ws ? (syn & FPI_WS_MASK) : 0x0fu) |
				(sack ? 0x10u : 0) |
				((p->flags & TCP_ECE) ? 0x20u : 0);
		dwin_add(&tg->w, DC_CK_TS_N, 1);
		if ((p->opt_tsval & 0x3fu) == want)
			dwin_add(&tg->w, DC_CK_TS_MATCH, 1);
		if (ws || sack)
			tg->echoed_opts = true;
	} else if (!(syn & FPI_TS) && (syn_ws || (syn & FPI_SACK))) {
		dwin_add(&tg->w, DC_CK_OPT_N, 1);
		if (!ws && !sack)
			dwin_add(&tg->w, DC_CK_OPT_DROP, 1);
		else
			tg->echoed_opts = true;
	}
}

static void note_reply(struct detect *d, const struct flow_segment *p,
		       bool fresh)
{
	struct dlastrep *r = &d->lastrep;
	size_t n = p->ip_version == 6 ? 16 : 4;

	memset(r, 0, sizeof(*r));
	r->set = true;
	r->fresh = fresh;
	memcpy(r->src, p->src, n);
	memcpy(r->dst, p->dst, n);
	r->sport = p->sport;
	r->dport = p->dport;
}

/* The SYN this reply (SYN-ACK or RST+ACK) answers, if it went by. */
static const struct synfp *answered_syn(const struct detect *d,
					const struct flow_segment *p)
{
	struct fpkey fk;

	if (!(p->flags & TCP_ACK))
		return NULL;
	fpkey_make(&fk, p->ip_version, p->dst, p->src, p->dport,
		   p->sport, p->ack - 1, false);
	return fp_find(d, &fk);
}

static void on_synack(struct detect *d, const struct flow_segment *p,
		      int64_t ts)
{
	bool retx = syn_retransmitted(d, p, ts, true, 0);
	enum dctr c = retx ? DC_SYNACK_RETX : DC_SYNACK;
	const struct synfp *syn = retx ? NULL : answered_syn(d, p);
	struct dent *e[2];

	note_reply(d, p, !retx && !syn);
	server_entities(d, p->ip_version, p->src, p->sport, true, e);
	struct dent *tg = e[0], *hs = e[1];
	if (hs)
		dwin_add(&hs->w, c, 1);
	if (!tg)
		return;
	dwin_add(&tg->w, c, 1);
	if (syn && (syn->info & FPI_VALID))
		cookie_evidence(tg, p, syn->info);
}

/* A segment with SYN or RST: the ones the detector counts. */
static DETECT_NOINLINE void on_control(struct detect *d,
				       const struct flow_segment *p)
{
	uint16_t f = p->flags;

	if (f & TCP_RST) {
		note_reply(d, p, !answered_syn(d, p));
		return;
	}
	if (f & TCP_ACK)
		on_synack(d, p, d->now);
	else
		on_syn(d, p, d->now);
}

void detect_flow_segment(void *ctx, const struct flow_segment *p)
{
	struct detect *d = ctx;

	if (!d || !p || (p->ip_version != 4 && p->ip_version != 6))
		return;
	advance_time(d, p->ts_ns);
	if (p->flags & (TCP_SYN | TCP_RST))
		on_control(d, p);
}

/* The time of a segment with neither SYN nor RST (flow_clock_fn). */
static void flow_clock(void *ctx, int64_t ts_ns)
{
	advance_time(ctx, ts_ns);
}

int detect_attach(struct detect *d, struct flow_table *t)
{
	if (!d || flow_table_observe_some(t, detect_flow_segment,
					  TCP_SYN | TCP_RST, flow_clock,
					  d) < 0)
		return -1;
	return flow_table_subscribe(t, detect_flow_event, d);
}

void detect_packet(struct detect *d, const struct decoded_packet *p,
		   int64_t ts_ns)
{
	struct flow_segment s;

	if (!p)
		return;
	s = (struct flow_segment){
		.ts_ns = ts_ns,
		.ip_version = p->ip.version,
		.src = p->ip.src,
		.dst = p->ip.dst,
		.sport = p->tcp.sport,
		.dport = p->tcp.dport,
		.seq = p->tcp.seq,
		.ack = p->tcp.ack,
		.flags = p->tcp.flags,
		.opt_present = p->tcp.opts.present,
		.opt_wscale = p->tcp.opts.wscale,
		.opt_tsval = p->tcp.opts.tsval,
	};
	detect_flow_segment(d, &s);
}

/* Flow events */

static const uint8_t *side_addr(const struct conn_record *c,
				enum flow_side s)
{
	return s == SIDE_ORIG ? c->orig_addr : c->resp_addr;
}

static uint16_t side_port(const struct conn_record *c, enum flow_side s)
{
	return s == SIDE_ORIG ? c->orig_port : c->resp_port;
}

/* Adds 1 to counter `ctr` of the server's target and host entities. */
static void count_server(struct detect *d, const struct conn_record *c,
			 enum dctr ctr, bool admit)
{
	struct dent *e[2];

	server_entities(d, c->ip_version, c->resp_addr, c->resp_port, admit,
			e);
	for (int i = 0; i < 2; i++)
		if (e[i])
			dwin_add(&e[i]->w, ctr, 1);
}

static void half_open_move(struct detect *d, const struct conn_record *c,
			   int delta)
{
	struct dent *e[2];

	server_entities(d, c->ip_version, c->resp_addr, c->resp_port,
			delta > 0, e);
	for (int i = 0; i < 2; i++) {
		if (!e[i])
			continue;
		if (delta > 0) {
			e[i]->half_open++;
			if (e[i]->half_open > e[i]->peak_half_open)
				e[i]->peak_half_open = e[i]->half_open;
		} else if (e[i]->half_open) {
			/* an entity evicted and made anew may not hold the
			 * connections it had counted */
			e[i]->half_open--;
		}
	}
}

/* False when detect_flow_segment() saw this very reply answer a SYN, or saw
 * it before. */
static bool reply_fresh(struct detect *d, const struct conn_record *c,
			enum flow_side from, enum flow_side to)
{
	struct dlastrep *r = &d->lastrep;
	size_t n = c->ip_version == 6 ? 16 : 4;
	bool match = r->set && r->sport == side_port(c, from) &&
		     r->dport == side_port(c, to) &&
		     memcmp(r->src, side_addr(c, from), n) == 0 &&
		     memcmp(r->dst, side_addr(c, to), n) == 0;

	r->set = false;
	return !match || r->fresh;
}

/* A SYN-ACK or RST that answers no SYN: its sender is someone's flood
 * victim, its receiver one of the spoofed sources. */
static void backscatter(struct detect *d, const struct flow_event *ev,
			enum dctr ctr)
{
	const struct conn_record *c = ev->conn;
	enum flow_side to = ev->from == SIDE_ORIG ? SIDE_RESP : SIDE_ORIG;
	struct dkey k;
	struct dent *e;

	if (!reply_fresh(d, c, ev->from, to))
		return;

	dkey_host(&k, c->ip_version, side_addr(c, ev->from));
	e = entity(d, DK_HOST, &k, true);
	if (e) {
		struct dsource src;

		source_make(d, &src, c->ip_version, side_addr(c, to));
		host_count(d, e, ctr, &src, side_port(c, ev->from));
	}
}

static void pair_count(struct detect *d, const struct conn_record *c,
		       bool completed)
{
	struct dkey k;
	struct dpair *p;

	dkey_pair(&k, c->ip_version, c->resp_addr, c->orig_addr);
	p = dtab_find(&d->pairs, &k);
	if (!p)
		return;
	if (completed)
		p->completed++;
	else
		p->refused++;
}

void detect_flow_event(void *ctx, const struct flow_event *ev)
{
	struct detect *d = ctx;
	const struct conn_record *c;

	if (!d || !ev || !ev->conn)
		return;
	c = ev->conn;
	if (c->ip_version != 4 && c->ip_version != 6)
		return;
	advance_time(d, ev->ts_ns);
	switch (ev->type) {
	case FLOW_EV_SYNACK:
		if (c->syn_ns < 0)
			backscatter(d, ev, DC_UNSOL_SA);
		else if (c->handshake == HS_PENDING &&
			 c->resp.state == EP_SYN_RECEIVED &&
			 ho_insert(d, c->id))
			half_open_move(d, c, +1);
		break;
	case FLOW_EV_ESTABLISHED:
		if (c->syn_ns >= 0) {
			count_server(d, c, DC_COMPLETED, false);
			pair_count(d, c, true);
		}
		break;
	case FLOW_EV_REFUSED:
		count_server(d, c, DC_REFUSED, false);
		pair_count(d, c, false);
		break;
	case FLOW_EV_RST:
		if (c->syn_ns < 0 && c->synack_ns < 0 &&
		    c->orig.pkts + c->resp.pkts == 1)
			backscatter(d, ev, DC_UNSOL_RST);
		break;
	default:
		break;
	}
	/* the server endpoint left SYN-RECEIVED, or the record is gone */
	if ((ev->type == FLOW_EV_CLOSED ||
	     c->resp.state != EP_SYN_RECEIVED) && ho_remove(d, c->id))
		half_open_move(d, c, -1);
}

void detect_tick(struct detect *d, int64_t now_ns)
{
	if (d)
		advance_time(d, now_ns);
}

void detect_finish(struct detect *d, int64_t now_ns)
{
	if (!d)
		return;
	advance_time(d, now_ns);
	dv_close_all(d, d->now);
}

void detect_stats(const struct detect *d, struct detect_stats *s)
{
	if (!d || !s)
		return;
	memset(s, 0, sizeof(*s));
	s->alerts = d->raised;
	s->active = d->nactive;
	s->targets = d->targets.count;
	s->targets_evicted = d->targets.evicted + d->targets.refused;
	s->hosts = d->hosts.count;
	s->hosts_evicted = d->hosts.evicted + d->hosts.refused;
	s->sources = d->pairs.count;
	s->sources_evicted = d->pairs.evicted + d->pairs.refused;
	s->alerts_dropped = d->dropped;
	s->half_open = d->ho_count;
	s->half_open_untracked = d->ho_untracked;
}

size_t detect_alerts(const struct detect *d, struct detect_alert *out,
		     size_t max)
{
	size_t n = 0;

	if (!d || !out)
		return 0;
	for (uint32_t i = 0; i < d->cfg.max_alerts && n < max; i++)
		if (d->slots[i].used)
			out[n++] = d->slots[i].rec;
	for (uint32_t i = 0; i < d->ended_n && n < max; i++) {
		uint32_t at = (d->ended_next + DETECT_ENDED_MAX - 1 - i) %
			      DETECT_ENDED_MAX;
		out[n++] = d->ended[at];
	}
	return n;
}
