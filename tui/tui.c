/*
 * The dashboard's loop. One iteration:
 *
 *   keys     every key waiting is handled (the UI state changes only)
 *   packets  at most PKT_BUDGET packets or PKT_SLICE_NS of wall time, so a
 *            flood at full rate never keeps a key waiting; a replay takes
 *            only the packets whose time has come (speed x recorded gaps)
 *   draw     a new snapshot at most every DRAW_MIN_NS while data changes,
 *            and at least every DRAW_MAX_NS (4 per second) in any case
 *   poll     on the keyboard and the live capture's descriptor, until the
 *            next packet is due or the next redraw
 *
 * Packet time is the model's clock: a replay shows what the live view
 * showed. The wall clock only paces replays and redraws and, live, moves
 * the clock on while the wire is quiet.
 */
#include "tui.h"

#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"

#define PKT_BUDGET 2048
#define PKT_SLICE_NS INT64_C(20000000)          /* 20 ms */
#define DRAW_MIN_NS INT64_C(100000000)          /* 10 per second */
#define DRAW_MAX_NS INT64_C(250000000)          /* 4 per second */
#define FLASH_NS INT64_C(500000000)
#define STATE_CHECK_MAX 4096    /* flows held, for per-packet checks */
#define TICK_NS INT64_C(100000000)

static volatile sig_atomic_t stop_signal;

/*
 * flow/ and detect/ have no way to unsubscribe, and their owner may still
 * finish them after the dashboard is gone: the subscriptions go through
 * this relay, which forgets the model when tui_run() returns.
 */
static struct tui_model *relay_model;

static void relay_flow(void *ctx, const struct flow_event *ev)
{
	(void)ctx;
	if (relay_model)
		tui_model_flow_event(relay_model, ev);
}

static void relay_alert(void *ctx, const struct detect_alert *al)
{
	(void)ctx;
	if (relay_model)
		tui_model_alert(relay_model, al);
}

static void on_stop(int sig)
{
	stop_signal = sig;
}


static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * TUI_NS_PER_S + ts.tv_nsec;
}

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * TUI_NS_PER_S + ts.tv_nsec;
}

void tui_app_status(struct tui_app *a, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->ui.status, sizeof(a->ui.status), fmt, ap);
	va_end(ap);
	a->ui.status_error = error;
	a->need_draw = true;
}

int tui_app_page_rows(const struct tui_app *a)
{
	if (a->ui.detail)
		return tui_view_ladder_height(a->snap,
					      tui_view_body_rows(&a->grid));
	return tui_view_list_rows(&a->grid, a->ui.view);
}

struct find_ctx {
	struct tui_model *m;
	uint64_t id;
	int64_t ts;
};

static void note_if(void *ctx, const struct conn_record *c)
{
	struct find_ctx *f = ctx;

	if (c->id == f->id)
		tui_model_note_states(f->m, c, f->ts);
}

/*
 * A closing connection (FIN or RST seen) and the pinned one can change
 * state on a packet that raises no event (the ACK of a FIN); look them up
 * after each of their packets while the table is small enough for that.
 */
static void check_states(struct tui_app *a, const struct tui_packet *p)
{
	struct flow_table_stats st;
	uint64_t id = p->info.conn_id;

	if (!id || (id != a->m->pin_id && !tui_model_watching(a->m, id)))
		return;
	flow_table_stats(a->src->flows, &st);
	if (st.active > STATE_CHECK_MAX)
		return;
	struct find_ctx f = { .m = a->m, .id = id, .ts = p->ts_ns };
	flow_table_foreach(a->src->flows, note_if, &f);
}

static void take_one(struct tui_app *a)
{
	struct tui_packet p;

	memset(&p, 0, sizeof(p));
	a->src->process(a->src->ctx, &p);
	a->held = false;
	tui_model_packet(a->m, &p);
	check_states(a, &p);
	a->data_dirty = true;
}

/*
 * Moves the clock on without a packet (a replay between two packets, a
 * quiet live capture); the detector hears of it every TICK_NS at most.
 */
static void advance_clock(struct tui_app *a, int64_t now)
{
	if (a->m->first_ns < 0 || now <= a->m->now_ns)
		return;
	/* no new snapshot for this alone: the periodic one shows it */
	tui_model_set_now(a->m, now);
	if (a->src->tick && now - a->last_tick >= TICK_NS) {
		a->src->tick(a->src->ctx, now);
		a->last_tick = now;
	}
}

/* Replay: may the held packet go now? Sets due_wall when not. */
static bool replay_due(struct tui_app *a, int64_t wall)
{
	double speed = a->ui.speed;

	if (speed <= 0 || a->step > 0)
		return true;
	if (!a->have_base) {
		a->have_base = true;
		a->base_pkt = a->held_ts;
		a->base_wall = wall;
	}
	int64_t target = a->base_pkt +
			 (int64_t)((double)(wall - a->base_wall) * speed);
	if (a->held_ts <= target) {
		a->due_wall = -1;
		return true;
	}
	a->due_wall = a->base_wall +
		      (int64_t)((double)(a->held_ts - a->base_pkt) / speed);
	/* the replay clock runs on between packets */
	advance_clock(a, target);
	return false;
}

/* Processes what is due; returns -1 on a read error (reason in err). */
static int pump(struct tui_app *a)
{
	int64_t start = mono_ns();

	a->due_wall = -1;
	if (a->ui.eof || (a->ui.paused && a->step == 0))
		return 0;
	for (int n = 0; n < PKT_BUDGET; n++) {
		if (!a->held) {
			int rc = a->src->peek(a->src->ctx, &a->held_ts,
					      a->err, a->errlen);
			if (rc == TUI_SRC_ERROR)
				return -1;
			if (rc == TUI_SRC_EOF) {
				a->ui.eof = true;
				a->need_draw = true;
				break;
			}
			if (rc == TUI_SRC_NONE)
				break;
			a->held = true;
		}
		if (!a->src->live && !replay_due(a, mono_ns()))
			break;
		take_one(a);
		if (a->step > 0 && --a->step == 0)
			break;
		if ((n & 63) == 63 && mono_ns() - start > PKT_SLICE_NS)
			break;
	}
	return 0;
}

void tui_app_rebase(struct tui_app *a)
{
	a->have_base = false;
	if (a->held && a->m->now_ns >= 0) {
		a->have_base = true;
		a->base_pkt = a->m->now_ns;
		a->base_wall = mono_ns();
	}
}

static void select_rows(struct tui_app *a)
{
	struct tui_query q = {
		.filter = &a->ui.filter,
		.sort = a->ui.sort,
		.reverse = a->ui.reverse,
		.hide_closed = a->ui.hide_closed,
	};
	size_t *sel = &a->ui.sel[TV_CONNS];

	tui_snap_select(a->snap, &q);
	/* keep the same connection selected when rows move */
	for (size_t i = 0; a->ui.sel_id && i < a->snap->norder; i++) {
		if (a->snap->rows[a->snap->order[i]].rec.id == a->ui.sel_id) {
			*sel = i;
			break;
		}
	}
	for (int v = 0; v < TV__COUNT; v++) {
		size_t n = v == TV_CONNS ? a->snap->norder
			   : v == TV_SERVERS ? a->snap->nservers
			   : v == TV_ALERTS ? a->snap->nalerts : 0;
		if (a->ui.sel[v] >= n)
			a->ui.sel[v] = n ? n - 1 : 0;
	}
	if (*sel < a->snap->norder)
		a->ui.sel_id = a->snap->rows[a->snap->order[*sel]].rec.id;
	a->need_select = false;
}

static void fill_source_parts(struct tui_app *a)
{
	struct tui_snap *s = a->snap;
	const struct tui_source *src = a->src;

	s->flow_cap = src->flow_cap;
	s->detector = src->alerts != NULL;
	s->nalerts = src->alerts ? src->alerts(src->ctx, s->alerts,
					       TUI_MAX_ALERTS)
				 : 0;
	if (s->nalerts > TUI_MAX_ALERTS)
		s->nalerts = TUI_MAX_ALERTS;
	s->nactive = 0;
	while (s->nactive < s->nalerts && s->alerts[s->nactive].end_ns < 0)
		s->nactive++;
	s->have_capture_stats = src->stats &&
				src->stats(src->ctx, &s->cap_stats) == 0;
}

static void take_snapshot(struct tui_app *a)
{
	if (tui_snap_take(a->snap, a->m, a->src->flows) < 0)
		tui_app_status(a, true, "out of memory for the snapshot; "
			       "showing the last one");
	fill_source_parts(a);
	a->data_dirty = false;
	a->need_select = true;
}

static void draw(struct tui_app *a, int64_t wall)
{
	int cols, rows;

	tui_tty_size(a->tty, &cols, &rows);
	if (cols != a->grid.cols || rows != a->grid.rows) {
		if (tui_grid_resize(&a->grid, cols, rows) < 0)
			return;
	}
	if (a->need_select)
		select_rows(a);
	a->ui.flash = (wall / FLASH_NS) % 2 == 0;
	/* keep each list's window around its selection */
	for (int v = 0; v < TV__COUNT; v++)
		a->ui.top[v] = tui_view_first_row(
			a->ui.sel[v], a->ui.top[v],
			tui_view_list_len(a->snap, (enum tui_view)v),
			tui_view_list_rows(&a->grid, (enum tui_view)v));
	tui_view_draw(&a->grid, &a->ui, a->snap);
	tui_tty_show(a->tty, &a->grid);
	a->last_draw = wall;
	a->need_draw = false;
}


static int poll_timeout(const struct tui_app *a, int64_t wall, bool busy)
{
	int64_t t = a->last_draw + DRAW_MAX_NS - wall;

	if (busy)
		return 0;
	if (a->data_dirty && !a->ui.frozen) {
		int64_t d = a->last_snap + DRAW_MIN_NS - wall;
		if (d < t)
			t = d;
	}
	if (a->due_wall >= 0 && a->due_wall - wall < t)
		t = a->due_wall - wall;
	if (a->src->live && (!a->src->fd || a->src->fd(a->src->ctx) < 0) &&
	    t > 10 * INT64_C(1000000))
		t = 10 * INT64_C(1000000);      /* no fd: look every 10 ms */
	if (t < 0)
		t = 0;
	return (int)((t + 999999) / 1000000);
}

static int loop(struct tui_app *a)
{
	while (!a->quit && !stop_signal) {
		int k;

		while ((k = tui_tty_key(a->tty)) != TK_NONE && !a->quit)
			tui_app_key(a, k);
		if (a->quit)
			break;
		if (pump(a) < 0)
			return -1;
		int64_t wall = mono_ns();
		if (a->src->live)
			advance_clock(a, real_ns());
		bool snap_due = !a->ui.frozen &&
				((a->data_dirty &&
				  wall - a->last_snap >= DRAW_MIN_NS) ||
				 wall - a->last_snap >= DRAW_MAX_NS);
		if (snap_due) {
			take_snapshot(a);
			a->last_snap = wall;
			a->need_draw = true;
		}
		if (a->need_draw || wall - a->last_draw >= DRAW_MAX_NS)
			draw(a, wall);
		bool busy = a->held && a->due_wall < 0 && !a->ui.eof &&
			    !(a->ui.paused && a->step == 0);
		struct pollfd pfd[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = -1, .events = POLLIN },
		};
		if (a->src->live && a->src->fd && !a->ui.paused)
			pfd[1].fd = a->src->fd(a->src->ctx);
		if (poll(pfd, 2, poll_timeout(a, mono_ns(), busy)) < 0 &&
		    errno != EINTR) {
			snprintf(a->err, a->errlen, "poll: %s",
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* --tui-snapshot: the whole input, then every view as text. */
static int run_snapshot(struct tui_app *a)
{
	static const char sep_views[] = { TV_OVERVIEW, TV_CONNS, TV_SERVERS,
					  TV_ALERTS };
	int cols = a->o->snapshot_cols > 0 ? a->o->snapshot_cols : 120;
	int rows = a->o->snapshot_rows > 0 ? a->o->snapshot_rows : 40;
	FILE *f;
	int rc = 0;

	a->ui.speed = 0;
	while (!a->ui.eof && !stop_signal)
		if (pump(a) < 0)
			return -1;
	take_snapshot(a);
	select_rows(a);
	if (a->snap->norder) {
		tui_model_pin(a->m, a->snap->rows[a->snap->order[0]].rec.id);
		tui_snap_take_model(a->snap, a->m);
	}
	if (tui_grid_resize(&a->grid, cols, rows) < 0) {
		snprintf(a->err, a->errlen, "out of memory");
		return -1;
	}
	f = fopen(a->o->snapshot_path, "w");
	if (!f) {
		snprintf(a->err, a->errlen, "cannot write %s: %s",
			 a->o->snapshot_path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i <= sizeof(sep_views) && rc == 0; i++) {
		a->ui.detail = i == sizeof(sep_views);
		if (a->ui.detail) {
			if (!a->snap->norder)
				break;
			a->ui.view = TV_CONNS;
			a->ui.detail_id = a->snap->pin_id;
		} else {
			a->ui.view = (enum tui_view)sep_views[i];
		}
		if (i > 0 && fprintf(f, "%.*s\n", cols, "") < 0)
			rc = -1;
		tui_view_draw(&a->grid, &a->ui, a->snap);
		if (tui_grid_write(&a->grid, f, a->utf8) < 0)
			rc = -1;
	}
	if (fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		snprintf(a->err, a->errlen, "cannot write %s: %s",
			 a->o->snapshot_path, strerror(errno));
	return rc;
}

static void install(struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
}

int tui_run(const struct tui_opts *o, const struct tui_source *src, char *err,
	    size_t errlen)
{
	struct tui_app a = { .o = o, .src = src, .err = err, .errlen = errlen };
	struct sigaction old_int, old_term;
	int rc = -1;

	tui_ui_init(&a.ui);
	a.ui.live = src->live;
	a.ui.speed = src->live ? 1 : o->speed;
	a.ui.source_name = src->name;
	a.ui.bpf = src->filter;
	a.ui.snapshot = o->snapshot_path != NULL;
	a.due_wall = -1;
	a.m = tui_model_create();
	a.snap = calloc(1, sizeof(*a.snap));
	if (!a.m || !a.snap) {
		snprintf(err, errlen, "out of memory for the dashboard");
		goto out;
	}
	tui_snap_init(a.snap);
	relay_model = a.m;
	if (flow_table_subscribe(src->flows, relay_flow, NULL) < 0 ||
	    (src->subscribe_alerts &&
	     src->subscribe_alerts(src->ctx, relay_alert, NULL) < 0)) {
		snprintf(err, errlen, "too many subscribers to the flow table "
			 "or the detector");
		goto out;
	}
	stop_signal = 0;
	install(&old_int, &old_term);
	if (o->snapshot_path) {
		a.utf8 = tui_locale_utf8();
		rc = run_snapshot(&a);
	} else if (tui_tty_open(&a.tty, false, err, errlen) == 0) {
		rc = loop(&a);
		tui_tty_close(a.tty);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	relay_model = NULL;
	tui_grid_free(&a.grid);
	if (a.snap)
		tui_snap_free(a.snap);
	free(a.snap);
	tui_model_destroy(a.m);
	return rc;
}
