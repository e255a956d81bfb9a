#include "analyze.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow.h"

/* Final alert records kept for the summary; later ones are counted. */
#define SUMMARY_ALERTS_MAX 100

struct analyze {
	struct analyze_opts opt;
	struct flow_table *flows;
	struct detect *detect;
	struct detect_alert *ended;     /* SUMMARY_ALERTS_MAX */
	size_t nended;
	struct summary *summary;
	struct conn_output_opts conn_out;
	bool header_done;
	/* first failed record write, or 0: set where the records are
	 * written (the table's worker, threaded), read for every segment */
	atomic_int write_errno;
	/* Written for every segment by the reading thread: a cache line
	 * of padding keeps them off the line of the fields above, which
	 * the table's worker reads for every record, so that the line
	 * does not travel between the two cores. */
	char pad[64];
	int64_t first_ns, last_ns;
};

/* A salt for uids when none is fixed: unique enough per run, and uids are
 * names, not secrets. */
static uint64_t run_salt(void)
{
	uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* The first failure is the one reported. */
static void write_failed(struct analyze *a, int err)
{
	int none = 0;

	atomic_compare_exchange_strong(&a->write_errno, &none,
				       err ? err : EIO);
}

static void write_header(struct analyze *a, int64_t open_ns)
{
	if (a->header_done || !a->opt.conns)
		return;
	a->header_done = true;
	if (report_conn_header(a->opt.out, a->opt.conn_format, open_ns) < 0)
		write_failed(a, errno);
}

static void on_flow_event(void *ctx, const struct flow_event *ev)
{
	struct analyze *a = ctx;

	if (ev->type != FLOW_EV_CLOSED)
		return;
	if (a->summary)
		summary_add_conn(a->summary, ev->conn);
	if (!a->opt.conns || a->write_errno)
		return;
	write_header(a, a->first_ns);
	if (report_conn_write(a->opt.out, a->opt.conn_format, &a->conn_out,
			      ev->conn) < 0)
		write_failed(a, errno);
}

static void on_alert(void *ctx, const struct detect_alert *al)
{
	struct analyze *a = ctx;

	if (al->event == DE_END && a->nended < SUMMARY_ALERTS_MAX)
		a->ended[a->nended++] = *al;
}

/* The detector sees every segment just before the table does (as its
 * observer) and then the table's events, in one order on the table's
 * thread; it tracks as many handshakes as the table can hold. */
static int create_detect(struct analyze *a, const struct flow_config *fc)
{
	struct detect_config dc = *a->opt.detect;

	dc.max_half_open = fc->max_half_open;
	dc.fixed_seed = a->opt.fixed_seed;
	dc.seed = a->opt.seed;
	a->detect = detect_create(&dc);
	a->ended = calloc(SUMMARY_ALERTS_MAX, sizeof(*a->ended));
	if (!a->detect || !a->ended ||
	    detect_attach(a->detect, a->flows) < 0 ||
	    detect_subscribe(a->detect, on_alert, a) < 0)
		return -1;
	return 0;
}

static int by_id(const void *x, const void *y)
{
	const struct detect_alert *p = x, *q = y;

	return (p->id > q->id) - (p->id < q->id);
}

/*
 * What --memcap leaves out of the tables: the program and its libraries,
 * stdio and capture buffers, the flow worker's queue (fixed in size, so
 * the tables come out the same on one thread or two), the summary's
 * bounded lists. Measured peak RSS of a run with the smallest tables is
 * about 6 MiB; the rest is margin.
 */
#define MEMCAP_RESERVE (12u << 20)

static size_t tables_footprint(const struct analyze_opts *o,
			       const struct flow_config *fc)
{
	size_t n = flow_table_footprint(fc);

	if (o->detect) {
		struct detect_config dc = *o->detect;

		dc.max_half_open = fc->max_half_open;
		n += detect_footprint(&dc);
	}
	return n;
}

static void set_max_flows(struct flow_config *fc, uint32_t n)
{
	fc->max_flows = n;
	/* keep the default proportion for the handshake pool */
	fc->max_half_open = n / 4 ? n / 4 : 1;
}

/*
 * --memcap: the largest table (at most the default, or --max-flows) whose
 * flows and detector fit in the cap with the reserve. -1 when not even a
 * small one does.
 */
static int fit_memcap(const struct analyze_opts *o, struct flow_config *fc,
		      char *err, size_t errlen)
{
	uint32_t lo = 16, hi = fc->max_flows;
	uint64_t budget = o->memcap > MEMCAP_RESERVE
				  ? o->memcap - MEMCAP_RESERVE : 0;

	set_max_flows(fc, lo);
	if (tables_footprint(o, fc) > budget) {
		snprintf(err, errlen, "--memcap %llu MiB is too small: the "
			 "tables need at least %llu MiB",
			 (unsigned long long)(o->memcap >> 20),
			 (unsigned long long)((tables_footprint(o, fc) +
					       MEMCAP_RESERVE + (1u << 20) -
					       1) >> 20));
		return -1;
	}
	while (lo < hi) {       /* the largest n that fits */
		uint32_t mid = lo + (hi - lo + 1) / 2;

		set_max_flows(fc, mid);
		if (tables_footprint(o, fc) <= budget)
			lo = mid;
		else
			hi = mid - 1;
	}
	set_max_flows(fc, lo);
	return 0;
}

struct analyze *analyze_create(const struct analyze_opts *o, char *err,
			       size_t errlen)
{
	struct analyze *a = calloc(1, sizeof(*a));
	struct flow_config fc;

	if (!a)
		goto oom;
	a->opt = *o;
	a->first_ns = -1;
	a->conn_out.uid_salt = o->fixed_seed ? o->seed : run_salt();
	flow_config_default(&fc);
	fc.threaded = o->threaded;
	if (o->max_flows)
		set_max_flows(&fc, o->max_flows);
	if (o->memcap && fit_memcap(o, &fc, err, errlen) < 0) {
		analyze_destroy(a);
		return NULL;
	}
	fc.fixed_seed = o->fixed_seed;
	fc.seed = o->seed;
	a->flows = flow_table_create(&fc);
	if (!a->flows)
		goto oom;
	if (flow_table_subscribe(a->flows, on_flow_event, a) < 0)
		goto oom;
	if (o->detect && create_detect(a, &fc) < 0)
		goto oom;
	if (o->summary) {
		struct summary_config sc;
		summary_config_default(&sc);
		sc.uid_salt = a->conn_out.uid_salt;
		sc.seed = o->fixed_seed ? o->seed : run_salt();
		a->summary = summary_create(&sc);
		if (!a->summary)
			goto oom;
	}
	return a;
oom:
	snprintf(err, errlen, "out of memory for the connection table "
		 "(try a smaller --max-flows)");
	analyze_destroy(a);
	return NULL;
}

void analyze_destroy(struct analyze *a)
{
	if (!a)
		return;
	flow_table_destroy(a->flows);
	detect_destroy(a->detect);
	free(a->ended);
	summary_destroy(a->summary);
	free(a);
}

int analyze_segment(struct analyze *a, const struct decoded_packet *p,
		    int64_t ts_ns)
{
	if (a->first_ns < 0)
		a->first_ns = ts_ns;
	a->last_ns = ts_ns;
	flow_table_packet(a->flows, p, ts_ns);
	int err = atomic_load_explicit(&a->write_errno, memory_order_relaxed);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void analyze_sync(const struct analyze *a)
{
	flow_table_sync(a->flows);
}

void analyze_tick(struct analyze *a, int64_t now_ns)
{
	flow_table_sync(a->flows);     /* the detector is the table's */
	if (a->first_ns >= 0 && now_ns > a->last_ns)
		detect_tick(a->detect, now_ns);
}

int analyze_finish(struct analyze *a, FILE *summary_out,
		   struct summary_context *ctx)
{
	struct flow_table_stats fs;
	struct detect_stats ds;
	int64_t end = a->first_ns < 0 ? 0 : a->last_ns;

	flow_table_finish(a->flows, end);
	detect_finish(a->detect, end);
	if (a->opt.conns && !a->write_errno) {
		write_header(a, a->first_ns < 0 ? 0 : a->first_ns);
		if (report_conn_footer(a->opt.out, a->opt.conn_format, end) < 0)
			write_failed(a, errno);
	}
	if (a->summary && summary_out && !a->write_errno) {
		flow_table_stats(a->flows, &fs);
		ctx->flows = &fs;
		if (a->detect) {
			detect_stats(a->detect, &ds);
			qsort(a->ended, a->nended, sizeof(*a->ended), by_id);
			ctx->alerts = a->ended;
			ctx->nalerts = a->nended;
			ctx->alerts_raised = ds.alerts;
			ctx->detect = &ds;
		}
		summary_print(summary_out, a->summary, ctx);
		ctx->flows = NULL;
		ctx->detect = NULL;
	}
	if (a->write_errno) {
		errno = a->write_errno;
		return -1;
	}
	return 0;
}

struct flow_table *analyze_flows(const struct analyze *a)
{
	return a->flows;
}

struct detect *analyze_detect(const struct analyze *a)
{
	return a->detect;
}
