/*
 * The dashboard's loop state, shared by the loop (tui.c) and the key
 * handling (keys.c); private to tui/.
 */
#ifndef SYNSCOPE_TUI_APP_H
#define SYNSCOPE_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grid.h"
#include "model.h"
#include "tty.h"
#include "tui.h"
#include "view.h"

struct tui_app {
	const struct tui_opts *o;
	const struct tui_source *src;
	struct tui_model *m;
	struct tui_snap *snap;
	struct tui_ui ui;
	struct tui_grid grid;
	struct tui_tty *tty;
	bool utf8;

	bool have_base;             /* replay pacing: packet time base_pkt */
	int64_t base_pkt, base_wall; /* was due at wall time base_wall */
	bool held;                  /* a packet was peeked, not processed */
	int64_t held_ts;
	int64_t due_wall;           /* when the held packet is due, or -1 */
	int step;                   /* packets to take while paused */
	int64_t last_tick;          /* packet time the detector last heard */

	int64_t last_draw, last_snap;
	bool data_dirty, need_select, need_draw;
	bool quit;
	char *err;
	size_t errlen;
};

/* A message for the status line. */
void tui_app_status(struct tui_app *a, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The rows of the current detail or list that one page holds. */
int tui_app_page_rows(const struct tui_app *a);

/* Replay pacing starts again from the current packet time (after a pause
 * or a change of speed). */
void tui_app_rebase(struct tui_app *a);

/* keys.c: one key; changes the UI state and asks for a redraw. */
void tui_app_key(struct tui_app *a, int k);

#endif
