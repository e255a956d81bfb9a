/*
 * The frame around every view and the overview. Layout, top to bottom:
 *
 *   row 0   title: program, source, BPF filter, mode, packet time
 *   row 1   counters: packets and bits per second, drops, flows vs cap
 *   row 2   the alert line (flashing while an alert is active)
 *   row 3   tabs, the filter and the sort
 *   ...     the view
 *   last    status: the filter prompt, a message, or the main keys
 */
#include "view.h"

#include <stdio.h>
#include <string.h>

#include "addr.h"

static const char *const view_names[TV__COUNT] = {
	[TV_OVERVIEW] = "Overview",
	[TV_CONNS] = "Connections",
	[TV_SERVERS] = "Servers",
	[TV_ALERTS] = "Alerts",
};

const char *tui_view_name(enum tui_view v)
{
	return (unsigned)v < TV__COUNT ? view_names[v] : "?";
}

void tui_ui_init(struct tui_ui *ui)
{
	memset(ui, 0, sizeof(*ui));
	ui->sort = TC_ID;
	ui->ladder_follow = true;
	ui->speed = 1;
}

void tui_fmt_endpoint(char *out, size_t outlen, int version,
		      const uint8_t *addr, uint16_t port)
{
	char a[ADDR_TEXT_MAX];

	addr_format(a, version, addr);
	snprintf(out, outlen, version == 6 ? "[%s]:%u" : "%s:%u", a,
		 (unsigned)port);
}

void tui_fmt_alert_target(const struct detect_alert *a, char *out,
			  size_t outlen)
{
	int version = a->dst.version == 6 ? 6 : 4;
	char ad[ADDR_TEXT_MAX];

	if (a->has_port) {
		tui_fmt_endpoint(out, outlen, version, a->dst.addr, a->dport);
		return;
	}
	addr_format(ad, version, a->dst.addr);
	snprintf(out, outlen, "%s", ad);
}

int tui_view_body_rows(const struct tui_grid *g)
{
	int n = g->rows - TUI_BODY_TOP - 1;
	return n > 0 ? n : 0;
}

size_t tui_view_list_len(const struct tui_snap *s, enum tui_view v)
{
	switch (v) {
	case TV_CONNS: return s->norder;
	case TV_SERVERS: return s->nservers;
	case TV_ALERTS: return s->nalerts;
	default: return 0;
	}
}

int tui_view_list_rows(const struct tui_grid *g, enum tui_view v)
{
	int rows = tui_view_body_rows(g);

	/* the alerts view keeps its lower half for the selected alert */
	return v == TV_ALERTS ? rows / 2 - 1 : rows - 1;
}

size_t tui_view_first_row(size_t sel, size_t top, size_t n, int rows)
{
	size_t r = rows > 0 ? (size_t)rows : 1;

	if (sel < top)
		top = sel;
	if (sel >= top + r)
		top = sel - r + 1;
	if (n > r && top > n - r)
		top = n - r;
	if (n <= r)
		top = 0;
	return top;
}

static void fmt_bits(double bps, char *out, size_t outlen)
{
	static const char *const u[] = { "b/s", "Kb/s", "Mb/s", "Gb/s",
					 "Tb/s" };
	int i = 0;

	while (bps >= 999.5 && i < 4) {
		bps /= 1000;
		i++;
	}
	snprintf(out, outlen, i ? "%.1f %s" : "%.0f %s", bps, u[i]);
}

static void fmt_ptime(int64_t ns, char *out, size_t outlen)
{
	if (ns < 0)
		snprintf(out, outlen, "-");
	else if (ns < 1000 * TUI_NS_PER_S)
		snprintf(out, outlen, "%.3fs", (double)ns / 1e9);
	else
		tui_fmt_dur(ns, out, outlen);
}

static void draw_title(struct tui_grid *g, const struct tui_ui *ui,
		       const struct tui_snap *s)
{
	char mode[64], t[32];
	int x;

	tui_grid_fill(g, 0, 0, g->cols, TA_TITLE, ' ');
	if (ui->live)
		snprintf(mode, sizeof(mode), "LIVE");
	else if (ui->speed > 0)
		snprintf(mode, sizeof(mode), "REPLAY x%g", ui->speed);
	else
		snprintf(mode, sizeof(mode), "REPLAY max");
	if (ui->paused)
		strncat(mode, " PAUSED", sizeof(mode) - strlen(mode) - 1);
	if (ui->frozen)
		strncat(mode, " FROZEN", sizeof(mode) - strlen(mode) - 1);
	if (ui->eof)
		strncat(mode, " END", sizeof(mode) - strlen(mode) - 1);
	x = tui_grid_printf(g, 0, 0, TA_TITLE, " synscope  %s",
			    ui->source_name ? ui->source_name : "?");
	if (ui->bpf && *ui->bpf)
		x += tui_grid_printf(g, 0, x, TA_TITLE, "  [%s]", ui->bpf);
	fmt_ptime(s->first_ns >= 0 ? s->now_ns - s->first_ns : -1, t,
		  sizeof(t));
	char right[128];
	int rl = snprintf(right, sizeof(right), "%s  time +%s ", mode, t);
	int rx = g->cols - rl;
	if (rx < x + 1)
		rx = x + 1;
	tui_grid_put(g, 0, rx, TA_TITLE, right);
}

static void draw_counters(struct tui_grid *g, const struct tui_snap *s)
{
	char line[512], pk[16], rate[16], bits[24], act[16], cap[16];

	tui_fmt_count(s->packets, pk, sizeof(pk));
	tui_fmt_count((uint64_t)(s->pps + 0.5), rate, sizeof(rate));
	fmt_bits(s->bps, bits, sizeof(bits));
	tui_fmt_count(s->flows.active, act, sizeof(act));
	tui_fmt_count(s->flow_cap, cap, sizeof(cap));
	int n = snprintf(line, sizeof(line), " pkts %s  %s pkt/s  %s", pk,
			 rate, bits);
	if (s->have_capture_stats)
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      "  drops %llu+%llu",
			      (unsigned long long)s->cap_stats.dropped_kernel,
			      (unsigned long long)s->cap_stats.dropped_iface);
	snprintf(line + n, sizeof(line) - (size_t)n,
		 "  flows %s/%s  half-open %llu  evicted %llu  "
		 "refused %llu", act, cap,
		 (unsigned long long)s->flows.half_open,
		 (unsigned long long)s->flows.evicted,
		 (unsigned long long)s->flows.refused);
	tui_grid_put(g, 1, 0, TA_NORMAL, line);
	if (s->have_capture_stats &&
	    s->cap_stats.dropped_kernel + s->cap_stats.dropped_iface)
		tui_grid_recolor(g, 1, 0, g->cols, TA_WARN);
}

static void draw_alert_line(struct tui_grid *g, const struct tui_ui *ui,
			    const struct tui_snap *s)
{
	char tgt[80];

	if (!s->detector) {
		tui_grid_put(g, 2, 0, TA_DIM, " alerts: no detector running");
		return;
	}
	if (s->nactive == 0) {
		tui_grid_printf(g, 2, 0, TA_DIM,
				" alerts: none active (%zu recent)",
				s->nalerts);
		return;
	}
	const struct detect_alert *a = &s->alerts[0];
	enum tui_attr at = ui->flash ? TA_ALERT : TA_ALERT_DIM;

	tui_fmt_alert_target(a, tgt, sizeof(tgt));
	tui_grid_fill(g, 2, 0, g->cols, at, ' ');
	int x = tui_grid_printf(g, 2, 0, at,
				" ALERT %s on %s: %.0f SYN/s, half-open %u, "
				"completion %.0f%%, ~%llu sources",
				detect_verdict_name(a->verdict), tgt,
				a->syn_rate, a->half_open,
				a->completion * 100,
				(unsigned long long)a->sources);
	if (s->nactive > 1)
		tui_grid_printf(g, 2, x, at, " (+%zu more)", s->nactive - 1);
}

static void draw_tabs(struct tui_grid *g, const struct tui_ui *ui)
{
	int x = 1;
	char buf[128];

	for (int v = 0; v < TV__COUNT; v++) {
		snprintf(buf, sizeof(buf), " %d %s ", v + 1,
			 view_names[v]);
		x += tui_grid_put(g, 3, x,
				  (int)ui->view == v ? TA_TAB : TA_HEADING,
				  buf);
		x++;
	}
	if (ui->detail)
		x += tui_grid_put(g, 3, x, TA_TAB, " Detail ") + 1;
	snprintf(buf, sizeof(buf), " sort %s%s%s%s",
		 tui_col_name(ui->sort), ui->reverse ? " (rev)" : "",
		 ui->hide_closed ? "  closed hidden" : "",
		 ui->filter_text[0] ? "  filter " : "");
	x += tui_grid_put(g, 3, x + 1, TA_DIM, buf) + 1;
	if (ui->filter_text[0])
		tui_grid_put(g, 3, x, TA_BOLD, ui->filter_text);
}

static void draw_status(struct tui_grid *g, const struct tui_ui *ui,
			const struct tui_snap *s)
{
	int y = g->rows - 1;

	if (ui->prompt) {
		int x = tui_grid_put(g, y, 0, TA_BOLD, "filter: ");
		tui_grid_put(g, y, x, TA_NORMAL, ui->prompt_buf);
		tui_grid_put(g, y, x + (int)ui->prompt_len, TA_SELECTED, " ");
		return;
	}
	if (ui->status[0]) {
		int x = 0;
		if (ui->eof)
			x = tui_grid_put(g, y, 0, TA_BOLD, "end of capture | ");
		tui_grid_put(g, y, x, ui->status_error ? TA_ERROR : TA_BOLD,
			     ui->status);
		return;
	}
	if (ui->eof) {
		int x = tui_grid_put(g, y, 0, TA_BOLD, "end of capture");
		tui_grid_put(g, y, x, TA_DIM,
			     "  (q quits, ? help, Tab switches views)");
		return;
	}
	(void)s;
	tui_grid_put(g, y, 0, TA_DIM,
		     "q quit  ? help  Tab views  Enter detail  / filter  "
		     "s/S sort  p pause  space freeze");
}

static void draw_too_small(struct tui_grid *g)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "terminal too small: %dx%d", g->cols,
		 g->rows);
	tui_grid_put(g, 0, 0, TA_BOLD, msg);
	snprintf(msg, sizeof(msg), "synscope needs at least %dx%d",
		 TUI_MIN_COLS, TUI_MIN_ROWS);
	tui_grid_put(g, 1, 0, TA_NORMAL, msg);
	tui_grid_put(g, 2, 0, TA_DIM, "resize, or q to quit");
}

static void draw_help(struct tui_grid *g)
{
	static const char *const lines[] = {
		"1-4, Tab, Shift-Tab  switch view: Overview, Connections, "
		"Servers, Alerts",
		"Up/Down, j/k         move the selection (detail: scroll)",
		"PgUp/PgDn            a page up or down",
		"Home/End             first or last (End: follow new packets)",
		"Enter                open the selected connection's detail;",
		"                     on a server or alert: its connections",
		"Esc, Backspace       back: close detail, help or prompt",
		"s / S                sort by the next column / reverse",
		"/                    filter: state:X port:N host:A[/N] "
		"conn:Z flag:F",
		"c                    show or hide closed connections",
		"p                    pause the replay (live: freeze)",
		"n or .               one packet while paused",
		"+ / -                replay faster / slower",
		"space                freeze the display; capture goes on",
		"?                    this help          q  quit",
	};
	int n = (int)(sizeof(lines) / sizeof(lines[0]));
	int w = 76, h = n + 2;
	int x0 = (g->cols - w) / 2, y0 = TUI_BODY_TOP;

	if (x0 < 0)
		x0 = 0;
	if (y0 + h > g->rows - 1)
		y0 = g->rows - 1 - h;
	if (y0 < 0)
		y0 = 0;
	for (int y = 0; y < h; y++)
		tui_grid_fill(g, y0 + y, x0, w, TA_NORMAL, ' ');
	tui_grid_fill(g, y0, x0, w, TA_HEADING, '-');
	tui_grid_put(g, y0, x0 + 2, TA_HEADING, " Keys (any key closes) ");
	for (int i = 0; i < n; i++)
		tui_grid_putn(g, y0 + 1 + i, x0 + 2, TA_NORMAL, lines[i],
			      w - 3);
	tui_grid_fill(g, y0 + h - 1, x0, w, TA_HEADING, '-');
}

/* " label      value  label     value", 40 columns at most. */
static void hs_row(struct tui_grid *g, int y, int x, enum tui_attr a,
		   const char *l1, const char *v1, const char *l2,
		   const char *v2)
{
	tui_grid_printf(g, y, x, a, " %-10s%8s", l1, v1);
	if (l2)
		tui_grid_printf(g, y, x + 21, a, "%-10s%8s", l2, v2);
}

static void draw_handshakes(struct tui_grid *g, const struct tui_snap *s,
			    int y, int x)
{
	char a[24], b[24], p50[16], p99[16];
	double ok = s->attempts ? 100.0 * (double)s->completed /
					  (double)s->attempts
				: 0;
	enum tui_attr oka = !s->attempts ? TA_NORMAL
			    : ok < 50	 ? TA_BAD
			    : ok < 90	 ? TA_WARN
					 : TA_GOOD;

	tui_grid_put(g, y, x, TA_HEADING, "Handshakes");
	snprintf(a, sizeof(a), "%.1f", s->syn_rate);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)s->syn_pkts);
	hs_row(g, y + 1, x, TA_NORMAL, "SYN/s", a, "SYNs", b);
	snprintf(a, sizeof(a), "%.1f", s->done_rate);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)s->attempts);
	hs_row(g, y + 2, x, TA_NORMAL, "done/s", a, "attempts", b);
	snprintf(a, sizeof(a), "%llu", (unsigned long long)s->completed);
	snprintf(b, sizeof(b), "%u", s->half_open);
	hs_row(g, y + 3, x, TA_NORMAL, "completed", a, "half-open", b);
	snprintf(a, sizeof(a), "%llu", (unsigned long long)s->refused);
	snprintf(b, sizeof(b), "%llu", (unsigned long long)s->unanswered);
	hs_row(g, y + 4, x, s->refused || s->unanswered ? TA_WARN : TA_NORMAL,
	       "refused", a, "unanswered", b);
	if (s->attempts)
		snprintf(a, sizeof(a), "%.1f%%", ok);
	else
		snprintf(a, sizeof(a), "-");
	snprintf(b, sizeof(b), "%llu", (unsigned long long)s->resets);
	hs_row(g, y + 5, x, oka, "success", a, "resets", b);
	tui_fmt_dur(s->rtt_p50, p50, sizeof(p50));
	tui_fmt_dur(s->rtt_p99, p99, sizeof(p99));
	tui_grid_printf(g, y + 6, x, TA_NORMAL, " RTT p50 %s  p99 %s  (%zu)",
			p50, p99, s->rtt_n);
}

static void draw_states(struct tui_grid *g, const struct tui_snap *s, int y,
			int x, int w)
{
	static const enum ep_state order[] = {
		EP_SYN_SENT, EP_SYN_RECEIVED, EP_ESTABLISHED, EP_FIN_WAIT_1,
		EP_FIN_WAIT_2, EP_CLOSE_WAIT, EP_LAST_ACK, EP_CLOSING,
		EP_TIME_WAIT, EP_CLOSED, EP_UNKNOWN,
	};
	uint64_t max = 0;
	int barw = w - 24;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (s->states[order[i]] > max)
			max = s->states[order[i]];
	tui_grid_put(g, y, x, TA_HEADING, "Endpoint states (RFC 9293)");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		uint64_t v = s->states[order[i]];
		int yy = y + 1 + (int)i;

		tui_grid_printf(g, yy, x, v ? TA_NORMAL : TA_DIM,
				" %-13s%8llu", flow_ep_state_name(order[i]),
				(unsigned long long)v);
		if (v && barw > 0 && max) {
			int bw = (int)((v * (uint64_t)barw + max - 1) / max);
			tui_grid_fill(g, yy, x + 23, bw,
				      order[i] == EP_SYN_RECEIVED ? TA_WARN
								  : TA_GOOD,
				      '#');
		}
	}
}

static void draw_spark(struct tui_grid *g, int y, const char *name,
		       const uint64_t *series, int w)
{
	int label = 30, n = w - label - 1; /* " SYN    last 300s max 1234567 " */
	uint64_t max = 0;

	if (n < 4)
		return;
	if (n > TUI_SPARK_SECS)
		n = TUI_SPARK_SECS;
	const uint64_t *v = series + TUI_SPARK_SECS - n;
	for (int i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	tui_grid_printf(g, y, 0, TA_NORMAL, " %-6s last %3ds max %-7llu",
			name, n, (unsigned long long)max);
	for (int i = 0; i < n; i++)
		tui_grid_glyph(g, y, label + i, TA_GOOD,
			       TUI_GLYPH_SPARK +
				       (uint32_t)tui_spark_level(v[i], max));
}

static void draw_top_servers(struct tui_grid *g, const struct tui_snap *s,
			     int y, int rows)
{
	char ep[80], rtt[16];

	if (rows < 3)
		return;
	tui_grid_put(g, y, 0, TA_HEADING, "Busiest servers");
	tui_grid_put(g, y + 1, 1, TA_HEADING,
		     "Server                        Conns  Half-open  "
		     "Refused  Unanswered  Resets  RTT p50");
	for (int i = 0; i < rows - 2 && (size_t)i < s->nservers; i++) {
		const struct tui_server *sv = &s->servers[i];

		tui_fmt_endpoint(ep, sizeof(ep), sv->version, sv->addr,
				 sv->port);
		tui_fmt_dur(sv->rtt_median, rtt, sizeof(rtt));
		tui_grid_printf(g, y + 2 + i, 1, TA_NORMAL,
				"%-28.28s %6u %10u %8u %11u %7u  %s", ep,
				sv->conns, sv->half_open, sv->refused,
				sv->unanswered, sv->resets, rtt);
	}
}

static void draw_overview(struct tui_grid *g, const struct tui_snap *s,
			  int top, int rows)
{
	int half = g->cols / 2;
	int y = top + 13;

	draw_handshakes(g, s, top, 0);
	draw_states(g, s, top, half, g->cols - half);
	tui_grid_put(g, y, 0, TA_HEADING, "Per second, packet time");
	draw_spark(g, y + 1, "SYN", s->spark_syn, g->cols);
	draw_spark(g, y + 2, "done", s->spark_done, g->cols);
	draw_top_servers(g, s, y + 4, top + rows - (y + 4));
}

void tui_view_draw(struct tui_grid *g, const struct tui_ui *ui,
		   const struct tui_snap *s)
{
	int top = TUI_BODY_TOP, rows = tui_view_body_rows(g);

	tui_grid_clear(g);
	if (g->cols < TUI_MIN_COLS || g->rows < TUI_MIN_ROWS) {
		draw_too_small(g);
		return;
	}
	draw_title(g, ui, s);
	draw_counters(g, s);
	draw_alert_line(g, ui, s);
	draw_tabs(g, ui);
	if (ui->detail) {
		tui_view_detail(g, ui, s, top, rows);
	} else {
		switch (ui->view) {
		case TV_OVERVIEW: draw_overview(g, s, top, rows); break;
		case TV_CONNS: tui_view_conns(g, ui, s, top, rows); break;
		case TV_SERVERS: tui_view_servers(g, ui, s, top, rows); break;
		case TV_ALERTS: tui_view_alerts(g, ui, s, top, rows); break;
		default: break;
		}
	}
	if (ui->help)
		draw_help(g);
	draw_status(g, ui, s);
}
