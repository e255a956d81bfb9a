/*
 * libFuzzer target: a whole capture file (pcap or pcapng), held in memory,
 * through what `synscope -r FILE` runs: capture -> decode -> flow ->
 * detect -> report (per-packet text and JSON, the three connection record
 * formats, alert records in JSON and text, the closing summary with its
 * alerts section), every output into /dev/null.
 *
 * The bytes reach capture_open_file() through a memfd opened by its
 * /proc/self/fd path, so the file back end runs exactly as for -r
 * (timestamp precision sniffing, libpcap's readers, truncation), with no
 * second copy of capture.c and no disk I/O. Linux only, as fuzzing is.
 *
 * Tables are small (64 connections, 16 servers, 64 detect entries) so
 * that short inputs reach the caps, eviction and overflow paths.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alert.h"
#include "capture.h"
#include "conn.h"
#include "decode.h"
#include "detect.h"
#include "flow.h"
#include "report.h"
#include "summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ENDED_MAX 8     /* final alert records kept for the summary */

struct pipeline {
	FILE *out;
	struct flow_table *flows;
	struct summary *summary;
	struct conn_output_opts conn_out;
	struct run_totals totals;
	int64_t first_ns, last_ns;
	struct detect *detect;
	uint64_t raised;
	size_t nended;
	struct detect_alert ended[ENDED_MAX];
};

static FILE *sink(void)
{
	static FILE *devnull;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	return devnull;
}

/* Puts the input in an anonymous in-memory file; returns a path that
 * opens it, or NULL. The memfd is made once and rewritten each time. */
static const char *memfile(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		fd = memfd_create("synscope-fuzz", 0);
		if (fd < 0)
			return NULL;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0)
		return NULL;
	for (size_t done = 0; done < size;) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
		if (n <= 0)
			return NULL;
		done += (size_t)n;
	}
	return path;
}

static void on_flow_event(void *ctx, const struct flow_event *ev)
{
	struct pipeline *pl = ctx;

	(void)flow_event_name(ev->type);
	if (ev->type != FLOW_EV_CLOSED)
		return;
	summary_add_conn(pl->summary, ev->conn);
	report_conn_write(pl->out, CONN_FORMAT_JSON, &pl->conn_out, ev->conn);
	report_conn_write(pl->out, CONN_FORMAT_CSV, &pl->conn_out, ev->conn);
	report_conn_write(pl->out, CONN_FORMAT_ZEEK, &pl->conn_out, ev->conn);
}

static void on_alert(void *ctx, const struct detect_alert *a)
{
	struct pipeline *pl = ctx;
	char line[ALERT_LINE_MAX];
	struct outbuf ob;

	report_alert_write(pl->out, a);
	ob_init(&ob, line, sizeof(line));
	report_alert_text(&ob, a);
	fwrite(line, 1, ob.len, pl->out);
	if (a->event == DE_START)
		pl->raised++;
	if (a->event == DE_END && pl->nended < ENDED_MAX)
		pl->ended[pl->nended++] = *a;
}

static int pipeline_start(struct pipeline *pl)
{
	struct flow_config fc;
	struct summary_config sc;

	memset(pl, 0, sizeof(*pl));
	pl->out = sink();
	pl->first_ns = -1;
	pl->conn_out.uid_salt = 1;
	flow_config_default(&fc);
	fc.max_flows = 64;
	fc.max_half_open = 16;
	fc.fixed_seed = true;
	fc.seed = 1;
	summary_config_default(&sc);
	sc.max_servers = 16;
	sc.uid_salt = 1;
	sc.seed = 1;
	pl->flows = flow_table_create(&fc);
	pl->summary = summary_create(&sc);
	if (!pl->out || !pl->flows || !pl->summary ||
	    flow_table_subscribe(pl->flows, on_flow_event, pl) < 0)
		return -1;
	struct detect_config dc;
	detect_config_default(&dc);
	dc.max_targets = 64;
	dc.max_hosts = 64;
	dc.max_sources = 64;
	pl->detect = detect_create(&dc);
	if (!pl->detect ||
	    detect_subscribe(pl->detect, on_alert, pl) < 0 ||
	    detect_attach(pl->detect, pl->flows) < 0)
		return -1;
	return 0;
}

static void pipeline_stop(struct pipeline *pl)
{
	if (pl->detect)
		detect_destroy(pl->detect);
	summary_destroy(pl->summary);
	flow_table_destroy(pl->flows);
}

/* One packet, as cli/main.c's handle_packet() does it. */
static void pipeline_packet(struct pipeline *pl, int linktype,
			    const struct capture_packet *pkt,
			    const struct frame_meta *m)
{
	struct decoded_packet dp;
	enum decode_status st = decode_packet(pkt->bytes, pkt->caplen,
					      pkt->len, linktype, &dp);
	int64_t ts_ns = frame_time_ns(m);

	run_totals_add(&pl->totals, m, pkt->len, st, &dp);
	report_packet(pl->out, REPORT_PACKETS_TEXT, m, st, &dp);
	report_packet(pl->out, REPORT_PACKETS_JSON, m, st, &dp);
	if (st != DECODE_TCP)
		return;
	if (pl->first_ns < 0) {
		pl->first_ns = ts_ns;
		report_conn_header(pl->out, CONN_FORMAT_CSV, ts_ns);
		report_conn_header(pl->out, CONN_FORMAT_ZEEK, ts_ns);
	}
	pl->last_ns = ts_ns;
	flow_table_packet(pl->flows, &dp, ts_ns);     /* and the detector */
}

/* The end of the input, as cli/analyze.c's analyze_finish(). */
static void pipeline_finish(struct pipeline *pl, struct capture *cap,
			    int linktype)
{
	struct flow_table_stats fs;
	struct detect_stats ds;
	struct detect_alert recent[4];
	int64_t end = pl->first_ns < 0 ? 0 : pl->last_ns;

	flow_table_finish(pl->flows, end);
	detect_finish(pl->detect, end);
	detect_stats(pl->detect, &ds);
	(void)detect_alerts(pl->detect, recent, 4);
	report_conn_footer(pl->out, CONN_FORMAT_ZEEK, end);
	flow_table_stats(pl->flows, &fs);
	struct summary_context ctx = {
		.totals = &pl->totals,
		.flows = &fs,
		.source = "fuzz",
		.linktype_name = capture_linktype_name(linktype),
		.ts_digits = capture_ts_digits(cap),
		.alerts = pl->ended,
		.nalerts = pl->nended,
		.alerts_raised = pl->raised,
		.detect = &ds,
	};
	summary_print(pl->out, pl->summary, &ctx);
	run_totals_print(pl->out, &pl->totals, "fuzz", ctx.linktype_name,
			 ctx.ts_digits);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CAPTURE_ERRBUF];
	struct capture *cap = NULL;
	struct capture_packet pkt;
	struct pipeline pl;
	const char *path = memfile(data, size);

	if (!path || capture_open_file(&cap, path, err, sizeof(err)) < 0)
		return 0;
	int linktype = capture_linktype(cap);
	if (!decode_link_supported(linktype)) {
		capture_close(cap);
		return 0;
	}
	struct frame_meta m = {
		.ts_digits = capture_ts_digits(cap),
		.show_frame = true,
	};
	if (pipeline_start(&pl) == 0) {
		for (;;) {
			int rc = capture_next(cap, &pkt, err, sizeof(err));
			if (rc != CAPTURE_PACKET)
				break;
			m.frame++;
			m.ts_sec = pkt.ts_sec;
			m.ts_nsec = pkt.ts_nsec;
			pipeline_packet(&pl, linktype, &pkt, &m);
		}
		pipeline_finish(&pl, cap, linktype);
	}
	pipeline_stop(&pl);
	capture_close(cap);
	return 0;
}
