/*
 * A screen as a grid of cells (a character and an attribute each), with no
 * curses in it: the views draw here, then the terminal back end (tty.c)
 * copies the grid to ncurses, or the snapshot writer (--tui-snapshot) to a
 * text file. Characters are ASCII plus a few glyphs (sparkline levels)
 * that become UTF-8 or an ASCII stand-in on output.
 */
#ifndef SYNSCOPE_TUI_GRID_H
#define SYNSCOPE_TUI_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a cell looks like; the back end maps these to colours or to
 * bold/reverse when colours are off (NO_COLOR). */
enum tui_attr {
	TA_NORMAL = 0,
	TA_BOLD,
	TA_DIM,
	TA_TITLE,           /* the top bar */
	TA_TAB,             /* the current view's tab */
	TA_SELECTED,        /* the selected row */
	TA_HEADING,         /* table headings, section titles */
	TA_GOOD,
	TA_WARN,
	TA_BAD,
	TA_ALERT,           /* an active alert, flashing */
	TA_ALERT_DIM,       /* ... its other phase */
	TA_C2S,             /* ladder: client to server */
	TA_S2C,             /* ladder: server to client */
	TA_ERROR,           /* status line: something is wrong */
	TA__COUNT
};

/* Glyphs past ASCII. */
#define TUI_GLYPH_SPARK 0x100u  /* + level 1..8 */

struct tui_grid {
	int cols, rows;
	uint32_t *ch;
	uint8_t *attr;
};

/* Sizes (and clears) the grid; -1 when memory fails. */
int tui_grid_resize(struct tui_grid *g, int cols, int rows);
void tui_grid_free(struct tui_grid *g);
void tui_grid_clear(struct tui_grid *g);

/* Writes s at (y, x), clipped to the grid and to maxw columns (maxw < 0:
 * no limit); returns the columns written. Bytes past ASCII print '?'. */
int tui_grid_putn(struct tui_grid *g, int y, int x, enum tui_attr a,
		  const char *s, int maxw);
int tui_grid_put(struct tui_grid *g, int y, int x, enum tui_attr a,
		 const char *s);
int tui_grid_printf(struct tui_grid *g, int y, int x, enum tui_attr a,
		    const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Fills w cells with ch; recolours w cells. */
void tui_grid_fill(struct tui_grid *g, int y, int x, int w, enum tui_attr a,
		   uint32_t ch);
void tui_grid_recolor(struct tui_grid *g, int y, int x, int w,
		      enum tui_attr a);

void tui_grid_glyph(struct tui_grid *g, int y, int x, enum tui_attr a,
		    uint32_t glyph);

/* The text of a cell's character: UTF-8 or an ASCII stand-in. */
const char *tui_glyph_text(uint32_t ch, bool utf8, char buf[8]);

/* One row as text with trailing blanks cut; returns its length. */
size_t tui_grid_row_text(const struct tui_grid *g, int y, bool utf8,
			 char *out, size_t outlen);

/* Every row, one line each; returns 0 or -1 on a write error. */
int tui_grid_write(const struct tui_grid *g, FILE *f, bool utf8);

#endif
