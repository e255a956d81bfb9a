/*
 * The dashboard's packet source (tui/tui.h's struct tui_source) over the
 * run's own pipeline: capture -> decode -> analyze (detector and flow
 * table). A file is replayed on its packet times; a live capture is
 * polled on its descriptor.
 */
#ifndef SYNSCOPE_TUI_SOURCE_H
#define SYNSCOPE_TUI_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze.h"
#include "capture.h"
#include "detect.h"
#include "flow.h"
#include "options.h"
#include "tui.h"

struct cli_tui {
	struct capture *cap;
	int linktype;
	const char *source;         /* file name or interface */
	const char *filter;         /* BPF expression, or NULL */
	struct analyze *analyze;    /* takes every TCP segment */
	struct flow_table *flows;   /* the table analyze feeds */
	uint32_t flow_cap;
	struct detect *detect;      /* NULL when none runs */
	uint64_t count;             /* -c: stop after this many, 0 = all */

	/* after the run: frames read, and a read error that ended the input
	 * early (a truncated file), with its text */
	uint64_t frames;
	int read_rc;
	char read_err[CAPTURE_ERRBUF];
};

/* Runs the dashboard; returns 0, or -1 with the reason in err. */
int cli_tui_run(struct cli_tui *c, const struct tui_opts *o, char *err,
		size_t errlen);

/*
 * Whether this run is the dashboard's: --tui or --tui-snapshot, or a live
 * capture on a terminal (standard input and output) with neither --no-tui
 * nor a line format asked for. Returns 1 or 0, or -1 after printing why
 * the options cannot work together.
 */
int cli_tui_wanted(const struct options *o);

/*
 * The dashboard over an opened capture and its analysis; afterwards the
 * -w file is flushed and, live, the capture counters go to stderr as
 * tcpdump prints them. Returns the exit status (0 or 1).
 */
int cli_tui_main(const struct options *o, struct capture *cap, int linktype,
		 const char *source, struct analyze *an);

#endif
