/*
 * Snapshots: a copy of every connection the flow table holds plus the
 * recently closed ones, taken between two packets, so the views can sort,
 * filter and aggregate at leisure while capture goes on. A frozen display
 * is simply a snapshot that is not replaced.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	bool desc;          /* biggest first unless reversed */
} cols[TC__COUNT] = {
	[TC_ID] = { "#", false },
	[TC_CLIENT] = { "Client", false },
	[TC_SERVER] = { "Server", false },
	[TC_CSTATE] = { "C-State", false },
	[TC_SSTATE] = { "S-State", false },
	[TC_CONN] = { "Conn", false },
	[TC_HIST] = { "History", false },
	[TC_AGE] = { "Age", true },
	[TC_IDLE] = { "Idle", true },
	[TC_PKTS_CS] = { "Pk>", true },
	[TC_PKTS_SC] = { "Pk<", true },
	[TC_BYTES_CS] = { "By>", true },
	[TC_BYTES_SC] = { "By<", true },
	[TC_RTT] = { "RTT", true },
	[TC_RTX] = { "Rtx", true },
	[TC_FLAGS] = { "Flags", true },
};

const char *tui_col_name(enum tui_col c)
{
	return (unsigned)c < TC__COUNT ? cols[c].name : "?";
}

bool tui_col_desc(enum tui_col c)
{
	return (unsigned)c < TC__COUNT && cols[c].desc;
}

void tui_snap_init(struct tui_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->now_ns = -1;
	s->first_ns = -1;
}

void tui_snap_free(struct tui_snap *s)
{
	free(s->rows);
	free(s->order);
	free(s->servers);
	free(s->scratch_rtt);
	tui_snap_init(s);
}

uint32_t tui_row_retrans(const struct conn_record *c)
{
	return c->orig.analysis[AN_RETRANS] + c->resp.analysis[AN_RETRANS] +
	       c->orig.analysis[AN_FAST_RETRANS] +
	       c->resp.analysis[AN_FAST_RETRANS] +
	       c->orig.analysis[AN_SPURIOUS_RETRANS] +
	       c->resp.analysis[AN_SPURIOUS_RETRANS];
}

static uint64_t flag_total(const struct conn_record *c)
{
	uint64_t n = 0;

	for (int a = 0; a < AN__COUNT; a++)
		n += (uint64_t)c->orig.analysis[a] + c->resp.analysis[a];
	return n + c->reused + (c->rst_by != SIDE_NONE);
}

/* Grows every per-row buffer to hold n rows; -1 when memory fails. */
static int reserve(struct tui_snap *s, size_t n)
{
	if (n <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap : 256;
	while (cap < n)
		cap *= 2;
	struct tui_row *rows = realloc(s->rows, cap * sizeof(*rows));
	if (!rows)
		return -1;
	s->rows = rows;
	uint32_t *order = realloc(s->order, cap * sizeof(*order));
	if (!order)
		return -1;
	s->order = order;
	int64_t *rtt = realloc(s->scratch_rtt, cap * sizeof(*rtt));
	if (!rtt)
		return -1;
	s->scratch_rtt = rtt;
	struct tui_server *sv = realloc(s->servers, cap * sizeof(*sv));
	if (!sv)
		return -1;
	s->servers = sv;
	s->cap = s->scratch_cap = s->servers_cap = cap;
	return 0;
}

struct copy_ctx {
	struct tui_snap *s;
	struct tui_model *m;
};

static void copy_one(void *ctx, const struct conn_record *c)
{
	struct copy_ctx *cc = ctx;
	struct tui_snap *s = cc->s;

	if (s->nrows >= s->cap)
		return; /* cannot happen: sized from the table's count */
	s->rows[s->nrows].rec = *c;
	s->rows[s->nrows].closed = false;
	s->nrows++;
	tui_model_note_states(cc->m, c, c->last_ns);
	s->states[c->orig.state < EP__COUNT ? c->orig.state : EP_UNKNOWN]++;
	s->states[c->resp.state < EP__COUNT ? c->resp.state : EP_UNKNOWN]++;
	if (c->handshake == HS_PENDING)
		s->half_open++;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static int endpoint_cmp(int va, const uint8_t *a, uint16_t pa, int vb,
			const uint8_t *b, uint16_t pb)
{
	if (va != vb)
		return va < vb ? -1 : 1;
	int r = memcmp(a, b, va == 6 ? 16 : 4);
	return r ? r : cmp_u64(pa, pb);
}

static int server_cmp_key(const struct conn_record *a,
			  const struct conn_record *b)
{
	return endpoint_cmp(a->ip_version, a->resp_addr, a->resp_port,
			    b->ip_version, b->resp_addr, b->resp_port);
}

struct sort_ent {
	const struct tui_row *row;
	int64_t now;
	uint32_t idx;
	uint8_t col;
	bool rev;
};

static int by_server(const void *pa, const void *pb)
{
	const struct sort_ent *a = pa, *b = pb;
	int r = server_cmp_key(&a->row->rec, &b->row->rec);

	return r ? r : cmp_u64(a->row->rec.id, b->row->rec.id);
}

static int servers_order(const void *pa, const void *pb)
{
	const struct tui_server *a = pa, *b = pb;

	if (a->conns != b->conns)
		return a->conns > b->conns ? -1 : 1;
	if (a->half_open != b->half_open)
		return a->half_open > b->half_open ? -1 : 1;
	return endpoint_cmp(a->version, a->addr, a->port, b->version, b->addr,
			    b->port);
}

static void add_to_server(struct tui_server *sv, const struct tui_row *r,
			  int64_t *rtts, size_t *nrtt)
{
	const struct conn_record *c = &r->rec;

	sv->conns++;
	if (!r->closed && c->handshake == HS_PENDING)
		sv->half_open++;
	if (c->handshake == HS_REFUSED)
		sv->refused++;
	else if (c->rst_by != SIDE_NONE)
		sv->resets++;
	if (c->handshake == HS_UNANSWERED)
		sv->unanswered++;
	if (c->irtt_ns >= 0)
		rtts[(*nrtt)++] = c->irtt_ns;
}

/* Groups the rows by server ip:port (a sort, then one pass). */
static void build_servers(struct tui_snap *s)
{
	struct sort_ent *ent = malloc(s->nrows * sizeof(*ent) + 1);
	size_t nrtt = 0;
	struct tui_server *sv = NULL;

	s->nservers = 0;
	if (!ent)
		return;
	for (size_t i = 0; i < s->nrows; i++) {
		ent[i].row = &s->rows[i];
		ent[i].idx = (uint32_t)i;
	}
	qsort(ent, s->nrows, sizeof(*ent), by_server);
	for (size_t i = 0; i < s->nrows; i++) {
		const struct conn_record *c = &ent[i].row->rec;

		if (!sv || server_cmp_key(c, &ent[i - 1].row->rec) != 0) {
			if (sv)
				sv->rtt_median = tui_pct(s->scratch_rtt, nrtt,
							 50);
			sv = &s->servers[s->nservers++];
			memset(sv, 0, sizeof(*sv));
			sv->version = c->ip_version;
			memcpy(sv->addr, c->resp_addr, 16);
			sv->port = c->resp_port;
			nrtt = 0;
		}
		add_to_server(sv, ent[i].row, s->scratch_rtt, &nrtt);
	}
	if (sv)
		sv->rtt_median = tui_pct(s->scratch_rtt, nrtt, 50);
	qsort(s->servers, s->nservers, sizeof(*s->servers), servers_order);
	free(ent);
}

void tui_snap_take_model(struct tui_snap *s, const struct tui_model *m)
{
	const struct tui_pkt_rec *pk[TUI_PIN_PKTS];
	const struct tui_hist_rec *hi[TUI_PIN_HIST];

	s->now_ns = m->now_ns;
	s->first_ns = m->first_ns;
	s->packets = m->packets;
	s->bytes = m->bytes;
	s->tcp_packets = m->tcp_packets;
	s->syn_pkts = m->syn_pkts;
	s->attempts = m->attempts;
	s->completed = m->completed;
	s->refused = m->refused;
	s->unanswered = m->unanswered;
	s->resets = m->resets;
	s->alerts_started = m->alerts_started;
	s->pps = tui_model_rate(m, TS_PKTS);
	s->bps = tui_model_rate(m, TS_BYTES) * 8;
	s->syn_rate = tui_model_rate(m, TS_SYNS);
	s->done_rate = tui_model_rate(m, TS_DONE);
	tui_model_series(m, TS_SYNS, s->spark_syn, TUI_SPARK_SECS);
	tui_model_series(m, TS_DONE, s->spark_done, TUI_SPARK_SECS);
	s->rtt_p50 = tui_model_rtt_pct(m, 50);
	s->rtt_p99 = tui_model_rtt_pct(m, 99);
	s->rtt_n = m->rtt_n;
	s->pin_id = m->pin_id;
	s->npin_pkts = tui_model_pinned_pkts(m, pk, TUI_PIN_PKTS);
	for (size_t i = 0; i < s->npin_pkts; i++)
		s->pin_pkts[i] = *pk[i];
	s->npin_hist = tui_model_pinned_hist(m, hi, TUI_PIN_HIST);
	for (size_t i = 0; i < s->npin_hist; i++)
		s->pin_hist[i] = *hi[i];
}

int tui_snap_take(struct tui_snap *s, struct tui_model *m,
		  const struct flow_table *t)
{
	struct flow_table_stats st;
	size_t closed = m->closed_ring.head < m->closed_ring.cap
				? m->closed_ring.head
				: m->closed_ring.cap;
	struct copy_ctx cc = { .s = s, .m = m };

	flow_table_stats(t, &st);
	if (reserve(s, (size_t)st.active + closed + 1) < 0)
		return -1;
	s->flows = st;
	s->nrows = 0;
	s->half_open = 0;
	memset(s->states, 0, sizeof(s->states));
	flow_table_foreach(t, copy_one, &cc);
	s->nheld = s->nrows;
	for (size_t i = 0; i < closed; i++) {
		s->rows[s->nrows].rec = m->closed[i];
		s->rows[s->nrows].closed = true;
		s->nrows++;
	}
	s->norder = 0;
	build_servers(s);
	tui_snap_take_model(s, m);
	return 0;
}

static int col_cmp(const struct conn_record *a, const struct conn_record *b,
		   enum tui_col col, int64_t now)
{
	switch (col) {
	case TC_ID: return cmp_u64(a->id, b->id);
	case TC_CLIENT:
		return endpoint_cmp(a->ip_version, a->orig_addr, a->orig_port,
				    b->ip_version, b->orig_addr, b->orig_port);
	case TC_SERVER:
		return endpoint_cmp(a->ip_version, a->resp_addr, a->resp_port,
				    b->ip_version, b->resp_addr, b->resp_port);
	case TC_CSTATE: return cmp_u64(a->orig.state, b->orig.state);
	case TC_SSTATE: return cmp_u64(a->resp.state, b->resp.state);
	case TC_CONN:
		return strcmp(flow_zeek_state_name(a->conn_state),
			      flow_zeek_state_name(b->conn_state));
	case TC_HIST: return strcmp(a->history, b->history);
	case TC_AGE: return cmp_i64(now - a->first_ns, now - b->first_ns);
	case TC_IDLE: return cmp_i64(now - a->last_ns, now - b->last_ns);
	case TC_PKTS_CS: return cmp_u64(a->orig.pkts, b->orig.pkts);
	case TC_PKTS_SC: return cmp_u64(a->resp.pkts, b->resp.pkts);
	case TC_BYTES_CS: return cmp_u64(a->orig.bytes, b->orig.bytes);
	case TC_BYTES_SC: return cmp_u64(a->resp.bytes, b->resp.bytes);
	case TC_RTT: return cmp_i64(a->irtt_ns, b->irtt_ns);
	case TC_RTX: return cmp_u64(tui_row_retrans(a), tui_row_retrans(b));
	case TC_FLAGS: return cmp_u64(flag_total(a), flag_total(b));
	default: return 0;
	}
}

static int by_column(const void *pa, const void *pb)
{
	const struct sort_ent *a = pa, *b = pb;
	const struct conn_record *x = &a->row->rec, *y = &b->row->rec;
	int r = col_cmp(x, y, (enum tui_col)a->col, a->now);

	if (cols[a->col].desc)
		r = -r;
	if (a->rev)
		r = -r;
	/* ties keep the order of creation, whatever the direction */
	return r ? r : cmp_u64(x->id, y->id);
}

void tui_snap_select(struct tui_snap *s, const struct tui_query *q)
{
	struct sort_ent *ent = malloc(s->nrows * sizeof(*ent) + 1);
	size_t n = 0;
	enum tui_col col = (unsigned)q->sort < TC__COUNT ? q->sort : TC_ID;

	s->norder = 0;
	if (!ent)
		return;
	for (size_t i = 0; i < s->nrows; i++) {
		const struct tui_row *r = &s->rows[i];

		if (q->hide_closed && r->closed)
			continue;
		if (!tui_filter_match(q->filter, &r->rec))
			continue;
		ent[n].row = r;
		ent[n].idx = (uint32_t)i;
		ent[n].col = (uint8_t)col;
		ent[n].rev = q->reverse;
		ent[n].now = s->now_ns;
		n++;
	}
	qsort(ent, n, sizeof(*ent), by_column);
	for (size_t i = 0; i < n; i++)
		s->order[i] = ent[i].idx;
	s->norder = n;
	free(ent);
}

const struct tui_row *tui_snap_find(const struct tui_snap *s, uint64_t id)
{
	for (size_t i = 0; i < s->nrows; i++)
		if (s->rows[i].rec.id == id)
			return &s->rows[i];
	return NULL;
}
