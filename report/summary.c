/*
 * The offline summary: an accumulator fed with every closed connection
 * record, printed once at the end after the capture totals.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "alert.h"
#include "conn.h"
#include "summary.h"

/*
 * Log-scale histograms in HDR histogram's layout: a value below 2^bits has
 * a bucket of its own; above, each power of two is split into 2^bits
 * buckets, so a bucket is at most 1/2^bits as wide as the values in it.
 * Values past the top are counted in the last bucket (the exact maximum is
 * kept apart).
 */
#define RTT_BITS 7              /* buckets under 0.8% wide */
#define RTT_TOP_BITS 40         /* up to 2^40 ns, about 1100 s */
#define RTT_BUCKETS ((RTT_TOP_BITS - RTT_BITS + 1) << RTT_BITS)

/* Per server: microseconds, buckets under 12.5% wide, up to 134 s. At
 * 800 bytes of histogram a server, 4096 servers take about 3.5 MiB in
 * all, allocated once. */
#define SRV_BITS 3
#define SRV_TOP_BITS 27
#define SRV_BUCKETS ((SRV_TOP_BITS - SRV_BITS + 1) << SRV_BITS)

#define MAX_SERVERS_CAP (1u << 24)
#define TOP_CAP 1000u

struct rtt_hist {
	uint64_t count[RTT_BUCKETS];
	uint64_t n;
	int64_t min, max;
};

struct server {
	uint8_t addr[16];       /* IPv4 in the first 4 bytes, rest zero */
	uint16_t port;
	uint8_t ip_version;
	uint64_t conns, refused, unanswered, resets, rtt_n;
	int64_t rtt_min, rtt_max;       /* exact, to clamp the estimate */
};

/* A connection in the top-problems list. */
struct problem {
	uint64_t id, score;
	uint64_t retrans, lost, dup_ack, zero_win;
	enum flow_side rst_by;
	enum zeek_state conn_state;
	uint8_t ip_version;
	uint8_t orig_addr[16], resp_addr[16];
	uint16_t orig_port, resp_port;
};

enum opt_use {
	OPT_MSS, OPT_WSCALE, OPT_SACK, OPT_TS, OPT_ECN, OPT_TFO, OPT_MPTCP,
	OPT__COUNT
};

struct summary {
	struct summary_config cfg;
	uint64_t conns;
	uint64_t handshake[HS__COUNT];
	uint64_t close[CLOSE__COUNT];
	uint64_t zeek[ZK__COUNT];
	struct rtt_hist rtt[SUMMARY_RTT__COUNT];
	uint64_t analysis[2][AN__COUNT];        /* [0] orig, [1] resp */
	uint64_t hs_seen[2];                    /* SYN seen, SYN-ACK seen */
	uint64_t opt[2][OPT__COUNT];
	struct server *servers;                 /* cfg.max_servers */
	uint32_t (*server_rtt)[SRV_BUCKETS];    /* one histogram a server */
	uint32_t *slots;                        /* server index + 1; 0 empty */
	uint32_t slot_mask;
	uint32_t server_count;
	uint64_t untracked_conns;               /* servers past the cap */
	/* scratch for summary_print, allocated here so printing cannot
	 * fail; it is not part of the accumulated state */
	const struct server **order;
	struct problem *problems;               /* best first */
	unsigned problem_count;
};

static unsigned msb64(uint64_t v)
{
	unsigned m = 0;

	while (v >>= 1)
		m++;
	return m;
}

static unsigned hist_index(uint64_t v, unsigned bits, unsigned top_bits)
{
	uint64_t max = (UINT64_C(1) << top_bits) - 1;

	if (v > max)
		v = max;
	if (v < (UINT64_C(1) << bits))
		return (unsigned)v;
	unsigned e = msb64(v) - bits;
	return ((e + 1) << bits) + (unsigned)((v >> e) - (UINT64_C(1) << bits));
}

/* The middle of a bucket: the estimate for every value in it. */
static uint64_t hist_mid(unsigned idx, unsigned bits)
{
	uint64_t sub = UINT64_C(1) << bits;

	if (idx < sub)
		return idx;
	unsigned e = (idx >> bits) - 1;
	uint64_t lower = (sub + (idx & (sub - 1))) << e;
	return lower + ((UINT64_C(1) << e) >> 1);
}

/* The nearest-rank position of quantile q among n values, 1-based. */
static uint64_t quantile_rank(double q, uint64_t n)
{
	double want = q * (double)n;
	uint64_t rank = (uint64_t)want;

	if ((double)rank < want)
		rank++;
	if (rank < 1)
		rank = 1;
	return rank > n ? n : rank;
}

static void rtt_add(struct rtt_hist *h, int64_t ns)
{
	if (ns < 0)
		return;
	if (!h->n || ns < h->min)
		h->min = ns;
	if (!h->n || ns > h->max)
		h->max = ns;
	h->n++;
	h->count[hist_index((uint64_t)ns, RTT_BITS, RTT_TOP_BITS)]++;
}

static int64_t rtt_quantile(const struct rtt_hist *h, double q)
{
	if (!h->n)
		return -1;
	if (!(q > 0)) /* also NaN: the rank below must not cast it */
		return h->min;
	if (q >= 1)
		return h->max;
	uint64_t rank = quantile_rank(q, h->n), cum = 0;
	unsigned i = 0;
	for (; i < RTT_BUCKETS - 1; i++) {
		cum += h->count[i];
		if (cum >= rank)
			break;
	}
	int64_t v = (int64_t)hist_mid(i, RTT_BITS);
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

static int64_t server_median(const struct summary *s, const struct server *sv)
{
	const uint32_t *count = s->server_rtt[sv - s->servers];
	uint64_t rank = quantile_rank(0.5, sv->rtt_n), cum = 0;
	unsigned i = 0;

	if (!sv->rtt_n)
		return -1;
	for (; i < SRV_BUCKETS - 1; i++) {
		cum += count[i];
		if (cum >= rank)
			break;
	}
	int64_t v = (int64_t)hist_mid(i, SRV_BITS) * 1000;
	if (v < sv->rtt_min)
		return sv->rtt_min;
	return v > sv->rtt_max ? sv->rtt_max : v;
}

void summary_config_default(struct summary_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_servers = 4096;
	c->top_servers = 20;
	c->top_problems = 10;
}

struct summary *summary_create(const struct summary_config *cfg)
{
	struct summary *s = calloc(1, sizeof(*s));
	uint32_t slots = 2;

	if (!s)
		return NULL;
	if (cfg)
		s->cfg = *cfg;
	else
		summary_config_default(&s->cfg);
	if (s->cfg.max_servers > MAX_SERVERS_CAP)
		s->cfg.max_servers = MAX_SERVERS_CAP;
	if (s->cfg.top_problems > TOP_CAP)
		s->cfg.top_problems = TOP_CAP;
	/* at most half full, so probes stay short */
	while (slots < 2 * s->cfg.max_servers)
		slots *= 2;
	size_t n = s->cfg.max_servers ? s->cfg.max_servers : 1;
	s->servers = calloc(n, sizeof(*s->servers));
	s->server_rtt = calloc(n, sizeof(*s->server_rtt));
	s->order = calloc(n, sizeof(*s->order));
	s->slots = calloc(slots, sizeof(*s->slots));
	s->problems = calloc(s->cfg.top_problems ? s->cfg.top_problems : 1,
			     sizeof(*s->problems));
	s->slot_mask = slots - 1;
	if (!s->servers || !s->server_rtt || !s->order || !s->slots ||
	    !s->problems) {
		summary_destroy(s);
		return NULL;
	}
	return s;
}

void summary_destroy(struct summary *s)
{
	if (!s)
		return;
	free(s->servers);
	free(s->server_rtt);
	free(s->order);
	free(s->slots);
	free(s->problems);
	free(s);
}

/* splitmix64's finaliser */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Keyed with a seed the caller may draw at start-up, so crafted server
 * addresses cannot be aimed at one probe chain; the work per record is
 * bounded by the table size either way. */
static uint32_t server_hash(uint64_t seed, const struct server *k)
{
	uint64_t a = 0, b = 0;

	for (int i = 0; i < 8; i++) {
		a = a << 8 | k->addr[i];
		b = b << 8 | k->addr[8 + i];
	}
	uint64_t h = mix64(seed ^ a);
	h = mix64(h ^ b);
	h = mix64(h ^ ((uint64_t)k->ip_version << 16 | k->port));
	return (uint32_t)(h ^ (h >> 32));
}

static bool server_same(const struct server *a, const struct server *b)
{
	return a->port == b->port && a->ip_version == b->ip_version &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* The server's entry, created if there is room; NULL past the cap. */
static struct server *server_find(struct summary *s,
				  const struct conn_record *c)
{
	struct server key;

	memset(&key, 0, sizeof(key));
	key.ip_version = c->ip_version == 6 ? 6 : 4;
	memcpy(key.addr, c->resp_addr, key.ip_version == 6 ? 16 : 4);
	key.port = c->resp_port;
	uint32_t i = server_hash(s->cfg.seed, &key) & s->slot_mask;
	for (;; i = (i + 1) & s->slot_mask) {
		uint32_t at = s->slots[i];
		if (!at)
			break;
		if (server_same(&s->servers[at - 1], &key))
			return &s->servers[at - 1];
	}
	if (s->server_count >= s->cfg.max_servers)
		return NULL;
	s->servers[s->server_count] = key;
	s->slots[i] = ++s->server_count;
	return &s->servers[s->server_count - 1];
}

static void add_server(struct summary *s, const struct conn_record *c)
{
	struct server *sv = server_find(s, c);

	if (!sv) {
		s->untracked_conns++;
		return;
	}
	sv->conns++;
	sv->refused += c->handshake == HS_REFUSED;
	sv->unanswered += c->handshake == HS_UNANSWERED;
	sv->resets += c->close == CLOSE_RST;
	if (c->irtt_ns >= 0) {
		uint32_t *b = &s->server_rtt[sv - s->servers][
			hist_index((uint64_t)c->irtt_ns / 1000, SRV_BITS,
				   SRV_TOP_BITS)];
		if (*b < UINT32_MAX)
			(*b)++;
		if (!sv->rtt_n || c->irtt_ns < sv->rtt_min)
			sv->rtt_min = c->irtt_ns;
		if (!sv->rtt_n || c->irtt_ns > sv->rtt_max)
			sv->rtt_max = c->irtt_ns;
		sv->rtt_n++;
	}
}

static uint64_t both(const struct conn_record *c, enum flow_analysis a)
{
	return (uint64_t)c->orig.analysis[a] + c->resp.analysis[a];
}

static bool problem_before(const struct problem *a, const struct problem *b)
{
	return a->score > b->score || (a->score == b->score && a->id < b->id);
}

/*
 * The score of docs/conns.md: retransmissions (plain, fast and spurious)
 * + lost segments + duplicate ACKs + zero windows + 1 for an RST that
 * aborted the connection (a refused SYN is not counted: the servers table
 * shows those).
 */
static void add_problem(struct summary *s, const struct conn_record *c)
{
	struct problem p = {
		.id = c->id,
		.retrans = both(c, AN_RETRANS) + both(c, AN_FAST_RETRANS) +
			   both(c, AN_SPURIOUS_RETRANS),
		.lost = both(c, AN_LOST_SEGMENT),
		.dup_ack = both(c, AN_DUP_ACK),
		.zero_win = both(c, AN_ZERO_WINDOW),
		.rst_by = c->close == CLOSE_RST ? c->rst_by : SIDE_NONE,
		.conn_state = c->conn_state,
		.ip_version = c->ip_version == 6 ? 6 : 4,
		.orig_port = c->orig_port,
		.resp_port = c->resp_port,
	};
	unsigned n = s->cfg.top_problems, pos = 0;

	p.score = p.retrans + p.lost + p.dup_ack + p.zero_win +
		  (c->close == CLOSE_RST);
	if (!p.score || !n)
		return;
	while (pos < s->problem_count && !problem_before(&p, &s->problems[pos]))
		pos++;
	if (pos >= n)
		return;
	memcpy(p.orig_addr, c->orig_addr, sizeof(p.orig_addr));
	memcpy(p.resp_addr, c->resp_addr, sizeof(p.resp_addr));
	unsigned keep = s->problem_count < n ? s->problem_count : n - 1;
	memmove(&s->problems[pos + 1], &s->problems[pos],
		(keep - pos) * sizeof(p));
	s->problems[pos] = p;
	s->problem_count = keep + 1;
}

static void add_options(struct summary *s, int side, const struct conn_opts *o)
{
	uint64_t *u = s->opt[side];

	s->hs_seen[side]++;
	u[OPT_MSS] += o->mss >= 0;
	u[OPT_WSCALE] += o->wscale >= 0;
	u[OPT_SACK] += o->sack_ok;
	u[OPT_TS] += o->ts;
	u[OPT_ECN] += o->ecn;
	u[OPT_TFO] += o->tfo;
	u[OPT_MPTCP] += o->mptcp;
}

void summary_add_conn(struct summary *s, const struct conn_record *c)
{
	s->conns++;
	if ((unsigned)c->handshake < HS__COUNT)
		s->handshake[c->handshake]++;
	if ((unsigned)c->close < CLOSE__COUNT)
		s->close[c->close]++;
	if ((unsigned)c->conn_state < ZK__COUNT)
		s->zeek[c->conn_state]++;
	rtt_add(&s->rtt[SUMMARY_RTT_IRTT], c->irtt_ns);
	rtt_add(&s->rtt[SUMMARY_RTT_SYN_SYNACK], c->syn_synack_ns);
	rtt_add(&s->rtt[SUMMARY_RTT_SYNACK_ACK], c->synack_ack_ns);
	for (unsigned a = 0; a < AN__COUNT; a++) {
		s->analysis[0][a] += c->orig.analysis[a];
		s->analysis[1][a] += c->resp.analysis[a];
	}
	if (c->syn_ns >= 0)
		add_options(s, 0, &c->orig.opts);
	if (c->synack_ns >= 0)
		add_options(s, 1, &c->resp.opts);
	add_server(s, c);
	add_problem(s, c);
}

int64_t summary_rtt_quantile_ns(const struct summary *s,
				enum summary_rtt which, double q)
{
	if ((unsigned)which >= SUMMARY_RTT__COUNT)
		return -1;
	return rtt_quantile(&s->rtt[which], q);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* "850.0 us", "12.35 ms", "1.250 s"; "-" for unknown. */
static const char *fmt_dur(char buf[24], int64_t ns)
{
	if (ns < 0)
		snprintf(buf, 24, "-");
	else if (ns < 1000000)
		snprintf(buf, 24, "%.1f us", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, 24, "%.2f ms", (double)ns / 1e6);
	else
		snprintf(buf, 24, "%.3f s", (double)ns / 1e9);
	return buf;
}

/* "192.0.2.1:80", "[2001:db8::1]:80" */
static const char *fmt_endpoint(char buf[ADDR_TEXT_MAX + 8], int version,
				const uint8_t *addr, uint16_t port)
{
	char a[ADDR_TEXT_MAX];

	addr_format(a, version, addr);
	if (version == 6)
		snprintf(buf, ADDR_TEXT_MAX + 8, "[%s]:%u", a, (unsigned)port);
	else
		snprintf(buf, ADDR_TEXT_MAX + 8, "%s:%u", a, (unsigned)port);
	return buf;
}

static void print_capture(FILE *out, const struct summary_context *ctx)
{
	run_totals_print(out, ctx->totals, ctx->source ? ctx->source : "-",
			 ctx->linktype_name ? ctx->linktype_name : "?",
			 ctx->ts_digits);
	if (ctx->live)
		fprintf(out, "  %-22s %" PRIu64 " received by filter, %" PRIu64
			     " dropped by kernel, %" PRIu64
			     " dropped by interface\n", "capture",
			ctx->received, ctx->dropped_kernel,
			ctx->dropped_iface);
}

static void print_counts(FILE *out, const char *title, const uint64_t *v,
			 unsigned n, const char *(*name)(unsigned),
			 bool skip_zero, uint64_t whole)
{
	fprintf(out, "%s\n", title);
	for (unsigned i = 0; i < n; i++) {
		if (skip_zero && !v[i])
			continue;
		fprintf(out, "  %-22s %" PRIu64 " (%.1f%%)\n", name(i), v[i],
			pct(v[i], whole));
	}
}

static const char *hs_name(unsigned i)
{
	return flow_handshake_name((enum handshake_outcome)i);
}

static const char *close_name(unsigned i)
{
	return flow_close_name((enum close_kind)i);
}

static const char *zeek_name(unsigned i)
{
	return flow_zeek_state_name((enum zeek_state)i);
}

static void print_connections(FILE *out, const struct summary *s,
			      const struct summary_context *ctx)
{
	fprintf(out, "\nConnections: %" PRIu64 "\n", s->conns);
	if (ctx->flows)
		fprintf(out, "  %-22s peak %" PRIu64 ", expired %" PRIu64
			     ", evicted %" PRIu64 ", refused %" PRIu64
			     " (table full), 4-tuples reused %" PRIu64 "\n",
			"flow table",
			ctx->flows->peak, ctx->flows->expired,
			ctx->flows->evicted, ctx->flows->refused,
			ctx->flows->reused);
	print_counts(out, "Handshakes:", s->handshake, HS__COUNT, hs_name,
		     false, s->conns);
	print_counts(out, "Teardowns:", s->close, CLOSE__COUNT, close_name,
		     false, s->conns);
	print_counts(out, "Zeek conn_state:", s->zeek, ZK__COUNT, zeek_name,
		     true, s->conns);
}

static void print_rtt(FILE *out, const struct summary *s)
{
	static const char *const label[SUMMARY_RTT__COUNT] = {
		"iRTT (SYN to ACK)", "SYN to SYN-ACK", "SYN-ACK to ACK",
	};
	static const double q[] = { 0.5, 0.9, 0.99, 1.0 };
	char b[24];

	fputs("\nHandshake RTT (percentiles estimated from a log histogram, "
	      "within 0.4%):\n", out);
	fprintf(out, "  %-22s %11s %11s %11s %11s %9s\n", "", "p50", "p90",
		"p99", "max", "samples");
	for (unsigned r = 0; r < SUMMARY_RTT__COUNT; r++) {
		fprintf(out, "  %-22s", label[r]);
		for (unsigned i = 0; i < 4; i++)
			fprintf(out, " %11s",
				fmt_dur(b, rtt_quantile(&s->rtt[r], q[i])));
		fprintf(out, " %9" PRIu64 "\n", s->rtt[r].n);
	}
}

static void print_options(FILE *out, const struct summary *s)
{
	static const char *const label[OPT__COUNT] = {
		"MSS", "window scale", "SACK permitted", "timestamps", "ECN",
		"TFO", "MPTCP",
	};

	fputs("\nTCP options in handshakes:\n", out);
	fprintf(out, "  %-22s %11s %11s\n", "", "SYN", "SYN-ACK");
	fprintf(out, "  %-22s %11" PRIu64 " %11" PRIu64 "\n", "seen",
		s->hs_seen[0], s->hs_seen[1]);
	for (unsigned o = 0; o < OPT__COUNT; o++)
		fprintf(out, "  %-22s %10.1f%% %10.1f%%\n", label[o],
			pct(s->opt[0][o], s->hs_seen[0]),
			pct(s->opt[1][o], s->hs_seen[1]));
}

static void print_analysis(FILE *out, const struct summary *s)
{
	bool any = false;

	fputs("\nTCP analysis flags (Wireshark tcp.analysis.*):\n", out);
	for (unsigned a = 0; a < AN__COUNT; a++) {
		uint64_t o = s->analysis[0][a], r = s->analysis[1][a];
		if (!o && !r)
			continue;
		if (!any)
			fprintf(out, "  %-24s %11s %11s %11s\n", "", "total",
				"orig", "resp");
		any = true;
		fprintf(out, "  %-24s %11" PRIu64 " %11" PRIu64 " %11" PRIu64
			     "\n", flow_analysis_name((enum flow_analysis)a),
			o + r, o, r);
	}
	if (!any)
		fputs("  none\n", out);
}

/* Most connections first; then by address family, address and port. */
static int server_cmp(const void *pa, const void *pb)
{
	const struct server *a = *(const struct server *const *)pa;
	const struct server *b = *(const struct server *const *)pb;

	if (a->conns != b->conns)
		return a->conns > b->conns ? -1 : 1;
	if (a->ip_version != b->ip_version)
		return a->ip_version < b->ip_version ? -1 : 1;
	int c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return a->port < b->port ? -1 : a->port > b->port;
}

static void print_servers(FILE *out, const struct summary *s)
{
	char ep[ADDR_TEXT_MAX + 8], b[24];
	unsigned n = s->server_count < s->cfg.top_servers ? s->server_count
							 : s->cfg.top_servers;

	fprintf(out, "\nServers (top %u of %" PRIu32 " by connections):\n",
		n, s->server_count);
	if (!s->server_count) {
		fputs("  none\n", out);
	} else {
		for (uint32_t i = 0; i < s->server_count; i++)
			s->order[i] = &s->servers[i];
		qsort(s->order, s->server_count, sizeof(*s->order),
		      server_cmp);
		fprintf(out, "  %9s %9s %11s %9s %12s  %s\n", "conns",
			"refused", "unanswered", "resets", "median iRTT",
			"server");
	}
	for (unsigned i = 0; i < n; i++) {
		const struct server *sv = s->order[i];
		fprintf(out, "  %9" PRIu64 " %9" PRIu64 " %11" PRIu64 " %9"
			     PRIu64 " %12s  %s\n", sv->conns, sv->refused,
			sv->unanswered, sv->resets,
			fmt_dur(b, server_median(s, sv)),
			fmt_endpoint(ep, sv->ip_version, sv->addr, sv->port));
	}
	if (s->untracked_conns)
		fprintf(out, "  the table holds %" PRIu32 " servers: %" PRIu64
			     " connections to further servers are not in "
			     "it\n", s->cfg.max_servers, s->untracked_conns);
}

static void print_problem(FILE *out, const struct summary *s, unsigned rank,
			  const struct problem *p)
{
	char a[ADDR_TEXT_MAX + 8], b[ADDR_TEXT_MAX + 8], uid[CONN_UID_MAX];
	const char *sep = "";

	report_conn_uid(uid, s->cfg.uid_salt, p->id);
	fprintf(out, "  %2u. score %" PRIu64 "  %s  %s > %s  %s\n      ",
		rank, p->score, uid,
		fmt_endpoint(a, p->ip_version, p->orig_addr, p->orig_port),
		fmt_endpoint(b, p->ip_version, p->resp_addr, p->resp_port),
		flow_zeek_state_name(p->conn_state));
	const struct { const char *name; uint64_t v; } part[] = {
		{ "retransmission", p->retrans },
		{ "lost_segment", p->lost },
		{ "duplicate_ack", p->dup_ack },
		{ "zero_window", p->zero_win },
	};
	for (unsigned i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		if (!part[i].v)
			continue;
		fprintf(out, "%s%s %" PRIu64, sep, part[i].name, part[i].v);
		sep = ", ";
	}
	if (p->rst_by == SIDE_ORIG || p->rst_by == SIDE_RESP)
		fprintf(out, "%sreset by %s", sep, flow_side_name(p->rst_by));
	else if (p->score > p->retrans + p->lost + p->dup_ack + p->zero_win)
		fprintf(out, "%sreset", sep);
	fputc('\n', out);
}

static void print_problems(FILE *out, const struct summary *s)
{
	fprintf(out, "\nConnections with most problems (score = "
		     "retransmissions + lost segments\n  + duplicate ACKs + "
		     "zero windows + 1 if reset; top %u):\n",
		s->cfg.top_problems);
	if (!s->problem_count)
		fputs("  none\n", out);
	for (unsigned i = 0; i < s->problem_count; i++)
		print_problem(out, s, i + 1, &s->problems[i]);
}

static void print_warnings(FILE *out, const struct summary *s,
			   const struct summary_context *ctx)
{
	const struct flow_table_stats *f = ctx->flows;
	bool drops = ctx->live && (ctx->dropped_kernel || ctx->dropped_iface);
	bool full = f && (f->evicted || f->refused);

	if (!drops && !full && !s->untracked_conns)
		return;
	fputs("\nWarnings:\n", out);
	if (drops)
		fprintf(out, "  %" PRIu64 " packets were dropped before synscope "
			     "saw them: the figures above miss them\n",
			ctx->dropped_kernel + ctx->dropped_iface);
	if (full)
		fprintf(out, "  the flow table was full: %" PRIu64 " connections"
			     " were evicted early and %" PRIu64 " never "
			     "tracked\n",
			f->evicted, f->refused);
	if (s->untracked_conns)
		fprintf(out, "  the servers table was full: %" PRIu64
			     " connections left out of it\n",
			s->untracked_conns);
}

void summary_print(FILE *out, const struct summary *s,
		   const struct summary_context *ctx)
{
	assert(s && ctx && ctx->totals);
	print_capture(out, ctx);
	print_connections(out, s, ctx);
	print_rtt(out, s);
	print_options(out, s);
	print_analysis(out, s);
	print_servers(out, s);
	print_problems(out, s);
	if (ctx->alerts_raised)
		report_alert_summary(out, ctx->alerts, ctx->nalerts,
				     ctx->alerts_raised, ctx->detect);
	print_warnings(out, s, ctx);
}
