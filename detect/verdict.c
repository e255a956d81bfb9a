/*
 * detect: what comes out. At the end of every bucket an entity's window
 * (the last second) is read and judged; docs/alerts.md states the same
 * rules for users.
 *
 * Flood pressure on a target or host, from the threshold detector:
 *   SYN rate >= syn_rate, completion < completion, and one of
 *   half-open >= half_open, RSTs answering >= half the SYNs (a closed
 *   port), or fewer than half the SYNs answered at all;
 * or from the CUSUM detector: alarm, and SYN rate >= syn_rate.
 * Either way, not when resent SYNs reach retry_ratio of the new ones:
 * then real clients are waiting on a slow server. cfg.detectors may
 * switch either detector off (to measure the other alone); the guards,
 * the calm test and the verdict rules stay the same, and scans,
 * backscatter and SYN cookies run whatever it says.
 * Calm: the SYNs that do not complete fall below half of syn_rate.
 *
 * Verdict of a flood, from the sources sketched since the pressure began:
 *   one source sends more than single_share  -> single_source_flood
 *   >= spoof_sources sources, <= spoof_per_source SYNs each
 *                                            -> spoofed_syn_flood
 *   otherwise                                -> syn_flood
 * A host (all ports) raises only when no single port and no single source
 * carries half its SYNs: a port under fire is the target's alert, and one
 * source over many ports is a scan.
 *
 * Scan: one source reaches scan_ports distinct ports of one host within
 * scan_window, with completion below `completion`.
 * Backscatter: unsolicited SYN-ACKs and RSTs from one host (any of its
 * ports) reach backscatter_rate while we see fewer SYNs to it than half
 * its replies.
 * SYN cookies: under a SYN rate >= syn_rate, the target's SYN-ACKs carry
 * the Linux cookie encoding (see detect.c), drop the options the SYN
 * offered, or, two seconds into a flood alert, keep pace with the SYNs
 * (>= 80%) while hardly ever being resent (< 25%): a server that keeps
 * no state for them.
 */
#include <math.h>
#include <string.h>

#include "detect_int.h"

/* No flood pressure for this long ends an episode: the next pressure
 * starts the source sketches afresh. */
#define EPISODE_GAP_NS (5 * NS_PER_S)
#define COOKIE_WAIT_NS (2 * NS_PER_S)
/* Weak evidence (SYNs unanswered, but not nine in ten of them) waits this
 * long for the senders' retransmissions: a real client resends a SYN
 * after 1 s (RFC 6298 2.1), a flood tool never does. */
#define RETRY_WAIT_NS (3 * NS_PER_S / 2)

struct wview {
	double syn, retx, synack, synack_retx, refused, completed;
	double unsol_sa, unsol_rst;
	double syn_rate, synack_rate, reply_rate, excess_rate, completion;
};

static double window_s(const struct detect *d)
{
	return DWIN_BUCKETS * (double)d->cfg.interval_ns / 1e9;
}

static int64_t since(int64_t t, int64_t then)
{
	return then == INT64_MIN ? INT64_MAX : t - then;
}

static double clamp01(double x)
{
	return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

static void read_window(const struct detect *d, const struct dent *e,
			struct wview *v)
{
	const uint64_t *s = e->w.sum;
	double ws = window_s(d);

	v->syn = (double)s[DC_SYN];
	v->retx = (double)s[DC_SYN_RETX];
	v->synack = (double)s[DC_SYNACK];
	v->synack_retx = (double)s[DC_SYNACK_RETX];
	v->refused = (double)s[DC_REFUSED];
	v->completed = (double)s[DC_COMPLETED];
	v->unsol_sa = (double)s[DC_UNSOL_SA];
	v->unsol_rst = (double)s[DC_UNSOL_RST];
	v->syn_rate = v->syn / ws;
	v->synack_rate = v->synack / ws;
	v->reply_rate = (v->unsol_sa + v->unsol_rst) / ws;
	v->excess_rate = v->syn > v->completed
				 ? (v->syn - v->completed) / ws : 0.0;
	v->completion = v->syn > 0 ? clamp01(v->completed / v->syn) : 1.0;
}

void dv_entity_reset_sketch(struct dent *e)
{
	hll_reset(&e->hll);
	topk_reset(&e->top);
	topk16_reset(&e->ports);
	lcount_reset(&e->portset);
	e->sketch_n = 0;
}

static double top_share(const struct dent *e)
{
	struct detect_source top;

	if (!e->sketch_n || !topk_top(&e->top, &top, 1))
		return 0.0;
	return (double)top.count / (double)e->sketch_n;
}

/* Alert slots */

static void *entity_of(struct detect *d, const struct aslot *s)
{
	const struct dtab *t = s->kind == DK_TARGET ? &d->targets
			       : s->kind == DK_HOST ? &d->hosts : &d->pairs;

	return dtab_at(t, s->ent);
}

static struct dtab *table_of(struct detect *d, enum dkind kind)
{
	return kind == DK_TARGET ? &d->targets
	       : kind == DK_HOST ? &d->hosts : &d->pairs;
}

static struct aslot *slot_open(struct detect *d, enum dkind kind, void *ent,
			       enum detect_verdict v, int64_t t)
{
	const struct dkey *k = &((const struct dhdr *)ent)->key;
	struct aslot *s = NULL;
	struct detect_alert *r;

	for (uint32_t i = 0; i < d->cfg.max_alerts; i++) {
		if (!d->slots[i].used) {
			s = &d->slots[i];
			break;
		}
	}
	if (!s) {
		d->dropped++;
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->kind = kind;
	s->ent = dtab_index(table_of(d, kind), ent);
	r = &s->rec;
	r->id = ++d->next_id;
	r->verdict = v;
	r->start_ns = t;
	r->end_ns = -1;
	daddr_set(&r->dst, k->version, k->a);
	r->has_port = k->has_port;
	r->dport = k->has_port ? k->port : 0;
	d->nactive++;
	d->raised++;
	dtab_pin(table_of(d, kind), ent);
	return s;
}

static void slot_emit(struct detect *d, struct aslot *s,
		      enum detect_event ev, int64_t t)
{
	s->rec.event = ev;
	s->rec.ts_ns = t;
	s->last_emit = t;
	for (unsigned i = 0; i < d->nsubs; i++)
		d->subs[i].fn(d->subs[i].ctx, &s->rec);
}

static void slot_close(struct detect *d, struct aslot *s, int64_t t,
		       int64_t end_ns)
{
	void *ent = entity_of(d, s);

	s->rec.end_ns = end_ns < s->rec.start_ns ? s->rec.start_ns : end_ns;
	s->rec.syn_rate = s->peak_rate;
	s->rec.reply_rate = s->peak_reply_rate;
	slot_emit(d, s, DE_END, t);
	d->ended[d->ended_next] = s->rec;
	d->ended_next = (d->ended_next + 1) % DETECT_ENDED_MAX;
	if (d->ended_n < DETECT_ENDED_MAX)
		d->ended_n++;
	dtab_unpin(table_of(d, s->kind), ent);
	s->used = false;
	d->nactive--;
}

static uint32_t slot_ref(const struct detect *d, const struct aslot *s)
{
	return (uint32_t)(s - d->slots) + 1;
}

/* Confidence: a heuristic score in 0..1, documented in docs/alerts.md. */
static double flood_confidence(const struct detect *d,
			       const struct aslot *s, double share)
{
	const struct detect_alert *r = &s->rec;
	double c = 0.5;

	if ((r->detectors & (DETECT_BY_THRESHOLD | DETECT_BY_CUSUM)) ==
	    (DETECT_BY_THRESHOLD | DETECT_BY_CUSUM))
		c += 0.15;
	if (d->cfg.syn_rate > 0 && s->peak_rate > 0)
		c += 0.15 * clamp01(log10(s->peak_rate / d->cfg.syn_rate));
	if (d->cfg.completion > 0)
		c += 0.1 * clamp01(1.0 - r->completion / d->cfg.completion);
	if ((r->verdict == DV_SPOOFED_SYN_FLOOD &&
	     r->sources >= 4u * d->cfg.spoof_sources) ||
	    (r->verdict == DV_SINGLE_SOURCE_FLOOD && share >= 0.9) ||
	    r->closed_port)
		c += 0.09;
	return c > 0.99 ? 0.99 : c;
}

/* Fills the live figures of an entity's alert. */
static void fill_entity(struct aslot *s, const struct dent *e,
			enum dkind kind, const struct wview *v)
{
	struct detect_alert *r = &s->rec;
	const uint64_t *tot = e->w.total, *b = s->base;

	r->syn_rate = v->syn_rate;
	if (v->syn_rate > s->peak_rate)
		s->peak_rate = v->syn_rate;
	r->synack_rate = v->synack_rate;
	r->half_open = e->half_open;
	if (e->half_open > r->peak_half_open)
		r->peak_half_open = e->half_open;
	r->syns = tot[DC_SYN] - b[DC_SYN];
	r->completed = tot[DC_COMPLETED] - b[DC_COMPLETED];
	r->synack_retrans = tot[DC_SYNACK_RETX] - b[DC_SYNACK_RETX];
	r->syn_retrans = tot[DC_SYN_RETX] - b[DC_SYN_RETX];
	if (r->verdict == DV_BACKSCATTER) {
		r->synacks = tot[DC_UNSOL_SA] - b[DC_UNSOL_SA];
		r->rsts = tot[DC_UNSOL_RST] - b[DC_UNSOL_RST];
	} else {
		r->synacks = tot[DC_SYNACK] - b[DC_SYNACK];
		r->rsts = tot[DC_REFUSED] - b[DC_REFUSED];
	}
	r->completion = r->syns ? clamp01((double)r->completed /
					  (double)r->syns) : 0.0;
	r->closed_port = r->verdict != DV_BACKSCATTER && r->syns &&
			 2 * r->rsts >= r->syns;
	r->reply_rate = v->reply_rate;
	if (v->reply_rate > s->peak_reply_rate)
		s->peak_reply_rate = v->reply_rate;
	r->sources = (uint64_t)llround(hll_estimate(&e->hll));
	r->ntop = topk_top(&e->top, r->top, DETECT_TOP_SOURCES);
	r->ports = kind == DK_HOST
			   ? (uint32_t)lround(lcount_estimate(&e->portset))
			   : 0;
}

/*
 * Runs one alert of an entity through a hysteresis event: opens it on a
 * raise, refreshes it while it lasts (an update every update_ns), closes
 * it on a clear.
 */
static void run_alert(struct detect *d, struct dent *e, enum dkind kind,
		      uint32_t *ref, struct hyst *h, enum hyst_event ev,
		      enum detect_verdict verdict, const struct wview *v,
		      unsigned det, unsigned thr, double conf, int64_t t,
		      int64_t end_ns)
{
	struct aslot *s = *ref ? &d->slots[*ref - 1] : NULL;

	if (ev == HYST_RAISE) {
		s = slot_open(d, kind, e, verdict, t);
		if (!s) {
			hyst_reset(h);
			return;
		}
		*ref = slot_ref(d, s);
		for (unsigned c = 0; c < DC__COUNT; c++)
			s->base[c] = e->w.total[c] - e->w.sum[c];
	}
	if (!s)
		return;
	fill_entity(s, e, kind, v);
	s->rec.detectors |= det;
	s->rec.thresholds |= thr;
	if (s->rec.verdict == DV_SYN_FLOOD ||
	    s->rec.verdict == DV_SPOOFED_SYN_FLOOD ||
	    s->rec.verdict == DV_SINGLE_SOURCE_FLOOD)
		conf = flood_confidence(d, s, top_share(e));
	if (conf > s->rec.confidence)
		s->rec.confidence = conf;
	if (ev == HYST_RAISE) {
		slot_emit(d, s, DE_START, t);
	} else if (ev == HYST_CLEAR) {
		slot_close(d, s, t, end_ns);
		*ref = 0;
	} else if (t - s->last_emit >= d->cfg.update_ns) {
		slot_emit(d, s, DE_UPDATE, t);
	}
}

static enum detect_verdict flood_verdict(const struct detect *d,
					 const struct dent *e)
{
	double n = (double)e->sketch_n, srcs = hll_estimate(&e->hll);

	if (n <= 0)
		return DV_SYN_FLOOD;
	if (top_share(e) > d->cfg.single_share)
		return DV_SINGLE_SOURCE_FLOOD;
	if (srcs >= d->cfg.spoof_sources && n / srcs <= d->cfg.spoof_per_source)
		return DV_SPOOFED_SYN_FLOOD;
	return DV_SYN_FLOOD;
}

/* A host-wide flood: its SYNs spread over ports and over sources. */
static bool host_eligible(const struct detect *d, const struct dent *e)
{
	double n = (double)e->sketch_n;

	return n > 0 && top_share(e) <= d->cfg.single_share &&
	       (double)topk16_max(&e->ports) <= 0.5 * n;
}

static void eval_flood(struct detect *d, struct dent *e, enum dkind kind,
		       const struct wview *v, int64_t t)
{
	const struct detect_config *c = &d->cfg;
	unsigned thr = 0, det = 0;
	const uint32_t *bk = e->w.b[e->w.cur];
	double resp = c->cusum_pair == DETECT_PAIR_SYNACK
			      ? (double)bk[DC_SYNACK] : (double)bk[DC_COMPLETED];
	double iv = (double)c->interval_ns / 1e9;
	bool retrying = v->syn > 0 && v->retx >= c->retry_ratio * v->syn;
	bool strong;

	if (v->syn_rate >= c->syn_rate)
		thr |= DETECT_T_SYN_RATE;
	if (v->syn > 0 && v->completion < c->completion)
		thr |= DETECT_T_COMPLETION;
	if ((double)e->half_open >= c->half_open)
		thr |= DETECT_T_HALF_OPEN;
	if (v->syn > 0 && 2.0 * v->refused >= v->syn)
		thr |= DETECT_T_REFUSED;
	if (v->syn > 0 && 2.0 * (v->synack + v->refused) < v->syn)
		thr |= DETECT_T_UNANSWERED;
	strong = (thr & (DETECT_T_HALF_OPEN | DETECT_T_REFUSED)) ||
		 (v->syn > 0 && 10.0 * (v->synack + v->refused) <= v->syn);
	/* a detector switched off (cfg.detectors) never fires; the CUSUM is
	 * then not even stepped, so it keeps no state */
	if ((c->detectors & DETECT_BY_THRESHOLD) &&
	    (thr & DETECT_T_SYN_RATE) && (thr & DETECT_T_COMPLETION) &&
	    (thr & (DETECT_T_HALF_OPEN | DETECT_T_REFUSED |
		    DETECT_T_UNANSWERED)) && !retrying)
		det |= DETECT_BY_THRESHOLD;
	if ((c->detectors & DETECT_BY_CUSUM) &&
	    cusum_step(&e->cs, (double)bk[DC_SYN], resp, c->syn_rate * iv,
		       c->cusum_a, c->cusum_h, 0.99) &&
	    (thr & DETECT_T_SYN_RATE) && !retrying) {
		det |= DETECT_BY_CUSUM;
		thr |= DETECT_T_CUSUM;
	}
	/* weak evidence must outlast the senders' first retransmission */
	if (!det || strong || e->flood_alert)
		e->weak_since = det ? e->weak_since : INT64_MIN;
	else if (e->weak_since == INT64_MIN)
		e->weak_since = t;
	if (det && !strong && !e->flood_alert &&
	    since(t, e->weak_since) < RETRY_WAIT_NS)
		det = 0;
	if (det) {
		if (!e->flood_alert &&
		    since(t, e->last_pressure) > EPISODE_GAP_NS)
			dv_entity_reset_sketch(e);
		e->last_pressure = t;
	}
	/* this bucket alone still carried a flood's excess */
	if ((double)bk[DC_SYN] - (double)bk[DC_COMPLETED] >=
	    0.5 * c->syn_rate * iv)
		e->last_hot = t;
	bool raise = det && (kind == DK_TARGET || host_eligible(d, e));
	bool calm = v->excess_rate < 0.5 * c->syn_rate;
	enum hyst_event ev = hyst_step(&e->flood, raise, calm, t, c->raise_ns,
				       c->hold_ns, c->clear_ns);
	int64_t end = e->last_hot != INT64_MIN && e->last_hot < e->flood.since
			      ? e->last_hot : e->flood.since;
	run_alert(d, e, kind, &e->flood_alert, &e->flood, ev,
		  ev == HYST_RAISE ? flood_verdict(d, e) : DV_SYN_FLOOD, v,
		  det, det ? thr : 0, 0.0, t, end);
	if (ev == HYST_CLEAR)
		cusum_reset(&e->cs);
}

static void eval_backscatter(struct detect *d, struct dent *e,
			     const struct wview *v, int64_t t)
{
	const struct detect_config *c = &d->cfg;
	double replies = v->unsol_sa + v->unsol_rst;
	bool raise = v->reply_rate >= c->backscatter_rate &&
		     v->syn < 0.5 * replies;
	bool calm = v->reply_rate < 0.5 * c->backscatter_rate;
	enum hyst_event ev = hyst_step(&e->bscat, raise, calm, t, c->raise_ns,
				       c->hold_ns, c->clear_ns);
	double conf = 0.5;
	const uint32_t *bk = e->w.b[e->w.cur];
	double iv = (double)c->interval_ns / 1e9;

	if ((double)(bk[DC_UNSOL_SA] + bk[DC_UNSOL_RST]) >=
	    0.5 * c->backscatter_rate * iv)
		e->bs_last_hot = t;
	if (c->backscatter_rate > 0 && v->reply_rate > 0)
		conf += 0.25 * clamp01(log10(v->reply_rate /
					     c->backscatter_rate));
	if (hll_estimate(&e->hll) >= 8)
		conf += 0.2;
	run_alert(d, e, DK_HOST, &e->bscat_alert, &e->bscat, ev,
		  DV_BACKSCATTER, v, raise ? DETECT_BY_THRESHOLD : 0,
		  raise ? DETECT_T_BACKSCATTER : 0, conf, t,
		  e->bs_last_hot != INT64_MIN && e->bs_last_hot < e->bscat.since
			  ? e->bs_last_hot : e->bscat.since);
}

static void eval_cookies(struct detect *d, struct dent *e,
			 const struct wview *v, int64_t t)
{
	const struct detect_config *c = &d->cfg;
	const uint64_t *s = e->w.sum;
	double ts_n = (double)s[DC_CK_TS_N], opt_n = (double)s[DC_CK_OPT_N];
	bool ts_ev = ts_n >= 8 && (double)s[DC_CK_TS_MATCH] >= 0.5 * ts_n;
	bool opt_ev = opt_n >= 8 && e->echoed_opts &&
		      (double)s[DC_CK_OPT_DROP] >= 0.8 * opt_n;
	/* the fingerprints that tell a resent SYN-ACK must outlive the
	 * first resend (1 s): at most a quarter of the slots per second */
	bool beh_ev = e->flood_alert &&
		      t - e->flood.raised >= COOKIE_WAIT_NS &&
		      v->synack >= 0.8 * v->syn &&
		      v->synack_retx < 0.25 * v->synack &&
		      (v->syn + v->synack) / window_s(d) <
			      DETECT_FP_SLOTS / 4.0;
	bool any = ts_ev || opt_ev || beh_ev;
	bool raise = any && v->syn_rate >= c->syn_rate;
	bool calm = !any || v->syn_rate < 0.5 * c->syn_rate;
	enum hyst_event ev = hyst_step(&e->cookie, raise, calm, t, c->raise_ns,
				       c->hold_ns, c->clear_ns);
	double conf = ts_ev ? 0.9 : opt_ev ? 0.8 : beh_ev ? 0.6 : 0.0;

	run_alert(d, e, DK_TARGET, &e->cookie_alert, &e->cookie, ev,
		  DV_SYN_COOKIES, v, raise ? DETECT_BY_THRESHOLD : 0,
		  raise ? DETECT_T_COOKIES : 0, conf, t, e->cookie.since);
	if (raise && e->flood_alert)
		d->slots[e->flood_alert - 1].rec.thresholds |= DETECT_T_COOKIES;
}

void dv_eval_entity(struct detect *d, struct dent *e, enum dkind kind,
		    int64_t t)
{
	struct wview v;

	read_window(d, e, &v);
	eval_flood(d, e, kind, &v, t);
	if (kind == DK_HOST)
		eval_backscatter(d, e, &v, t);
	else
		eval_cookies(d, e, &v, t);
}

/* Scans */

static void fill_pair(const struct detect *d, struct aslot *s,
		      const struct dpair *p, int64_t t)
{
	struct detect_alert *r = &s->rec;
	int64_t span = t - p->win_start;

	if (span < d->cfg.interval_ns)
		span = d->cfg.interval_ns;
	r->syn_rate = (double)p->syns / ((double)span / 1e9);
	if (r->syn_rate > s->peak_rate)
		s->peak_rate = r->syn_rate;
	r->syns = p->syns;
	r->completed = p->completed;
	r->rsts = p->refused;
	r->completion = p->syns ? clamp01((double)p->completed /
					  (double)p->syns) : 0.0;
	r->ports = (uint32_t)lround(lcount_estimate(&p->ports));
	r->closed_port = p->syns && 2 * p->refused >= p->syns;
	r->sources = 1;
	r->ntop = 1;
	daddr_set(&r->top[0].addr, p->h.key.version, p->h.key.b);
	r->top[0].count = p->syns;
	r->detectors = DETECT_BY_THRESHOLD;
	r->thresholds |= DETECT_T_SCAN_PORTS;
	if (r->completion < d->cfg.completion)
		r->thresholds |= DETECT_T_COMPLETION;
	r->confidence = 0.6 + 0.3 * clamp01((double)r->ports /
					    (4.0 * d->cfg.scan_ports)) +
			0.09 * clamp01(1.0 - r->completion);
}

void dv_pair_syn(struct detect *d, struct dpair *p, uint16_t dport,
		 int64_t t)
{
	if (!p->syns ||
	    (!p->alert && t - p->win_start >= d->cfg.scan_window_ns)) {
		lcount_reset(&p->ports);
		p->syns = p->completed = p->refused = 0;
		p->win_start = t;
	}
	lcount_add(&p->ports, dhash(&d->hk, &dport, sizeof(dport)));
	p->syns++;
	p->last_syn = t;
	if (p->alert) {
		struct aslot *s = &d->slots[p->alert - 1];
		fill_pair(d, s, p, t);
		if (t - s->last_emit >= d->cfg.update_ns)
			slot_emit(d, s, DE_UPDATE, t);
		return;
	}
	if (lcount_estimate(&p->ports) < d->cfg.scan_ports ||
	    (double)p->completed >= d->cfg.completion * (double)p->syns)
		return;
	struct aslot *s = slot_open(d, DK_PAIR, p, DV_SYN_SCAN, t);
	if (!s)
		return;
	p->alert = slot_ref(d, s);
	fill_pair(d, s, p, t);
	slot_emit(d, s, DE_START, t);
}

void dv_pair_tick(struct detect *d, struct dpair *p, int64_t t)
{
	struct aslot *s;

	if (!p->alert)
		return;
	s = &d->slots[p->alert - 1];
	if (t - p->last_syn < d->cfg.clear_ns ||
	    t - s->rec.start_ns < d->cfg.hold_ns)
		return;
	fill_pair(d, s, p, t);
	slot_close(d, s, t, p->last_syn);
	p->alert = 0;
}

/* The end of the input: every open alert ends now (or when it calmed). */
void dv_close_all(struct detect *d, int64_t t)
{
	for (uint32_t i = 0; i < d->cfg.max_alerts && d->nactive; i++) {
		struct aslot *s = &d->slots[i];
		if (!s->used)
			continue;
		if (s->kind == DK_PAIR) {
			struct dpair *p = entity_of(d, s);
			fill_pair(d, s, p, t);
			slot_close(d, s, t, p->last_syn);
			p->alert = 0;
			continue;
		}
		struct dent *e = entity_of(d, s);
		struct wview v;
		struct hyst *h;
		uint32_t *ref;
		if (e->flood_alert == slot_ref(d, s)) {
			h = &e->flood;
			ref = &e->flood_alert;
		} else if (e->cookie_alert == slot_ref(d, s)) {
			h = &e->cookie;
			ref = &e->cookie_alert;
		} else {
			h = &e->bscat;
			ref = &e->bscat_alert;
		}
		read_window(d, e, &v);
		fill_entity(s, e, s->kind, &v);
		slot_close(d, s, t, h->state == HY_CLEARING ? h->since : t);
		hyst_reset(h);
		*ref = 0;
	}
}
