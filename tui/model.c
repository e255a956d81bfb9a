/*
 * The dashboard's live accumulators: everything here is fed per packet or
 * per flow event and costs O(1) each time, so the model can keep up with
 * whatever the capture hands it. Rings overwrite their oldest entry; the
 * pinned connection has rings of its own so that, while its detail is
 * open, a flood of other packets cannot push its ladder out.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEEN_SLOTS (sizeof(((struct tui_model *)0)->seen) / \
		    sizeof(((struct tui_model *)0)->seen[0]))

static size_t ring_slot(const struct tui_ring *r)
{
	return r->head % r->cap;
}

/* Index of the oldest entry still held, in records ever written. */
static size_t ring_start(const struct tui_ring *r)
{
	return r->head > r->cap ? r->head - r->cap : 0;
}

struct tui_model *tui_model_create(void)
{
	struct tui_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->first_ns = -1;
	m->last_ns = -1;
	m->now_ns = -1;
	for (size_t i = 0; i < TUI_SPARK_SECS; i++)
		m->b[i].sec = INT64_MIN;
	m->pkt_ring.cap = TUI_PKT_RING;
	m->hist_ring.cap = TUI_HIST_RING;
	m->closed_ring.cap = TUI_CLOSED_MAX;
	m->pin_pkt_ring.cap = TUI_PIN_PKTS;
	m->pin_hist_ring.cap = TUI_PIN_HIST;
	return m;
}

void tui_model_destroy(struct tui_model *m)
{
	free(m);
}

/* Floor division: packet times before 1970 still land in one second. */
static int64_t sec_of(int64_t ns)
{
	int64_t s = ns / TUI_NS_PER_S;

	return (ns % TUI_NS_PER_S < 0) ? s - 1 : s;
}

static size_t bucket_slot(int64_t sec)
{
	int64_t r = sec % TUI_SPARK_SECS;

	return (size_t)(r < 0 ? r + TUI_SPARK_SECS : r);
}

/* The bucket of the second holding ts, or NULL when it is too old to
 * count (an out-of-order packet from minutes ago). */
static struct tui_bucket *bucket_at(struct tui_model *m, int64_t ts)
{
	int64_t sec = sec_of(ts);
	struct tui_bucket *b = &m->b[bucket_slot(sec)];

	if (b->sec == sec)
		return b;
	if (b->sec > sec)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->sec = sec;
	return b;
}

void tui_model_set_now(struct tui_model *m, int64_t now_ns)
{
	if (now_ns > m->now_ns)
		m->now_ns = now_ns;
}

static void push_pkt(struct tui_model *m, const struct tui_pkt_rec *r)
{
	m->pkts[ring_slot(&m->pkt_ring)] = *r;
	m->pkt_ring.head++;
	if (m->pin_id && r->conn_id == m->pin_id) {
		m->pin_pkts[ring_slot(&m->pin_pkt_ring)] = *r;
		m->pin_pkt_ring.head++;
	}
}

void tui_model_packet(struct tui_model *m, const struct tui_packet *p)
{
	struct tui_bucket *b;
	uint16_t fl;

	m->packets++;
	m->bytes += p->wirelen;
	if (m->first_ns < 0)
		m->first_ns = p->ts_ns;
	if (p->ts_ns > m->last_ns)
		m->last_ns = p->ts_ns;
	tui_model_set_now(m, p->ts_ns);
	b = bucket_at(m, p->ts_ns);
	if (b) {
		b->pkts++;
		b->bytes += p->wirelen;
	}
	if (!p->dp)
		return;
	m->tcp_packets++;
	fl = p->dp->tcp.flags;
	if ((fl & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
		m->syn_pkts++;
		if (b)
			b->syns++;
	}
	if (!p->info.conn_id)
		return;
	struct tui_pkt_rec r = {
		.ts_ns = p->ts_ns,
		.conn_id = p->info.conn_id,
		.rel_seq = p->info.rel_seq,
		.rel_ack = p->info.rel_ack,
		.len = p->dp->tcp.payload_len,
		.analysis = p->info.analysis,
		.flags = fl,
		.win = p->dp->tcp.win,
		.from = (uint8_t)p->info.from,
		.seq_known = p->info.rel_seq_known,
		.ack_known = p->info.rel_ack_known,
	};
	push_pkt(m, &r);
}

static void push_hist(struct tui_model *m, const struct tui_hist_rec *h)
{
	m->hist[ring_slot(&m->hist_ring)] = *h;
	m->hist_ring.head++;
	if (m->pin_id && h->conn_id == m->pin_id) {
		m->pin_hist[ring_slot(&m->pin_hist_ring)] = *h;
		m->pin_hist_ring.head++;
	}
}

static void note(struct tui_model *m, const struct conn_record *c,
		 int64_t ts, unsigned cause)
{
	size_t slot = (size_t)(c->id % SEEN_SLOTS);
	uint8_t o = (uint8_t)c->orig.state, r = (uint8_t)c->resp.state;

	if (m->seen[slot].id == c->id && m->seen[slot].orig == o &&
	    m->seen[slot].resp == r)
		return;
	if (m->seen[slot].id != c->id)
		m->seen[slot].teardown = false;
	m->seen[slot].id = c->id;
	m->seen[slot].orig = o;
	m->seen[slot].resp = r;
	struct tui_hist_rec h = {
		.ts_ns = ts, .conn_id = c->id, .orig = o, .resp = r,
		.cause = (uint8_t)cause,
	};
	push_hist(m, &h);
}

void tui_model_note_states(struct tui_model *m, const struct conn_record *c,
			   int64_t ts)
{
	note(m, c, ts, TUI_CAUSE_SEEN);
}

bool tui_model_watching(const struct tui_model *m, uint64_t conn_id)
{
	size_t slot = (size_t)(conn_id % SEEN_SLOTS);

	return conn_id && m->seen[slot].id == conn_id &&
	       m->seen[slot].teardown;
}

static void add_rtt(struct tui_model *m, int64_t rtt)
{
	if (rtt < 0)
		return;
	m->rtt[m->rtt_n % TUI_RTT_SAMPLES] = rtt;
	m->rtt_n++;
}

static void keep_closed(struct tui_model *m, const struct conn_record *c)
{
	m->closed[ring_slot(&m->closed_ring)] = *c;
	m->closed_ring.head++;
}

void tui_model_flow_event(void *ctx, const struct flow_event *ev)
{
	struct tui_model *m = ctx;
	const struct conn_record *c = ev->conn;
	struct tui_bucket *b;
	size_t slot = (size_t)(c->id % SEEN_SLOTS);

	note(m, c, ev->ts_ns, ev->type);
	switch (ev->type) {
	case FLOW_EV_SYN:
		m->attempts++;
		break;
	case FLOW_EV_ESTABLISHED:
		m->completed++;
		b = bucket_at(m, ev->ts_ns);
		if (b)
			b->done++;
		add_rtt(m, c->irtt_ns);
		break;
	case FLOW_EV_REFUSED:
		m->refused++;
		break;
	case FLOW_EV_RST:
		m->resets++;
		m->seen[slot].teardown = true;
		break;
	case FLOW_EV_FIN:
		m->fins++;
		m->seen[slot].teardown = true;
		break;
	case FLOW_EV_CLOSED:
		if (c->handshake == HS_UNANSWERED)
			m->unanswered++;
		m->seen[slot].teardown = false;
		keep_closed(m, c);
		break;
	default:
		break;
	}
}

void tui_model_alert(void *ctx, const struct detect_alert *a)
{
	struct tui_model *m = ctx;

	if (a->event == DE_START)
		m->alerts_started++;
}

void tui_model_pin(struct tui_model *m, uint64_t conn_id)
{
	if (m->pin_id == conn_id)
		return;
	m->pin_id = conn_id;
	m->pin_pkt_ring.head = 0;
	m->pin_hist_ring.head = 0;
	if (!conn_id)
		return;
	for (size_t i = ring_start(&m->pkt_ring); i < m->pkt_ring.head; i++) {
		const struct tui_pkt_rec *r = &m->pkts[i % m->pkt_ring.cap];

		if (r->conn_id == conn_id) {
			m->pin_pkts[ring_slot(&m->pin_pkt_ring)] = *r;
			m->pin_pkt_ring.head++;
		}
	}
	for (size_t i = ring_start(&m->hist_ring); i < m->hist_ring.head;
	     i++) {
		const struct tui_hist_rec *h = &m->hist[i % m->hist_ring.cap];

		if (h->conn_id == conn_id) {
			m->pin_hist[ring_slot(&m->pin_hist_ring)] = *h;
			m->pin_hist_ring.head++;
		}
	}
}

size_t tui_model_pinned_pkts(const struct tui_model *m,
			     const struct tui_pkt_rec **out, size_t max)
{
	size_t n = 0;

	for (size_t i = ring_start(&m->pin_pkt_ring);
	     i < m->pin_pkt_ring.head && n < max; i++)
		out[n++] = &m->pin_pkts[i % m->pin_pkt_ring.cap];
	return n;
}

size_t tui_model_pinned_hist(const struct tui_model *m,
			     const struct tui_hist_rec **out, size_t max)
{
	size_t n = 0;

	for (size_t i = ring_start(&m->pin_hist_ring);
	     i < m->pin_hist_ring.head && n < max; i++)
		out[n++] = &m->pin_hist[i % m->pin_hist_ring.cap];
	return n;
}

static uint64_t bucket_value(const struct tui_bucket *b,
			     enum tui_series which)
{
	switch (which) {
	case TS_PKTS: return b->pkts;
	case TS_BYTES: return b->bytes;
	case TS_SYNS: return b->syns;
	case TS_DONE: return b->done;
	}
	return 0;
}

void tui_model_series(const struct tui_model *m, enum tui_series which,
		      uint64_t *out, size_t n)
{
	int64_t now_sec = sec_of(m->now_ns < 0 ? 0 : m->now_ns);

	for (size_t i = 0; i < n; i++) {
		int64_t sec = now_sec - (int64_t)(n - 1 - i);
		const struct tui_bucket *b = &m->b[bucket_slot(sec)];

		out[i] = (m->now_ns >= 0 && b->sec == sec &&
			  n - 1 - i < TUI_SPARK_SECS)
				 ? bucket_value(b, which)
				 : 0;
	}
}

double tui_model_rate(const struct tui_model *m, enum tui_series which)
{
	uint64_t v[TUI_RATE_SECS], sum = 0;
	double span;

	if (m->first_ns < 0 || m->now_ns < 0)
		return 0;
	tui_model_series(m, which, v, TUI_RATE_SECS);
	for (size_t i = 0; i < TUI_RATE_SECS; i++)
		sum += v[i];
	span = (double)(m->now_ns - m->first_ns) / (double)TUI_NS_PER_S;
	if (span > TUI_RATE_SECS)
		span = TUI_RATE_SECS;
	if (span < 1)
		span = 1;
	return (double)sum / span;
}

int tui_spark_level(uint64_t v, uint64_t max)
{
	if (v == 0 || max == 0)
		return 0;
	if (v >= max)
		return TUI_SPARK_LEVELS;
	/* 1..8, rounded up so that any traffic shows */
	uint64_t l = (v * TUI_SPARK_LEVELS + max - 1) / max;
	return l < 1 ? 1 : (int)l;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t tui_pct(int64_t *v, size_t n, double pct)
{
	size_t rank;

	if (n == 0)
		return -1;
	qsort(v, n, sizeof(v[0]), cmp_i64);
	/* nearest rank: the smallest value with pct% of samples at or
	 * below it */
	rank = (size_t)((pct / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

int64_t tui_model_rtt_pct(const struct tui_model *m, double pct)
{
	int64_t v[TUI_RTT_SAMPLES];
	size_t n = m->rtt_n < TUI_RTT_SAMPLES ? m->rtt_n : TUI_RTT_SAMPLES;

	memcpy(v, m->rtt, n * sizeof(v[0]));
	return tui_pct(v, n, pct);
}

const char *tui_cause_name(unsigned cause)
{
	if (cause < FLOW_EV__COUNT)
		return flow_event_name((enum flow_event_type)cause);
	return "seen";
}

void tui_fmt_dur(int64_t ns, char *out, size_t outlen)
{
	double s = (double)ns / (double)TUI_NS_PER_S;

	if (ns < 0)
		snprintf(out, outlen, "-");
	else if (ns < 1000000)
		snprintf(out, outlen, "%lldus", (long long)(ns / 1000));
	else if (ns < 10000000)
		snprintf(out, outlen, "%.2fms", (double)ns / 1e6);
	else if (ns < 100000000)
		snprintf(out, outlen, "%.1fms", (double)ns / 1e6);
	else if (ns < TUI_NS_PER_S)
		snprintf(out, outlen, "%lldms", (long long)(ns / 1000000));
	else if (s < 10)
		snprintf(out, outlen, "%.2fs", s);
	else if (s < 60)
		snprintf(out, outlen, "%.1fs", s);
	else if (s < 3600)
		snprintf(out, outlen, "%dm%02ds", (int)(s / 60),
			 (int)s % 60);
	else
		snprintf(out, outlen, "%lldh%02dm", (long long)(s / 3600),
			 (int)(s / 60) % 60);
}

void tui_fmt_count(uint64_t v, char *out, size_t outlen)
{
	static const char units[] = "KMGTP";
	double d = (double)v;
	int u = -1;

	if (v < 10000) {
		snprintf(out, outlen, "%llu", (unsigned long long)v);
		return;
	}
	while (d >= 999.5 && u < 4) {
		d /= 1000;
		u++;
	}
	if (d < 9.95)
		snprintf(out, outlen, "%.1f%c", d, units[u]);
	else
		snprintf(out, outlen, "%.0f%c", d, units[u]);
}
