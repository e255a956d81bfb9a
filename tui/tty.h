/*
 * The terminal back end, the only file that speaks curses: it copies a
 * cell grid to the screen, reads keys without waiting, and puts the
 * terminal back as it was on every way out (a normal close, exit(), and a
 * crash signal, from which it restores the saved termios itself).
 */
#ifndef SYNSCOPE_TUI_TTY_H
#define SYNSCOPE_TUI_TTY_H

#include <stdbool.h>
#include <stddef.h>

#include "grid.h"

/* Keys, as the loop sees them: ASCII, or one of these. */
enum tui_key {
	TK_NONE = -1,
	TK_UP = 0x1000,
	TK_DOWN,
	TK_PGUP,
	TK_PGDN,
	TK_HOME,
	TK_END,
	TK_ENTER,
	TK_ESC,
	TK_BACKSPACE,
	TK_TAB,
	TK_BTAB,
	TK_RESIZE,
	TK_LEFT,
	TK_RIGHT,
};

struct tui_tty;

/* Sets LC_CTYPE from the environment; true when it is UTF-8. */
bool tui_locale_utf8(void);

/* Takes over the terminal (stdin and stdout). Colours unless no_color.
 * Returns 0, or -1 with the reason in err. */
int tui_tty_open(struct tui_tty **out, bool no_color, char *err,
		  size_t errlen);

/* Gives the terminal back; NULL is fine. */
void tui_tty_close(struct tui_tty *t);

void tui_tty_size(struct tui_tty *t, int *cols, int *rows);

/* Shows the grid (ncurses sends only what changed). */
void tui_tty_show(struct tui_tty *t, const struct tui_grid *g);

/* The next key, or TK_NONE at once when none is waiting. */
int tui_tty_key(struct tui_tty *t);

#endif
