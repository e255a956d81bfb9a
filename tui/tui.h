/*
 * tui: the live dashboard. It draws what flow/ and detect/ know, for a live
 * interface or a capture file replayed on packet time, and never blocks the
 * capture: one poll() waits on the capture's descriptor and the keyboard,
 * and a bounded number of packets is processed between two key checks.
 *
 * The dashboard does not open captures nor decode packets itself: whoever
 * runs it (cli/tui_source.c) hands it a struct tui_source, a small table
 * of callbacks over its own pipeline (capture -> decode -> detect -> flow).
 * Everything shown runs on packet time, so a replay shows what the live
 * view showed; the wall clock only paces replays and redraws.
 */
#ifndef SYNSCOPE_TUI_H
#define SYNSCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "detect.h"
#include "flow.h"

/* What tui_source.peek() returns. */
enum tui_src_result {
	TUI_SRC_ERROR = -1,         /* the reason is in err */
	TUI_SRC_NONE = 0,           /* live: nothing to read right now */
	TUI_SRC_PACKET = 1,         /* a packet is held; its time in *ts_ns */
	TUI_SRC_EOF = 2,            /* the capture file has ended */
};

/* What the source made of the packet process() just handled. */
struct tui_packet {
	int64_t ts_ns;
	uint32_t wirelen;
	/* The decoded packet when it was TCP (status DECODE_TCP), else
	 * NULL; valid until the next peek(). */
	const struct decoded_packet *dp;
	/* flow_table_last_packet() right after flow_table_packet();
	 * conn_id 0 when the table did not take the packet. */
	struct flow_packet_info info;
};

struct tui_capture_stats {
	uint64_t received;
	uint64_t dropped_kernel;
	uint64_t dropped_iface;
};

struct tui_source {
	void *ctx;                  /* handed back to every callback */
	const char *name;           /* interface or file, for the header */
	const char *filter;         /* the BPF expression, or NULL */
	bool live;
	/* The table process() feeds. The dashboard subscribes to its
	 * events and reads it (foreach, stats); it never feeds it. */
	struct flow_table *flows;
	uint32_t flow_cap;          /* its max_flows, for "tracked vs cap" */

	/* Reads ahead one packet, unless one is already held, and tells its
	 * packet time without processing it. */
	int (*peek)(void *ctx, int64_t *ts_ns, char *err, size_t errlen);
	/* Processes the held packet: decode -> detect -> flow. */
	void (*process)(void *ctx, struct tui_packet *out);
	/* A descriptor for poll() (live), or -1. May be NULL. */
	int (*fd)(void *ctx);
	/* Capture counters (pcap_stats); returns 0, or -1 when there are
	 * none (files). May be NULL. */
	int (*stats)(void *ctx, struct tui_capture_stats *st);
	/* Moves packet time on without a packet (a quiet live capture), so
	 * alerts can clear. May be NULL. */
	void (*tick)(void *ctx, int64_t now_ns);
	/* The detector's alerts, active first (detect_alerts()); returns
	 * how many. NULL when no detector runs. */
	size_t (*alerts)(void *ctx, struct detect_alert *out, size_t max);
	/* Subscribes fn to alert records (detect_subscribe()); returns 0 or
	 * -1. May be NULL. */
	int (*subscribe_alerts)(void *ctx, detect_alert_fn fn, void *fn_ctx);
};

struct tui_opts {
	/* Replay pace: 1 = as recorded, 2 = twice as fast, ...; 0 = as fast
	 * as possible. Ignored for live sources. */
	double speed;
	/* Headless: run the whole input, then write the screens of every
	 * view as text to this file and return; no terminal is used. */
	const char *snapshot_path;
	int snapshot_cols, snapshot_rows;   /* 0: 120 x 40 */
};

/*
 * Runs the dashboard until the user quits, SIGINT/SIGTERM, or (with
 * snapshot_path) the end of the input. Returns 0, or -1 with the reason in
 * err; the terminal is restored in every case.
 */
int tui_run(const struct tui_opts *o, const struct tui_source *src, char *err,
	    size_t errlen);

#endif
