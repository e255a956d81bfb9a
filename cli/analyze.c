#include "analyze.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow.h"

struct analyze {
	struct analyze_opts opt;
	struct flow_table *flows;
	struct summary *summary;
	struct conn_output_opts conn_out;
	bool header_done;
	int64_t first_ns, last_ns;
	int write_errno;            /* first failed record write, or 0 */
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

static void write_header(struct analyze *a, int64_t open_ns)
{
	if (a->header_done || !a->opt.conns)
		return;
	a->header_done = true;
	if (report_conn_header(a->opt.out, a->opt.conn_format, open_ns) < 0 &&
	    !a->write_errno)
		a->write_errno = errno;
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
			      ev->conn) < 0 && !a->write_errno)
		a->write_errno = errno ? errno : EIO;
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
	if (o->max_flows) {
		fc.max_flows = o->max_flows;
		/* keep the default proportion for the handshake pool */
		fc.max_half_open = o->max_flows / 4 ? o->max_flows / 4 : 1;
	}
	fc.fixed_seed = o->fixed_seed;
	fc.seed = o->seed;
	a->flows = flow_table_create(&fc);
	if (!a->flows)
		goto oom;
	if (flow_table_subscribe(a->flows, on_flow_event, a) < 0)
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
	if (a->write_errno) {
		errno = a->write_errno;
		return -1;
	}
	return 0;
}

int analyze_finish(struct analyze *a, FILE *summary_out,
		   struct summary_context *ctx)
{
	struct flow_table_stats fs;
	int64_t end = a->first_ns < 0 ? 0 : a->last_ns;

	flow_table_finish(a->flows, end);
	if (a->opt.conns && !a->write_errno) {
		write_header(a, a->first_ns < 0 ? 0 : a->first_ns);
		if (report_conn_footer(a->opt.out, a->opt.conn_format, end) < 0)
			a->write_errno = errno;
	}
	if (a->summary && summary_out && !a->write_errno) {
		flow_table_stats(a->flows, &fs);
		ctx->flows = &fs;
		summary_print(summary_out, a->summary, ctx);
		ctx->flows = NULL;
	}
	if (a->write_errno) {
		errno = a->write_errno;
		return -1;
	}
	return 0;
}
