/*
 * The list views (connections, servers, alerts) and one connection's
 * detail. The connections table drops its least useful columns first when
 * the terminal is narrow, and sizes the address columns to what is shown.
 */
#include "view.h"

#include <stdio.h>
#include <string.h>

#include "addr.h"

struct col_def {
	int width;
	int prio;               /* columns with the lowest go first */
	bool right;             /* numbers are right-aligned */
	bool shown;
};

static const struct {
	int width, prio;
	bool right;
} col_base[TC__COUNT] = {
	[TC_ID] = { 4, 2, true },
	[TC_CLIENT] = { 6, 10, false },
	[TC_SERVER] = { 6, 10, false },
	[TC_CSTATE] = { 10, 9, false },
	[TC_SSTATE] = { 10, 9, false },
	[TC_CONN] = { 6, 8, false },
	[TC_HIST] = { 7, 7, false },
	[TC_AGE] = { 6, 5, true },
	[TC_IDLE] = { 6, 6, true },
	[TC_PKTS_CS] = { 5, 4, true },
	[TC_PKTS_SC] = { 5, 4, true },
	[TC_BYTES_CS] = { 6, 3, true },
	[TC_BYTES_SC] = { 6, 3, true },
	[TC_RTT] = { 6, 6, true },
	[TC_RTX] = { 4, 6, true },
	[TC_FLAGS] = { 5, 6, false },
};

#define ENDPOINT_MAX 30

static const struct tui_row *row_at(const struct tui_snap *s, size_t i)
{
	return &s->rows[s->order[i]];
}

static void flags_text(const struct tui_row *r, char *out, size_t outlen)
{
	const struct conn_record *c = &r->rec;
	size_t n = 0;

	out[0] = '\0';
#define ADD(...)                                                       \
	do {                                                           \
		if (n < outlen)                                        \
			n += (size_t)snprintf(out + n, outlen - n,     \
					      __VA_ARGS__);            \
	} while (0)
	if (r->closed)
		ADD("closed ");
	if (c->reused)
		ADD("reused ");
	if (c->handshake == HS_MIDSTREAM)
		ADD("midstream ");
	if (c->rst_by != SIDE_NONE)
		ADD("rst-%s ", c->rst_by == SIDE_ORIG ? "c" : "s");
	if (c->syn_retrans || c->synack_retrans)
		ADD("syn-retrans:%u ", c->syn_retrans + c->synack_retrans);
	for (int a = 0; a < AN__COUNT; a++) {
		uint32_t v = c->orig.analysis[a] + c->resp.analysis[a];
		if (v)
			ADD("%s:%u ", tui_analysis_short((enum flow_analysis)a),
			    v);
	}
#undef ADD
	n = strlen(out);
	if (n && out[n - 1] == ' ')
		out[n - 1] = '\0';
}

static void cell_text(const struct tui_row *r, enum tui_col col, int64_t now,
		      char *out, size_t outlen)
{
	const struct conn_record *c = &r->rec;

	switch (col) {
	case TC_ID:
		snprintf(out, outlen, "%llu", (unsigned long long)c->id);
		break;
	case TC_CLIENT:
		tui_fmt_endpoint(out, outlen, c->ip_version, c->orig_addr,
				 c->orig_port);
		break;
	case TC_SERVER:
		tui_fmt_endpoint(out, outlen, c->ip_version, c->resp_addr,
				 c->resp_port);
		break;
	case TC_CSTATE:
		snprintf(out, outlen, "%s", tui_state_short(c->orig.state));
		break;
	case TC_SSTATE:
		snprintf(out, outlen, "%s", tui_state_short(c->resp.state));
		break;
	case TC_CONN:
		snprintf(out, outlen, "%s",
			 flow_zeek_state_name(c->conn_state));
		break;
	case TC_HIST:
		snprintf(out, outlen, "%s", c->history[0] ? c->history : "-");
		break;
	case TC_AGE: tui_fmt_dur(now - c->first_ns, out, outlen); break;
	case TC_IDLE: tui_fmt_dur(now - c->last_ns, out, outlen); break;
	case TC_PKTS_CS: tui_fmt_count(c->orig.pkts, out, outlen); break;
	case TC_PKTS_SC: tui_fmt_count(c->resp.pkts, out, outlen); break;
	case TC_BYTES_CS: tui_fmt_count(c->orig.bytes, out, outlen); break;
	case TC_BYTES_SC: tui_fmt_count(c->resp.bytes, out, outlen); break;
	case TC_RTT: tui_fmt_dur(c->irtt_ns, out, outlen); break;
	case TC_RTX:
		snprintf(out, outlen, "%u", tui_row_retrans(c));
		break;
	case TC_FLAGS: flags_text(r, out, outlen); break;
	default: out[0] = '\0'; break;
	}
}

/* Widths from the rows in sight, then columns dropped until all fit. */
static void fit_columns(struct col_def *def, const struct tui_snap *s,
			size_t first, size_t last, int cols)
{
	char buf[128];
	int total = 0;

	for (int c = 0; c < TC__COUNT; c++) {
		def[c].width = col_base[c].width;
		def[c].prio = col_base[c].prio;
		def[c].right = col_base[c].right;
		def[c].shown = true;
		int hl = (int)strlen(tui_col_name((enum tui_col)c)) + 1;
		if (def[c].width < hl)
			def[c].width = hl;
	}
	for (size_t i = first; i < last; i++) {
		static const enum tui_col sized[] = { TC_ID, TC_CLIENT,
						      TC_SERVER, TC_HIST };
		for (size_t k = 0; k < sizeof(sized) / sizeof(sized[0]); k++) {
			cell_text(row_at(s, i), sized[k], s->now_ns, buf,
				  sizeof(buf));
			int l = (int)strlen(buf);
			if (l > ENDPOINT_MAX)
				l = ENDPOINT_MAX;
			if (l > def[sized[k]].width)
				def[sized[k]].width = l;
		}
	}
	for (int c = 0; c < TC__COUNT; c++)
		total += def[c].width + 1;
	while (total > cols) {
		int worst = -1;
		for (int c = 0; c < TC__COUNT; c++)
			if (def[c].shown &&
			    (worst < 0 || def[c].prio <= def[worst].prio))
				worst = c;
		if (worst < 0 || def[worst].prio >= 10)
			break;
		def[worst].shown = false;
		total -= def[worst].width + 1;
	}
	/* the flags column takes what is left */
	if (def[TC_FLAGS].shown)
		def[TC_FLAGS].width += cols - total;
}

static void put_cell(struct tui_grid *g, int y, int x, enum tui_attr a,
		     const struct col_def *d, const char *text)
{
	int l = (int)strlen(text);

	if (l > d->width) {
		tui_grid_putn(g, y, x, a, text, d->width - 1);
		tui_grid_put(g, y, x + d->width - 1, a, "~");
	} else if (d->right) {
		tui_grid_put(g, y, x + d->width - l, a, text);
	} else {
		tui_grid_put(g, y, x, a, text);
	}
}

static enum tui_attr row_attr(const struct tui_row *r)
{
	const struct conn_record *c = &r->rec;

	if (r->closed)
		return TA_DIM;
	if (c->handshake == HS_REFUSED || c->rst_by != SIDE_NONE)
		return TA_BAD;
	if (c->orig.state == EP_SYN_RECEIVED ||
	    c->resp.state == EP_SYN_RECEIVED || c->handshake == HS_PENDING)
		return TA_WARN;
	return TA_NORMAL;
}

void tui_view_conns(struct tui_grid *g, const struct tui_ui *ui,
		    const struct tui_snap *s, int top, int rows)
{
	struct col_def def[TC__COUNT];
	char buf[512];
	int lines = rows - 1;
	size_t n = s->norder;
	size_t first = tui_view_first_row(ui->sel[TV_CONNS], ui->top[TV_CONNS],
					  n, lines);
	size_t last = first + (size_t)lines < n ? first + (size_t)lines : n;
	bool desc;

	fit_columns(def, s, first, last, g->cols);
	for (int c = 0, x = 0; c < TC__COUNT; c++) {
		if (!def[c].shown)
			continue;
		desc = tui_col_desc((enum tui_col)c) != ui->reverse;
		snprintf(buf, sizeof(buf), "%s%s",
			 tui_col_name((enum tui_col)c),
			 (int)ui->sort == c ? (desc ? "v" : "^") : "");
		put_cell(g, top, x, (int)ui->sort == c ? TA_TAB : TA_HEADING,
			 &def[c], buf);
		x += def[c].width + 1;
	}
	if (n == 0) {
		tui_grid_put(g, top + 2, 2, TA_DIM,
			     s->nrows ? "no connection matches the filter"
				      : "no TCP connection seen yet");
		return;
	}
	for (size_t i = first; i < last; i++) {
		const struct tui_row *r = row_at(s, i);
		int y = top + 1 + (int)(i - first);
		enum tui_attr a = i == ui->sel[TV_CONNS] ? TA_SELECTED
							 : row_attr(r);

		if (a == TA_SELECTED)
			tui_grid_fill(g, y, 0, g->cols, a, ' ');
		for (int c = 0, x = 0; c < TC__COUNT; c++) {
			if (!def[c].shown)
				continue;
			cell_text(r, (enum tui_col)c, s->now_ns, buf,
				  sizeof(buf));
			put_cell(g, y, x, a, &def[c], buf);
			x += def[c].width + 1;
		}
	}
}

void tui_view_servers(struct tui_grid *g, const struct tui_ui *ui,
		      const struct tui_snap *s, int top, int rows)
{
	char ep[80], rtt[16];
	int lines = rows - 1;
	size_t n = s->nservers;
	size_t first = tui_view_first_row(ui->sel[TV_SERVERS],
					  ui->top[TV_SERVERS], n, lines);

	tui_grid_put(g, top, 0, TA_HEADING,
		     "Server                          Conns  Half-open  Refused"
		     "  Unanswered  Resets  RTT p50");
	if (n == 0) {
		tui_grid_put(g, top + 2, 2, TA_DIM, "no server seen yet");
		return;
	}
	for (size_t i = first; i < n && (int)(i - first) < lines; i++) {
		const struct tui_server *sv = &s->servers[i];
		int y = top + 1 + (int)(i - first);
		enum tui_attr a = i == ui->sel[TV_SERVERS] ? TA_SELECTED
			: sv->half_open > sv->conns / 2 ? TA_WARN
							: TA_NORMAL;

		tui_fmt_endpoint(ep, sizeof(ep), sv->version, sv->addr,
				 sv->port);
		tui_fmt_dur(sv->rtt_median, rtt, sizeof(rtt));
		if (a == TA_SELECTED)
			tui_grid_fill(g, y, 0, g->cols, a, ' ');
		tui_grid_printf(g, y, 0, a,
				"%-30.30s %6u %10u %8u %11u %7u  %s", ep,
				sv->conns, sv->half_open, sv->refused,
				sv->unanswered, sv->resets, rtt);
	}
}

static void alert_detail(struct tui_grid *g, const struct detect_alert *a,
			 const struct tui_snap *s, int y, int rows)
{
	char tgt[80], dur[16], src[ADDR_TEXT_MAX];
	int64_t end = a->end_ns >= 0 ? a->end_ns : s->now_ns;

	if (rows < 4)
		return;
	tui_fmt_alert_target(a, tgt, sizeof(tgt));
	tui_fmt_dur(end - a->start_ns, dur, sizeof(dur));
	tui_grid_printf(g, y, 0, TA_HEADING, "Alert #%llu  %s on %s, %s %s",
			(unsigned long long)a->id,
			detect_verdict_name(a->verdict), tgt,
			a->end_ns >= 0 ? "ended after" : "active for", dur);
	tui_grid_printf(g, y + 1, 1, TA_NORMAL,
			"SYN/s %.1f  SYN-ACK/s %.1f  half-open %u (peak %u)  "
			"completion %.1f%%  confidence %.2f",
			a->syn_rate, a->synack_rate, a->half_open,
			a->peak_half_open, a->completion * 100, a->confidence);
	tui_grid_printf(g, y + 2, 1, TA_NORMAL,
			"SYNs %llu  SYN-ACKs %llu  completed %llu  RSTs %llu  "
			"SYN-ACK retries %llu  sources ~%llu  by %s%s",
			(unsigned long long)a->syns,
			(unsigned long long)a->synacks,
			(unsigned long long)a->completed,
			(unsigned long long)a->rsts,
			(unsigned long long)a->synack_retrans,
			(unsigned long long)a->sources,
			a->detectors & DETECT_BY_THRESHOLD ? "threshold " : "",
			a->detectors & DETECT_BY_CUSUM ? "cusum" : "");
	tui_grid_put(g, y + 3, 1, TA_HEADING, "Top sources");
	for (unsigned i = 0; i < a->ntop && i < DETECT_TOP_SOURCES &&
			     (int)i + 4 < rows; i++) {
		addr_format(src, a->top[i].addr.version == 6 ? 6 : 4,
			    a->top[i].addr.addr);
		tui_grid_printf(g, y + 4 + (int)i, 2, TA_NORMAL, "%-40s %llu",
				src, (unsigned long long)a->top[i].count);
	}
}

void tui_view_alerts(struct tui_grid *g, const struct tui_ui *ui,
		     const struct tui_snap *s, int top, int rows)
{
	char tgt[80];
	int list = tui_view_list_rows(g, TV_ALERTS);
	size_t first = tui_view_first_row(ui->sel[TV_ALERTS],
					  ui->top[TV_ALERTS], s->nalerts, list);

	if (!s->detector) {
		tui_grid_put(g, top + 1, 2, TA_DIM,
			     "no SYN-flood detector in this run");
		return;
	}
	tui_grid_put(g, top, 0, TA_HEADING,
		     "   #  State   Verdict              Target"
		     "                      SYN/s  Half-open  Compl.  Sources");
	if (s->nalerts == 0) {
		tui_grid_printf(g, top + 2, 2, TA_DIM,
				"no alert raised (%llu so far)",
				(unsigned long long)s->alerts_started);
		return;
	}
	for (size_t i = first; i < s->nalerts && (int)(i - first) < list;
	     i++) {
		const struct detect_alert *a = &s->alerts[i];
		int y = top + 1 + (int)(i - first);
		bool active = a->end_ns < 0;
		enum tui_attr at = i == ui->sel[TV_ALERTS] ? TA_SELECTED
				   : active		    ? TA_BAD
							    : TA_DIM;

		tui_fmt_alert_target(a, tgt, sizeof(tgt));
		if (at == TA_SELECTED)
			tui_grid_fill(g, y, 0, g->cols, at, ' ');
		tui_grid_printf(g, y, 0, at,
				"%4llu  %-6s  %-19s  %-26.26s %7.1f  %9u  "
				"%5.1f%%  %7llu",
				(unsigned long long)a->id,
				active ? "active" : "ended",
				detect_verdict_name(a->verdict), tgt,
				a->syn_rate, a->half_open,
				a->completion * 100,
				(unsigned long long)a->sources);
	}
	if (ui->sel[TV_ALERTS] < s->nalerts)
		alert_detail(g, &s->alerts[ui->sel[TV_ALERTS]], s,
			     top + list + 2, rows - list - 2);
}

static void opts_text(const struct conn_opts *o, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	if (o->mss >= 0)
		n += (size_t)snprintf(out + n, outlen - n, "mss %d ",
				      (int)o->mss);
	if (o->wscale >= 0 && n < outlen)
		n += (size_t)snprintf(out + n, outlen - n, "ws %d ",
				      (int)o->wscale);
	if (n < outlen)
		snprintf(out + n, outlen - n, "%s%s%s%s%s",
			 o->sack_ok ? "sack " : "", o->ts ? "ts " : "",
			 o->tfo ? "tfo " : "", o->ecn ? "ecn " : "",
			 o->mptcp ? "mptcp " : "");
	if (!out[0])
		snprintf(out, outlen, "(none seen)");
}

static void detail_side(struct tui_grid *g, int y, const char *who,
			const struct conn_dir *d)
{
	char opts[96], by[16];

	opts_text(&d->opts, opts, sizeof(opts));
	tui_fmt_count(d->bytes, by, sizeof(by));
	tui_grid_printf(g, y, 1, TA_NORMAL,
			"%-7s %-13s %-28s %6llu pkts %6s B  win %u..%u", who,
			flow_ep_state_name(d->state), opts,
			(unsigned long long)d->pkts, by, d->win_min,
			d->win_max);
}

/* Rows of the detail above the ladder: 3 + the state history. */
static int hist_rows(const struct tui_snap *s, int rows)
{
	int h = (int)s->npin_hist, cap = rows / 3;

	if (h > cap)
		h = cap;
	return h + 1;
}

int tui_view_ladder_height(const struct tui_snap *s, int rows)
{
	int h = rows - 4 - hist_rows(s, rows) - 1;
	return h > 1 ? h : 1;
}

static void draw_history(struct tui_grid *g, const struct tui_snap *s,
			 const struct conn_record *c, int y, int n)
{
	char t[32];
	size_t from = s->npin_hist > (size_t)(n - 1) ? s->npin_hist -
						       (size_t)(n - 1)
						 : 0;

	tui_grid_printf(g, y, 0, TA_HEADING, "State history%s",
			from ? " (latest)" : "");
	for (size_t i = from; i < s->npin_hist; i++) {
		const struct tui_hist_rec *h = &s->pin_hist[i];

		snprintf(t, sizeof(t), "+%.6f",
			 (double)(h->ts_ns - c->first_ns) / 1e9);
		tui_grid_printf(g, ++y, 1, TA_NORMAL,
				"%-12s %-12s client %-13s server %s", t,
				tui_cause_name(h->cause),
				flow_ep_state_name(h->orig),
				flow_ep_state_name(h->resp));
	}
}

void tui_view_detail(struct tui_grid *g, const struct tui_ui *ui,
		     const struct tui_snap *s, int top, int rows)
{
	const struct tui_row *r = tui_snap_find(s, ui->detail_id);
	char cl[80], sv[80], rtt[16], a[16], b[16], head[256];
	struct tui_ladder_line ll;

	if (!r) {
		tui_grid_printf(g, top + 1, 2, TA_DIM,
				"connection #%llu is no longer tracked "
				"(Esc goes back)",
				(unsigned long long)ui->detail_id);
		return;
	}
	const struct conn_record *c = &r->rec;
	tui_fmt_endpoint(cl, sizeof(cl), c->ip_version, c->orig_addr,
			 c->orig_port);
	tui_fmt_endpoint(sv, sizeof(sv), c->ip_version, c->resp_addr,
			 c->resp_port);
	tui_grid_printf(g, top, 0, TA_HEADING,
			"Connection #%llu  %s -> %s%s%s",
			(unsigned long long)c->id, cl, sv,
			c->orientation_guessed ? "  (direction guessed)" : "",
			r->closed ? "  [closed]" : "");
	tui_fmt_dur(c->irtt_ns, rtt, sizeof(rtt));
	tui_fmt_dur(c->syn_synack_ns, a, sizeof(a));
	tui_fmt_dur(c->synack_ack_ns, b, sizeof(b));
	tui_grid_printf(g, top + 1, 1, TA_NORMAL,
			"conn_state %s  history %s  handshake %s  close %s  "
			"RTT %s (SYN>SYN-ACK %s, SYN-ACK>ACK %s)",
			flow_zeek_state_name(c->conn_state),
			c->history[0] ? c->history : "-",
			flow_handshake_name(c->handshake),
			flow_close_name(c->close), rtt, a, b);
	detail_side(g, top + 2, "client", &c->orig);
	detail_side(g, top + 3, "server", &c->resp);

	int hr = hist_rows(s, rows);
	draw_history(g, s, c, top + 4, hr);

	int y = top + 4 + hr;
	int h = tui_view_ladder_height(s, rows);
	size_t n = s->npin_pkts;
	size_t first = ui->ladder_follow || ui->ladder_top + (size_t)h > n
			       ? (n > (size_t)h ? n - (size_t)h : 0)
			       : ui->ladder_top;

	tui_ladder_head(c, g->cols, head, sizeof(head));
	tui_grid_printf(g, y, 0, TA_HEADING, "%s", head);
	if (n == 0) {
		tui_grid_put(g, y + 1, 2, TA_DIM,
			     "no packet of this connection is held any more");
		return;
	}
	for (size_t i = first; i < n && (int)(i - first) < h; i++) {
		const struct tui_pkt_rec *p = &s->pin_pkts[i];
		enum tui_attr at = p->from == SIDE_RESP ? TA_S2C : TA_C2S;

		tui_ladder_layout(c, p, g->cols, &ll);
		if (ll.marked)
			at = TA_BAD;
		tui_grid_put(g, y + 1 + (int)(i - first), 0, at, ll.text);
	}
}
