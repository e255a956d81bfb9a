#include "tui_source.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "report.h"

struct src {
	struct cli_tui *c;
	struct capture_packet pkt;
	bool held;
	bool ended;
	struct decoded_packet dp;
};

/* Packet time as the offline run counts it (held to +-2^62 ns). */
static int64_t pkt_ns(const struct capture_packet *p)
{
	struct frame_meta m = { .ts_sec = p->ts_sec, .ts_nsec = p->ts_nsec };

	return frame_time_ns(&m);
}

static int peek(void *ctx, int64_t *ts_ns, char *err, size_t errlen)
{
	struct src *s = ctx;
	struct cli_tui *c = s->c;

	if (!s->held) {
		if (s->ended || (c->count && c->frames >= c->count))
			return TUI_SRC_EOF;
		int rc = capture_next(c->cap, &s->pkt, c->read_err,
				      sizeof(c->read_err));
		if (rc == CAPTURE_TIMEOUT)
			return TUI_SRC_NONE;
		if (rc == CAPTURE_EOF) {
			s->ended = true;
			return TUI_SRC_EOF;
		}
		if (rc < 0) {
			c->read_rc = rc;
			/* a cut file still shows what was read; the reason
			 * is told when the dashboard closes */
			if (rc == CAPTURE_ERR_TRUNCATED) {
				s->ended = true;
				return TUI_SRC_EOF;
			}
			snprintf(err, errlen, "%s: %s", c->source,
				 c->read_err);
			return TUI_SRC_ERROR;
		}
		s->held = true;
	}
	*ts_ns = pkt_ns(&s->pkt);
	return TUI_SRC_PACKET;
}

static void process(void *ctx, struct tui_packet *out)
{
	struct src *s = ctx;
	struct cli_tui *c = s->c;
	enum decode_status st;

	memset(out, 0, sizeof(*out));
	if (!s->held)
		return;
	s->held = false;
	c->frames++;
	out->ts_ns = pkt_ns(&s->pkt);
	out->wirelen = s->pkt.len;
	st = decode_packet(s->pkt.bytes, s->pkt.caplen, s->pkt.len,
			   c->linktype, &s->dp);
	if (st != DECODE_TCP)
		return;
	/* a failed record write cannot happen here: the dashboard asks
	 * analyze for no records */
	(void)analyze_segment(c->analyze, &s->dp, out->ts_ns);
	out->dp = &s->dp;
	flow_table_last_packet(c->flows, &out->info);
}

static int fd(void *ctx)
{
	struct src *s = ctx;

	return capture_fd(s->c->cap);
}

static int stats(void *ctx, struct tui_capture_stats *st)
{
	struct src *s = ctx;
	struct capture_stats cs;

	if (!capture_is_live(s->c->cap) || capture_stats(s->c->cap, &cs) < 0)
		return -1;
	st->received = cs.received;
	st->dropped_kernel = cs.dropped_kernel;
	st->dropped_iface = cs.dropped_iface;
	return 0;
}

static void tick(void *ctx, int64_t now_ns)
{
	struct src *s = ctx;

	detect_tick(s->c->detect, now_ns);
}

static size_t alerts(void *ctx, struct detect_alert *out, size_t max)
{
	struct src *s = ctx;

	return detect_alerts(s->c->detect, out, max);
}

static int subscribe_alerts(void *ctx, detect_alert_fn fn, void *fn_ctx)
{
	struct src *s = ctx;

	return detect_subscribe(s->c->detect, fn, fn_ctx);
}

int cli_tui_run(struct cli_tui *c, const struct tui_opts *o, char *err,
		size_t errlen)
{
	struct src s = { .c = c };
	struct tui_source src = {
		.ctx = &s,
		.name = c->source,
		.filter = c->filter,
		.live = capture_is_live(c->cap),
		.flows = c->flows,
		.flow_cap = c->flow_cap,
		.peek = peek,
		.process = process,
		.fd = fd,
		.stats = stats,
		.tick = c->detect ? tick : NULL,
		.alerts = c->detect ? alerts : NULL,
		.subscribe_alerts = c->detect ? subscribe_alerts : NULL,
	};

	c->frames = 0;
	c->read_rc = 0;
	c->read_err[0] = '\0';
	return tui_run(o, &src, err, errlen);
}

int cli_tui_wanted(const struct options *o)
{
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	bool lines = o->packets_set || o->conns != CONNS_OFF;

	if (o->no_tui || (!o->tui && !o->tui_snapshot))
		return !o->no_tui && !o->read_file && !o->list_ifaces &&
		       !lines && tty;
	if (lines) {
		fputs("synscope: the dashboard prints no --packets or --conns "
		      "lines (see synscope --help)\n", stderr);
		return -1;
	}
	if (o->tui_snapshot && !o->read_file && !o->count) {
		fputs("synscope: --tui-snapshot needs an input that ends: -r "
		      "FILE or -c COUNT (see synscope --help)\n", stderr);
		return -1;
	}
	if (!o->tui_snapshot && !tty) {
		fputs("synscope: --tui needs a terminal on standard input and "
		      "output (--tui-snapshot FILE writes the screens to a "
		      "file)\n", stderr);
		return -1;
	}
	return 1;
}

static void report_truncation(const struct cli_tui *c)
{
	fprintf(stderr,
		"synscope: %s: capture file truncated: it ends inside packet "
		"%llu; the %llu packets before the cut were shown (%s)\n",
		c->source, (unsigned long long)c->frames + 1,
		(unsigned long long)c->frames, c->read_err);
}

int cli_tui_main(const struct options *o, struct capture *cap, int linktype,
		 const char *source, struct analyze *an)
{
	struct flow_config fc;
	struct capture_stats cs;
	char err[512];
	int status = 0;
	struct cli_tui c = {
		.cap = cap,
		.linktype = linktype,
		.source = source,
		.filter = o->filter,
		.analyze = an,
		.flows = analyze_flows(an),
		.detect = analyze_detect(an),
		.count = o->count,
	};
	struct tui_opts to = {
		.speed = o->speed,
		.snapshot_path = o->tui_snapshot,
	};

	flow_config_default(&fc);
	c.flow_cap = o->max_flows ? o->max_flows : fc.max_flows;
	if (cli_tui_run(&c, &to, err, sizeof(err)) < 0) {
		fprintf(stderr, "synscope: %s\n", err);
		status = 1;
	}
	if (c.read_rc == CAPTURE_ERR_TRUNCATED) {
		report_truncation(&c);
		status = 1;
	}
	if (capture_dump_flush(cap) < 0) {
		fprintf(stderr, "synscope: cannot write %s\n", o->write_file);
		status = 1;
	}
	if (capture_is_live(cap) && capture_stats(cap, &cs) == 0)
		fprintf(stderr,
			"synscope: %llu packets captured, %llu received by "
			"filter, %llu dropped by kernel, %llu dropped by "
			"interface\n",
			(unsigned long long)c.frames,
			(unsigned long long)cs.received,
			(unsigned long long)cs.dropped_kernel,
			(unsigned long long)cs.dropped_iface);
	return status;
}
