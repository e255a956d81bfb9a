/*
 * synscope's main: options, wiring capture -> decode -> report, signals
 * and exit codes. Errors are one line on stderr; what was computed before
 * an error is still printed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "alerts.h"
#include "analyze.h"
#include "capture.h"
#include "decode.h"
#include "options.h"
#include "report.h"
#include "privdrop.h"
#include "tui_source.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_ALERT = 3,     /* --fail-on-alert, and an alert was raised */
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
#ifdef _WIN32
	signal(SIGINT, on_stop_signal);
	signal(SIGTERM, on_stop_signal);
#else
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed pipe (`| head`) shows up as EPIPE from fwrite, which ends
	 * the run quietly instead of killing it mid-line. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
#endif
}

/* Seconds east of UTC, taken once at start-up as tcpdump does. */
static int32_t local_utc_offset(void)
{
	time_t now = time(NULL);
	struct tm lt, gt;

	if (!localtime_r(&now, &lt) || !gmtime_r(&now, &gt))
		return 0;
	int32_t off = (lt.tm_hour - gt.tm_hour) * 3600 +
		      (lt.tm_min - gt.tm_min) * 60 + (lt.tm_sec - gt.tm_sec);
	int day = lt.tm_yday - gt.tm_yday;
	if (day == 1 || day < -1)
		off += 86400;
	else if (day == -1 || day > 1)
		off -= 86400;
	return off;
}

static void print_iface(void *ctx, const char *name, const char *desc,
			bool up, bool loopback)
{
	unsigned *n = ctx;

	printf("%u.%s", ++*n, name);
	if (desc)
		printf(" (%s)", desc);
	printf(" [%s%s]\n", up ? "Up" : "Down", loopback ? ", Loopback" : "");
}

static int list_interfaces(void)
{
	char err[CAPTURE_ERRBUF];
	unsigned n = 0;

	if (capture_list_interfaces(print_iface, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "synscope: %s\n", err);
		return EXIT_RUNTIME;
	}
	if (n == 0) {
		fputs("synscope: no interfaces to capture on (live capture "
		      "needs root or CAP_NET_RAW)\n", stderr);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

struct run {
	const struct options *opt;
	struct capture *cap;
	const char *source;         /* for messages: file name or iface */
	int linktype;
	struct run_totals totals;
	struct analyze *analyze;    /* NULL when neither summary nor records */
	bool output_closed;         /* the reader went away (EPIPE) */
	bool tui;                   /* the dashboard shows the run */
	bool threaded;              /* the analysis has a thread of its own */
	struct cli_alerts *alerts;  /* where alert records go */
	int status;
};

/* -w: standard output, or a file opened without following a symbolic
 * link when running as root (privdrop_fopen_output). */
static int open_write_file(struct run *r, char *err, size_t errlen)
{
	const char *path = r->opt->write_file;
	FILE *fp;

	if (strcmp(path, "-") == 0)
		return capture_dump_open(r->cap, path, err, errlen);
	fp = privdrop_fopen_output(path);
	if (!fp) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 privdrop_open_error(errno));
		return -1;
	}
	return capture_dump_fopen(r->cap, fp, path, err, errlen);
}

static int open_source(struct run *r)
{
	const struct options *o = r->opt;
	char err[CAPTURE_ERRBUF];
	int rc;

	if (o->read_file) {
		r->source = strcmp(o->read_file, "-") ? o->read_file : "stdin";
		rc = capture_open_file(&r->cap, o->read_file, err, sizeof(err));
	} else {
		struct capture_live_opts lo = {
			.iface = o->iface ? o->iface : "any",
			.snaplen = o->snaplen,
			.buffer_kib = o->buffer_kib,
			.promisc = o->promisc,
			/* the dashboard polls the descriptor itself: a
			 * read finding nothing must come back at once */
			.timeout_ms = r->tui ? 1 : 100,
			.immediate = r->tui || o->line_buffered ||
				     isatty(STDOUT_FILENO),
		};
		r->source = lo.iface;
		rc = capture_open_live(&r->cap, &lo, err, sizeof(err));
	}
	if (rc < 0) {
		fprintf(stderr, "synscope: %s\n", err);
		return -1;
	}
	if (capture_is_live(r->cap) && capture_warning(r->cap))
		fprintf(stderr, "synscope: warning: %s\n",
			capture_warning(r->cap));
	r->linktype = capture_linktype(r->cap);
	if (!decode_link_supported(r->linktype)) {
		fprintf(stderr,
			"synscope: %s: unsupported link type %s (%d); synscope "
			"reads Ethernet, Linux SLL/SLL2, raw IP and BSD "
			"loopback\n", r->source,
			capture_linktype_name(r->linktype), r->linktype);
		return -1;
	}
	if (capture_set_filter(r->cap, o->filter, err, sizeof(err)) < 0 ||
	    (o->write_file &&
	     open_write_file(r, err, sizeof(err)) < 0)) {
		fprintf(stderr, "synscope: %s\n", err);
		return -1;
	}
	return 0;
}

/* Stops the run after a failed write; a reader gone away is no error. */
static bool output_failed(struct run *r)
{
	if (errno != EPIPE) {
		fprintf(stderr, "synscope: cannot write output: %s\n",
			strerror(errno));
		r->status = EXIT_RUNTIME;
	}
	r->output_closed = true;
	return false;
}

/* Handles one packet; returns false when the run must stop. */
static bool handle_packet(struct run *r, const struct capture_packet *pkt,
			  const struct frame_meta *m)
{
	struct decoded_packet dp;
	enum decode_status st = decode_packet(pkt->bytes, pkt->caplen,
					      pkt->len, r->linktype, &dp);

	run_totals_add(&r->totals, m, pkt->len, st, &dp);
	if (r->opt->packets != PACKETS_OFF) {
		enum report_packet_format fmt =
			r->opt->packets == PACKETS_JSON ? REPORT_PACKETS_JSON
							: REPORT_PACKETS_TEXT;
		if (report_packet(stdout, fmt, m, st, &dp) < 0)
			return output_failed(r);
	}
	cli_alerts_packet(r->alerts, pkt, st == DECODE_TCP ? &dp : NULL);
	if (r->analyze && st == DECODE_TCP &&
	    analyze_segment(r->analyze, &dp, frame_time_ns(m)) < 0)
		return output_failed(r);
	return true;
}

static void report_read_error(struct run *r, int rc, const char *err)
{
	/* after the alert lines of the packets before it */
	if (r->analyze)
		analyze_sync(r->analyze);
	if (rc == CAPTURE_ERR_TRUNCATED) {
		int64_t off = capture_file_offset(r->cap);
		char where[48] = "";
		if (off >= 0)
			snprintf(where, sizeof(where), ", at byte %lld",
				 (long long)off);
		fprintf(stderr,
			"synscope: %s: capture file truncated: it ends inside "
			"packet %llu%s; the %llu packets before the cut were "
			"read (%s)\n", r->source,
			(unsigned long long)r->totals.frames + 1, where,
			(unsigned long long)r->totals.frames, err);
	} else {
		fprintf(stderr, "synscope: %s: %s\n", r->source, err);
	}
	r->status = EXIT_RUNTIME;
}

static void read_loop(struct run *r)
{
	char err[CAPTURE_ERRBUF];
	struct capture_packet pkt;
	struct frame_meta m = {
		.ts_digits = capture_ts_digits(r->cap),
		.utc_offset = local_utc_offset(),
		.show_frame = r->opt->number,
	};

	while (!stop_requested) {
		int rc = capture_next(r->cap, &pkt, err, sizeof(err));
		if (rc == CAPTURE_TIMEOUT) {
			/* live packet times are the wall clock: a quiet link
			 * still moves the detector's time on */
			struct timespec now;
			if (r->analyze && timespec_get(&now, TIME_UTC))
				analyze_tick(r->analyze,
					     (int64_t)now.tv_sec * 1000000000 +
						     now.tv_nsec);
			continue;
		}
		if (rc == CAPTURE_EOF)
			break;
		if (rc < 0) {
			/* a read cut short by SIGINT or SIGTERM is the stop
			 * asked for, not a broken input */
			if (!stop_requested)
				report_read_error(r, rc, err);
			break;
		}
		m.frame++;
		m.ts_sec = pkt.ts_sec;
		m.ts_nsec = pkt.ts_nsec;
		if (!handle_packet(r, &pkt, &m))
			break;
		if (r->opt->count && m.frame >= r->opt->count)
			break;
	}
}

static bool wants_summary(const struct options *o)
{
	return o->packets == PACKETS_OFF && o->conns == CONNS_OFF &&
	       !(o->alerts_file && strcmp(o->alerts_file, "-") == 0);
}

/* The detector runs with every analysis; its records go out here. */
static int start_alerts(struct run *r)
{
	const struct options *o = r->opt;
	char err[CAPTURE_ERRBUF];
	struct cli_alerts_opts ao = {
		.json_path = o->alerts_file,
		.human = !r->tui,
		.syslog = o->syslog,
		.pcap_dir = r->tui ? NULL : o->alert_pcap_dir,
		.linktype = r->linktype,
		.ts_digits = capture_ts_digits(r->cap),
	};

	if (cli_alerts_open(&r->alerts, &ao, err, sizeof(err)) < 0) {
		fprintf(stderr, "synscope: %s\n", err);
		return -1;
	}
	return cli_alerts_attach(r->alerts, analyze_detect(r->analyze));
}

/* After everything is written: the alert outputs close, and
 * --fail-on-alert turns a clean run with an alert into status 3. */
static void close_alerts(struct run *r)
{
	uint64_t raised = cli_alerts_raised(r->alerts);

	if (cli_alerts_close(r->alerts) < 0)
		r->status = EXIT_RUNTIME;
	r->alerts = NULL;
	if (r->opt->fail_on_alert && raised && r->status == EXIT_OK)
		r->status = EXIT_ALERT;
}

/*
 * Analysis gets a thread of its own where nothing needs its results
 * packet by packet: a file read with no --packets lines, no dashboard
 * and no --alert-pcap (which keeps the packets the reading thread has);
 * and, unless asked for, where there is a second CPU to run it.
 */
static bool analysis_threaded(const struct run *r)
{
	const struct options *o = r->opt;

	if (o->threads == 1 || r->tui || capture_is_live(r->cap) ||
	    o->packets != PACKETS_OFF || o->alert_pcap_dir ||
	    (o->write_file && strcmp(o->write_file, "-") == 0))
		return false;
	return o->threads == 2 || sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/*
 * Where the analysis has not taken the second CPU, a file is read ahead
 * on a thread of its own, so that reading overlaps the work on each
 * packet; not with --threads 1, which asks for one thread.
 */
static void plan_read_ahead(const struct run *r)
{
	if (!r->threaded && r->opt->threads != 1 &&
	    sysconf(_SC_NPROCESSORS_ONLN) > 1)
		capture_read_ahead(r->cap);
}

static int start_analysis(struct run *r)
{
	static const enum conn_format formats[] = {
		[CONNS_JSON] = CONN_FORMAT_JSON,
		[CONNS_CSV] = CONN_FORMAT_CSV,
		[CONNS_ZEEK] = CONN_FORMAT_ZEEK,
	};
	const struct options *o = r->opt;
	char err[256];
	struct analyze_opts ao = {
		.summary = wants_summary(o) && !r->tui,
		.conns = o->conns != CONNS_OFF,
		.conn_format = formats[o->conns],
		.max_flows = o->max_flows,
		.memcap = o->memcap,
		.fixed_seed = o->seed_set,
		.seed = o->seed,
		.out = stdout,
		.detect = &o->detect,
		.threaded = analysis_threaded(r),
	};

	if (!ao.summary && !ao.conns && !r->tui && !cli_alerts_wanted(o))
		return 0;
	r->analyze = analyze_create(&ao, err, sizeof(err));
	if (!r->analyze) {
		fprintf(stderr, "synscope: %s\n", err);
		return -1;
	}
	r->threaded = ao.threaded;
	return start_alerts(r);
}

static void finish(struct run *r)
{
	struct capture_stats cs;
	bool have_stats = capture_is_live(r->cap) &&
			  capture_stats(r->cap, &cs) == 0;

	if (capture_dump_flush(r->cap) < 0) {
		fprintf(stderr, "synscope: cannot write %s\n",
			r->opt->write_file);
		r->status = EXIT_RUNTIME;
	}
	if (r->analyze && !r->output_closed) {
		struct summary_context ctx = {
			.totals = &r->totals,
			.source = r->source,
			.linktype_name = capture_linktype_name(r->linktype),
			.ts_digits = capture_ts_digits(r->cap),
			.live = have_stats,
			.received = have_stats ? cs.received : 0,
			.dropped_kernel = have_stats ? cs.dropped_kernel : 0,
			.dropped_iface = have_stats ? cs.dropped_iface : 0,
		};
		if (analyze_finish(r->analyze, stdout, &ctx) < 0)
			output_failed(r);
	}
	if (have_stats)
		fprintf(stderr,
			"synscope: %llu packets captured, %llu received by "
			"filter, %llu dropped by kernel, %llu dropped by "
			"interface\n",
			(unsigned long long)r->totals.frames,
			(unsigned long long)cs.received,
			(unsigned long long)cs.dropped_kernel,
			(unsigned long long)cs.dropped_iface);
	if (fflush(stdout) != 0 && errno != EPIPE && !r->output_closed) {
		fprintf(stderr, "synscope: cannot write output: %s\n",
			strerror(errno));
		r->status = EXIT_RUNTIME;
	}
}

/*
 * Once the capture is active and every output file is open: a live
 * capture gives up root (or its capabilities) for good; a file is read
 * with the privileges it was started with unless -Z names a user.
 */
static int drop_privileges(struct run *r)
{
	char err[256];

	if (!capture_is_live(r->cap) && !r->opt->drop_user)
		return 0;
	if (privdrop(r->opt->drop_user, err, sizeof(err)) < 0) {
		fprintf(stderr, "synscope: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct run r = { .opt = &opt, .status = EXIT_OK };

	switch (options_parse(argc, argv, &opt)) {
	case OPTIONS_EXIT_OK: return EXIT_OK;
	case OPTIONS_USAGE_ERROR: return EXIT_USAGE;
	case OPTIONS_RUN: break;
	}
	if (opt.list_ifaces) {
		options_free(&opt);
		return list_interfaces();
	}
	switch (cli_tui_wanted(&opt)) {
	case -1:
		options_free(&opt);
		return EXIT_USAGE;
	case 1:
		r.tui = true;
		break;
	default:
		break;
	}
	/* A live capture prints segments as they come, like tcpdump, unless
	 * it writes records or a file; a file is summarised unless --packets
	 * or --conns asks for lines. */
	if (!opt.packets_set && !opt.read_file && !opt.write_file &&
	    opt.conns == CONNS_OFF)
		opt.packets = PACKETS_TEXT;
	install_signals();
	if (opt.line_buffered || !opt.read_file)
		setvbuf(stdout, NULL, _IOLBF, 0);
	if (open_source(&r) < 0) {
		capture_close(r.cap);
		options_free(&opt);
		return EXIT_RUNTIME;
	}
	if (start_analysis(&r) < 0 || drop_privileges(&r) < 0) {
		cli_alerts_close(r.alerts);
		analyze_destroy(r.analyze);
		capture_close(r.cap);
		options_free(&opt);
		return EXIT_RUNTIME;
	}
	plan_read_ahead(&r);
	/* last, so that a failure above stays the only line on stderr */
	if (capture_is_live(r.cap))
		fprintf(stderr, "synscope: listening on %s, link-type %s\n",
			r.source, capture_linktype_name(r.linktype));
	if (r.tui) {
		r.status = cli_tui_main(&opt, r.cap, r.linktype, r.source,
					r.analyze);
	} else {
		read_loop(&r);
		finish(&r);
	}
	close_alerts(&r);
	analyze_destroy(r.analyze);
	capture_close(r.cap);
	options_free(&opt);
	return r.status;
}
