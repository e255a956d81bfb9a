/*
 * Keys: each changes the UI state only (struct tui_ui) and asks the loop
 * for a new selection or a redraw; none touches the capture.
 */
#include "app.h"

#include <stdio.h>
#include <string.h>

#define SPEED_MAX 1024.0

static void move_sel(struct tui_app *a, long delta, bool to_end)
{
	enum tui_view v = a->ui.view;
	size_t n = tui_view_list_len(a->snap, v);
	size_t *sel = &a->ui.sel[v];

	if (n == 0)
		return;
	if (to_end)
		*sel = delta < 0 ? 0 : n - 1;
	else if (delta < 0)
		*sel = (size_t)-delta > *sel ? 0 : *sel - (size_t)-delta;
	else
		*sel = *sel + (size_t)delta >= n ? n - 1 : *sel + (size_t)delta;
	if (v == TV_CONNS)
		a->ui.sel_id = a->snap->rows[a->snap->order[*sel]].rec.id;
	a->need_draw = true;
}

static void scroll_ladder(struct tui_app *a, long delta, bool to_end)
{
	int h = tui_app_page_rows(a);
	size_t n = a->snap->npin_pkts;
	size_t last = n > (size_t)h ? n - (size_t)h : 0;
	size_t top = a->ui.ladder_follow ? last : a->ui.ladder_top;

	if (to_end) {
		top = delta < 0 ? 0 : last;
	} else if (delta < 0) {
		top = (size_t)-delta > top ? 0 : top - (size_t)-delta;
	} else {
		top += (size_t)delta;
		if (top > last)
			top = last;
	}
	a->ui.ladder_top = top;
	a->ui.ladder_follow = top == last && delta > 0;
	a->need_draw = true;
}

static void open_detail(struct tui_app *a)
{
	const struct tui_snap *s = a->snap;
	size_t sel = a->ui.sel[TV_CONNS];

	if (sel >= s->norder)
		return;
	a->ui.detail = true;
	a->ui.detail_id = s->rows[s->order[sel]].rec.id;
	a->ui.ladder_follow = true;
	tui_model_pin(a->m, a->ui.detail_id);
	tui_snap_take_model(a->snap, a->m);
	a->need_draw = true;
}

static void close_detail(struct tui_app *a)
{
	a->ui.detail = false;
	tui_model_pin(a->m, 0);
	a->need_draw = true;
}

static void set_filter(struct tui_app *a, const char *text)
{
	struct tui_filter f;
	char why[200];

	if (tui_filter_parse(text, &f, why, sizeof(why)) < 0) {
		tui_app_status(a, true, "bad filter: %s", why);
		/* '/' brings the text back to be corrected */
		a->ui.prompt_keep = true;
		return;
	}
	a->ui.prompt_keep = false;
	a->ui.filter = f;
	snprintf(a->ui.filter_text, sizeof(a->ui.filter_text), "%s", text);
	a->ui.sel[TV_CONNS] = 0;
	a->ui.sel_id = 0;
	a->need_select = true;
	a->need_draw = true;
	if (f.n)
		tui_app_status(a, false, "filter: %s", text);
	else
		tui_app_status(a, false, "filter cleared");
}

/* Enter on a server or an alert: its connections. */
static void filter_endpoint(struct tui_app *a, int version, const uint8_t *addr,
			    bool has_port, uint16_t port)
{
	char ep[128], text[160];

	tui_fmt_endpoint(ep, sizeof(ep), version, addr, port);
	/* the address alone: strip ":port" and IPv6 brackets */
	char *colon = strrchr(ep, ':');
	if (colon)
		*colon = '\0';
	if (ep[0] == '[') {
		memmove(ep, ep + 1, strlen(ep));
		ep[strlen(ep) - 1] = '\0';
	}
	if (has_port)
		snprintf(text, sizeof(text), "host:%s port:%u", ep,
			 (unsigned)port);
	else
		snprintf(text, sizeof(text), "host:%s", ep);
	a->ui.view = TV_CONNS;
	set_filter(a, text);
}

static void enter(struct tui_app *a)
{
	const struct tui_snap *s = a->snap;

	switch (a->ui.view) {
	case TV_CONNS:
		open_detail(a);
		break;
	case TV_SERVERS:
		if (a->ui.sel[TV_SERVERS] < s->nservers) {
			const struct tui_server *sv =
				&s->servers[a->ui.sel[TV_SERVERS]];
			filter_endpoint(a, sv->version, sv->addr, true,
					sv->port);
		}
		break;
	case TV_ALERTS:
		if (a->ui.sel[TV_ALERTS] < s->nalerts) {
			const struct detect_alert *al =
				&s->alerts[a->ui.sel[TV_ALERTS]];
			filter_endpoint(a, al->dst.version == 6 ? 6 : 4,
					al->dst.addr, al->has_port, al->dport);
		}
		break;
	default:
		a->ui.view = TV_CONNS;
		a->need_draw = true;
		break;
	}
}

static void prompt_key(struct tui_app *a, int k)
{
	struct tui_ui *ui = &a->ui;

	a->need_draw = true;
	if (k == TK_ENTER) {
		ui->prompt = false;
		set_filter(a, ui->prompt_buf);
	} else if (k == TK_ESC) {
		ui->prompt = false;
	} else if (k == TK_BACKSPACE) {
		if (ui->prompt_len)
			ui->prompt_buf[--ui->prompt_len] = '\0';
	} else if (k == 0x15) {                 /* ^U: clear the line */
		ui->prompt_len = 0;
		ui->prompt_buf[0] = '\0';
	} else if (k >= 0x20 && k < 0x7f &&
		   ui->prompt_len + 1 < sizeof(ui->prompt_buf)) {
		ui->prompt_buf[ui->prompt_len++] = (char)k;
		ui->prompt_buf[ui->prompt_len] = '\0';
	}
}

static void switch_view(struct tui_app *a, int v)
{
	if (a->ui.detail)
		close_detail(a);
	a->ui.view = (enum tui_view)((v + TV__COUNT) % TV__COUNT);
	a->need_draw = true;
}

static void toggle_pause(struct tui_app *a)
{
	if (a->src->live) {
		a->ui.frozen = !a->ui.frozen;
		tui_app_status(a, false, "%s",
			       a->ui.frozen ? "live capture cannot pause: "
					      "display frozen, capture goes on"
					    : "display follows the capture");
		return;
	}
	a->ui.paused = !a->ui.paused;
	if (!a->ui.paused)
		tui_app_rebase(a);
	tui_app_status(a, false, "%s",
		       a->ui.paused ? "paused: n or . takes one packet, "
				      "p resumes"
				    : "replaying");
}

static void change_speed(struct tui_app *a, bool faster)
{
	double s = a->ui.speed;

	if (a->src->live)
		return;
	if (s <= 0)
		s = faster ? 0 : SPEED_MAX;
	else if (faster)
		s = s * 2 > SPEED_MAX ? 0 : s * 2;
	else
		s = s / 2 < 1.0 / 64 ? 1.0 / 64 : s / 2;
	a->ui.speed = s;
	tui_app_rebase(a);
	if (s > 0)
		tui_app_status(a, false, "replay speed x%g", s);
	else
		tui_app_status(a, false, "replay speed max");
}

static void list_key(struct tui_app *a, int k)
{
	long page = tui_app_page_rows(a);

	if (a->ui.detail) {
		switch (k) {
		case TK_UP: case 'k': scroll_ladder(a, -1, false); break;
		case TK_DOWN: case 'j': scroll_ladder(a, 1, false); break;
		case TK_PGUP: scroll_ladder(a, -page, false); break;
		case TK_PGDN: scroll_ladder(a, page, false); break;
		case TK_HOME: scroll_ladder(a, -1, true); break;
		case TK_END: scroll_ladder(a, 1, true); break;
		default: break;
		}
		return;
	}
	switch (k) {
	case TK_UP: case 'k': move_sel(a, -1, false); break;
	case TK_DOWN: case 'j': move_sel(a, 1, false); break;
	case TK_PGUP: move_sel(a, -page, false); break;
	case TK_PGDN: move_sel(a, page, false); break;
	case TK_HOME: case 'g': move_sel(a, -1, true); break;
	case TK_END: case 'G': move_sel(a, 1, true); break;
	case TK_ENTER: enter(a); break;
	default: break;
	}
}

void tui_app_key(struct tui_app *a, int k)
{
	struct tui_ui *ui = &a->ui;

	if (k == TK_RESIZE) {
		a->need_draw = true;
		return;
	}
	if (ui->prompt) {
		prompt_key(a, k);
		return;
	}
	ui->status[0] = '\0';
	a->need_draw = true;
	if (ui->help) {
		ui->help = false;
		if (k != 'q')
			return;
	}
	switch (k) {
	case 'q': case 'Q': a->quit = true; break;
	case '?': case 'h': ui->help = true; break;
	case TK_ESC: case TK_BACKSPACE:
		if (ui->detail)
			close_detail(a);
		break;
	case TK_TAB: switch_view(a, (int)ui->view + 1); break;
	case TK_BTAB: switch_view(a, (int)ui->view - 1); break;
	case '1': case '2': case '3': case '4': switch_view(a, k - '1'); break;
	case 's':
		ui->sort = (enum tui_col)((ui->sort + 1) % TC__COUNT);
		a->need_select = true;
		tui_app_status(a, false, "sorted by %s",
			       tui_col_name(ui->sort));
		break;
	case 'S':
		ui->reverse = !ui->reverse;
		a->need_select = true;
		tui_app_status(a, false, "sorted by %s%s",
			       tui_col_name(ui->sort),
			       ui->reverse ? ", reversed" : "");
		break;
	case 'c':
		ui->hide_closed = !ui->hide_closed;
		a->need_select = true;
		tui_app_status(a, false, "closed connections %s",
			       ui->hide_closed ? "hidden" : "shown");
		break;
	case '/':
		ui->prompt = true;
		if (!ui->prompt_keep)
			snprintf(ui->prompt_buf, sizeof(ui->prompt_buf), "%s",
				 ui->filter_text);
		ui->prompt_len = strlen(ui->prompt_buf);
		break;
	case 'p': toggle_pause(a); break;
	case 'n': case '.':
		if (!a->src->live && ui->paused && !ui->eof)
			a->step = 1;
		break;
	case ' ':
		ui->frozen = !ui->frozen;
		tui_app_status(a, false, "%s",
			       ui->frozen ? "display frozen (space resumes); "
					    "capture goes on"
					  : "display follows the capture");
		break;
	case '+': case '=': change_speed(a, true); break;
	case '-': change_speed(a, false); break;
	default: list_key(a, k); break;
	}
}
