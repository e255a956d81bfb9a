#include "tty.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

struct tui_tty {
	SCREEN *scr;
	bool color;
	bool utf8;
	chtype attr[TA__COUNT];
};

/*
 * What a crash needs to put the terminal back: the settings from before
 * curses, and the strings that leave the alternate screen and show the
 * cursor, copied out while it was safe to call terminfo. Async-signal
 * safe to use (tcsetattr, write).
 */
static struct termios crash_tio;
static bool crash_tio_ok;
static char crash_seq[128];
static size_t crash_seq_len;
static volatile sig_atomic_t term_active;
static struct tui_tty *open_term;
static bool atexit_done;

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				     SIGABRT };

static void on_crash(int sig)
{
	if (term_active) {
		if (crash_tio_ok)
			tcsetattr(STDIN_FILENO, TCSANOW, &crash_tio);
		if (crash_seq_len &&
		    write(STDOUT_FILENO, crash_seq, crash_seq_len) < 0)
			crash_seq_len = 0;
		term_active = 0;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void close_at_exit(void)
{
	tui_tty_close(open_term);
}

static void add_seq(const char *cap)
{
	char *s = tigetstr(cap);
	size_t l;

	if (!s || s == (char *)-1)
		return;
	l = strlen(s);
	if (crash_seq_len + l < sizeof(crash_seq)) {
		memcpy(crash_seq + crash_seq_len, s, l);
		crash_seq_len += l;
	}
}

bool tui_locale_utf8(void)
{
	const char *cs;

	if (!setlocale(LC_CTYPE, ""))
		return false;
	cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static void setup_attrs(struct tui_tty *t)
{
	static const struct {
		short fg, bg;
		chtype extra;       /* with colours */
		chtype mono;        /* without (NO_COLOR, no colours) */
	} map[TA__COUNT] = {
		[TA_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
		[TA_BOLD] = { -1, -1, A_BOLD, A_BOLD },
		[TA_DIM] = { -1, -1, A_DIM, A_DIM },
		[TA_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_BOLD,
			       A_REVERSE | A_BOLD },
		[TA_TAB] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
		[TA_SELECTED] = { -1, -1, A_REVERSE, A_REVERSE },
		[TA_HEADING] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
		[TA_GOOD] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
		[TA_WARN] = { COLOR_YELLOW, -1, A_NORMAL, A_BOLD },
		[TA_BAD] = { COLOR_RED, -1, A_BOLD, A_BOLD },
		[TA_ALERT] = { COLOR_WHITE, COLOR_RED, A_BOLD,
			       A_REVERSE | A_BOLD },
		[TA_ALERT_DIM] = { COLOR_RED, -1, A_BOLD, A_BOLD },
		[TA_C2S] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
		[TA_S2C] = { COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL },
		[TA_ERROR] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE },
	};

	for (int a = 0; a < TA__COUNT; a++) {
		if (!t->color || (map[a].fg < 0 && map[a].bg < 0)) {
			t->attr[a] = t->color ? map[a].extra : map[a].mono;
			continue;
		}
		init_pair((short)a, map[a].fg, map[a].bg);
		t->attr[a] = COLOR_PAIR(a) | map[a].extra;
	}
}

int tui_tty_open(struct tui_tty **out, bool no_color, char *err,
		  size_t errlen)
{
	struct tui_tty *t = calloc(1, sizeof(*t));
	struct sigaction sa;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->utf8 = tui_locale_utf8();
	crash_tio_ok = tcgetattr(STDIN_FILENO, &crash_tio) == 0;
	/* newterm(), unlike initscr(), returns NULL instead of exiting */
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr) {
		const char *term = getenv("TERM");
		snprintf(err, errlen, "cannot use the terminal (TERM=%s)",
			 term ? term : "unset");
		free(t);
		return -1;
	}
	crash_seq_len = 0;
	add_seq("sgr0");
	add_seq("cnorm");
	add_seq("rmcup");
	term_active = 1;
	open_term = t;
	if (!atexit_done && atexit(close_at_exit) == 0)
		atexit_done = true;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(int); i++)
		sigaction(crash_signals[i], &sa, NULL);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* https://no-color.org: present and not empty disables colour */
	const char *nc = getenv("NO_COLOR");
	t->color = !no_color && !(nc && *nc) && has_colors();
	if (t->color) {
		start_color();
		use_default_colors();
	}
	setup_attrs(t);
	*out = t;
	return 0;
}

void tui_tty_close(struct tui_tty *t)
{
	if (!t)
		return;
	if (t == open_term) {
		open_term = NULL;
		term_active = 0;
		for (size_t i = 0; i < sizeof(crash_signals) / sizeof(int);
		     i++)
			signal(crash_signals[i], SIG_DFL);
	}
	curs_set(1);
	endwin();
	delscreen(t->scr);
	free(t);
}

void tui_tty_size(struct tui_tty *t, int *cols, int *rows)
{
	(void)t;
	getmaxyx(stdscr, *rows, *cols);
}

void tui_tty_show(struct tui_tty *t, const struct tui_grid *g)
{
	char line[4096], buf[8];
	int maxy, maxx;

	getmaxyx(stdscr, maxy, maxx);
	for (int y = 0; y < g->rows && y < maxy; y++) {
		int x = 0;
		while (x < g->cols && x < maxx) {
			uint8_t a = g->attr[(size_t)y * (size_t)g->cols +
					    (size_t)x];
			size_t n = 0;
			int x0 = x;

			while (x < g->cols && x < maxx &&
			       g->attr[(size_t)y * (size_t)g->cols +
				       (size_t)x] == a &&
			       n + 8 < sizeof(line)) {
				const char *s = tui_glyph_text(
					g->ch[(size_t)y * (size_t)g->cols +
					      (size_t)x],
					t->utf8, buf);
				size_t l = strlen(s);
				memcpy(line + n, s, l);
				n += l;
				x++;
			}
			line[n] = '\0';
			attrset(a < TA__COUNT ? t->attr[a] : A_NORMAL);
			/* the last cell of the screen gives ERR (the cursor
			 * cannot move on) but is written all the same */
			mvaddstr(y, x0, line);
		}
	}
	attrset(A_NORMAL);
	refresh();
}

int tui_tty_key(struct tui_tty *t)
{
	int c = getch();

	(void)t;
	switch (c) {
	case ERR: return TK_NONE;
	case KEY_UP: return TK_UP;
	case KEY_DOWN: return TK_DOWN;
	case KEY_LEFT: return TK_LEFT;
	case KEY_RIGHT: return TK_RIGHT;
	case KEY_PPAGE: return TK_PGUP;
	case KEY_NPAGE: return TK_PGDN;
	case KEY_HOME: return TK_HOME;
	case KEY_END: return TK_END;
	case KEY_ENTER: case '\r': case '\n': return TK_ENTER;
	case 27: return TK_ESC;
	case KEY_BACKSPACE: case 127: case 8: return TK_BACKSPACE;
	case '\t': return TK_TAB;
	case KEY_BTAB: return TK_BTAB;
	case KEY_RESIZE: return TK_RESIZE;
	default: return (c >= 0 && c < 256) ? c : TK_NONE;
	}
}
