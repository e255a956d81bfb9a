/*
 * The views: they draw a snapshot (model.h) and the UI state below into a
 * cell grid (grid.h). No curses here either, so a view can be drawn into a
 * file (--tui-snapshot) or checked by a test as well as shown.
 *
 *   view.c        the frame (title, counters, alert line, tabs, status
 *                 line), the overview, help, "too small"
 *   view_lists.c  connections, servers, alerts, and a connection's detail
 */
#ifndef SYNSCOPE_TUI_VIEW_H
#define SYNSCOPE_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grid.h"
#include "model.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24
#define TUI_BODY_TOP 4      /* title, counters, alert line, tabs */

enum tui_view {
	TV_OVERVIEW = 0,
	TV_CONNS,
	TV_SERVERS,
	TV_ALERTS,
	TV__COUNT
};

const char *tui_view_name(enum tui_view v);

/* Everything about what the user is looking at: nothing here is data. */
struct tui_ui {
	enum tui_view view;
	bool detail;                /* a connection's detail is open */
	uint64_t detail_id;
	bool help;
	size_t sel[TV__COUNT];      /* selected row of each list */
	uint64_t sel_id;            /* the selected connection, kept across
				     * snapshots that reorder the rows */
	size_t top[TV__COUNT];      /* first row shown */
	size_t ladder_top;          /* first ladder line shown */
	bool ladder_follow;         /* keep the newest packets in sight */

	enum tui_col sort;
	bool reverse;
	bool hide_closed;
	char filter_text[256];
	struct tui_filter filter;

	bool prompt;                /* typing a filter */
	bool prompt_keep;           /* the last one was refused: keep it */
	char prompt_buf[256];
	size_t prompt_len;
	char status[256];           /* a message for the status line */
	bool status_error;

	/* what the loop is doing */
	bool live, paused, frozen, eof;
	double speed;               /* 0: as fast as possible */
	const char *source_name;
	const char *bpf;
	bool flash;                 /* the alert's phase */
	bool snapshot;              /* drawing for --tui-snapshot */
};

void tui_ui_init(struct tui_ui *ui);

/* Rows between the tabs and the status line. */
int tui_view_body_rows(const struct tui_grid *g);
/* How many rows a list view has, and how many of them one page shows. */
size_t tui_view_list_len(const struct tui_snap *s, enum tui_view v);
int tui_view_list_rows(const struct tui_grid *g, enum tui_view v);

/* Draws the whole screen. */
void tui_view_draw(struct tui_grid *g, const struct tui_ui *ui,
		   const struct tui_snap *s);

/* view_lists.c */
void tui_view_conns(struct tui_grid *g, const struct tui_ui *ui,
		    const struct tui_snap *s, int top, int rows);
void tui_view_servers(struct tui_grid *g, const struct tui_ui *ui,
		      const struct tui_snap *s, int top, int rows);
void tui_view_alerts(struct tui_grid *g, const struct tui_ui *ui,
		     const struct tui_snap *s, int top, int rows);
void tui_view_detail(struct tui_grid *g, const struct tui_ui *ui,
		     const struct tui_snap *s, int top, int rows);
/* How many ladder lines the detail shows at once in `rows` body rows. */
int tui_view_ladder_height(const struct tui_snap *s, int rows);

/* Endpoint text: "192.0.2.1:80", "[2001:db8::1]:80". */
void tui_fmt_endpoint(char *out, size_t outlen, int version,
		      const uint8_t *addr, uint16_t port);
/* An alert's target: its endpoint, or the address alone for a host. */
void tui_fmt_alert_target(const struct detect_alert *a, char *out,
			  size_t outlen);

/* The list rows visible for a selection, kept in the window. */
size_t tui_view_first_row(size_t sel, size_t top, size_t n, int rows);

#endif
