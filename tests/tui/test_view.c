/*
 * The views drawn into a cell grid, without a terminal: the size limit,
 * the frame, each view with real connections, the detail's ladder and
 * state history, the help overlay.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "grid.h"
#include "model.h"
#include "tuitest.h"
#include "view.h"

static struct tui_model *m;
static struct tui_snap *snap;
static struct tui_grid g;
static struct tui_ui ui;

static void setup(void)
{
	static const struct seg s[] = {
		HANDSHAKE,
		SEG(11000, '>', F_PA, 1, 1, 100, 1000),
		SEG(21000, '<', F_A, 1, 101, 0, 2000),
	};
	static const struct seg syn = SEG(30000, '>', F_S, 0, 0, 0, 1000);

	tt_setup(&m, &snap);
	for (size_t i = 0; i < NSEGS(s); i++)
		tt_feed(m, &s[i]);
	ft.cport = 40001;
	tt_feed(m, &syn);
	ck_assert_int_eq(tui_snap_take(snap, m, ft.t), 0);
	snap->flow_cap = 64;
	struct tui_query q = { .sort = TC_ID };
	tui_snap_select(snap, &q);
	tui_ui_init(&ui);
	ui.source_name = "test.pcap";
	ui.speed = 0;
	memset(&g, 0, sizeof(g));
}

static void teardown(void)
{
	tui_grid_free(&g);
	tt_teardown(&m, &snap);
}

/* True when some row of the grid holds the text. */
static bool shows(const char *text)
{
	char line[1024];

	for (int y = 0; y < g.rows; y++) {
		tui_grid_row_text(&g, y, false, line, sizeof(line));
		if (strstr(line, text))
			return true;
	}
	/* TUI_TEST_DUMP=1 shows the screen a check did not find */
	if (getenv("TUI_TEST_DUMP"))
		tui_grid_write(&g, stderr, false);
	return false;
}

static void draw(int cols, int rows)
{
	ck_assert_int_eq(tui_grid_resize(&g, cols, rows), 0);
	tui_view_draw(&g, &ui, snap);
}

START_TEST(view_says_when_the_terminal_is_too_small)
{
	draw(60, 15);
	ck_assert(shows("terminal too small: 60x15"));
	ck_assert(shows("synscope needs at least 80x24"));
	draw(80, 23);
	ck_assert(shows("terminal too small: 80x23"));
	draw(80, 24);
	ck_assert(!shows("too small"));
}
END_TEST

START_TEST(view_overview_shows_handshakes_states_and_servers)
{
	draw(120, 40);
	ck_assert(shows(" synscope  test.pcap"));
	ck_assert(shows("REPLAY max"));
	ck_assert(shows("flows 2/64"));
	ck_assert(shows("1 Overview"));
	ck_assert(shows("Handshakes"));
	ck_assert(shows(" attempts         2"));
	ck_assert(shows(" completed        1"));
	ck_assert(shows(" ESTABLISHED         2"));
	ck_assert(shows(" SYN-SENT            1"));
	ck_assert(shows("RTT p50 10.1ms"));
	ck_assert(shows("Busiest servers"));
	ck_assert(shows("198.51.100.2:80"));
	ck_assert(shows("alerts: no detector running"));
	/* 80x24 keeps the two panels and the sparklines */
	draw(80, 24);
	ck_assert(shows("Handshakes"));
	ck_assert(shows("Endpoint states"));
	ck_assert(shows("SYN    last"));
}
END_TEST

START_TEST(view_connections_fit_in_80_columns)
{
	ui.view = TV_CONNS;
	draw(120, 40);
	ck_assert(shows("192.0.2.1:40000 198.51.100.2:80"));
	ck_assert(shows("ESTAB"));
	ck_assert(shows("SYN-SENT"));
	ck_assert(shows("Pk>"));
	draw(80, 24);
	ck_assert(shows("Client"));
	ck_assert(shows("C-State"));
	ck_assert(shows("192.0.2.1:40001"));
	for (int y = 0; y < g.rows; y++) {
		char line[512];
		ck_assert_int_le(
			(int)tui_grid_row_text(&g, y, false, line,
					       sizeof(line)), 80);
	}
}
END_TEST

START_TEST(view_marks_the_sorted_column)
{
	ui.view = TV_CONNS;
	ui.sort = TC_PKTS_CS;
	draw(120, 40);
	ck_assert(shows("Pk>v"));
	ui.reverse = true;
	draw(120, 40);
	ck_assert(shows("Pk>^"));
	ck_assert(shows("sort Pk> (rev)"));
}
END_TEST

START_TEST(view_servers_and_alerts_views_draw)
{
	ui.view = TV_SERVERS;
	draw(100, 30);
	ck_assert(shows("Server "));
	ck_assert(shows("198.51.100.2:80"));
	ui.view = TV_ALERTS;
	draw(100, 30);
	ck_assert(shows("no SYN-flood detector in this run"));
	snap->detector = true;
	snap->nalerts = snap->nactive = 1;
	memset(&snap->alerts[0], 0, sizeof(snap->alerts[0]));
	snap->alerts[0].id = 1;
	snap->alerts[0].verdict = DV_SPOOFED_SYN_FLOOD;
	snap->alerts[0].dst.version = 4;
	memcpy(snap->alerts[0].dst.addr, "\xc6\x33\x64\x02", 4);
	snap->alerts[0].has_port = true;
	snap->alerts[0].dport = 80;
	snap->alerts[0].end_ns = -1;
	snap->alerts[0].syn_rate = 5000;
	draw(100, 30);
	ck_assert(shows("spoofed_syn_flood"));
	ck_assert(shows("active"));
	ck_assert(shows("ALERT spoofed_syn_flood on 198.51.100.2:80: 5000 "
			"SYN/s"));
}
END_TEST

START_TEST(view_detail_draws_the_ladder_and_state_history)
{
	tui_model_pin(m, 1);
	tui_snap_take_model(snap, m);
	ui.view = TV_CONNS;
	ui.detail = true;
	ui.detail_id = 1;
	draw(100, 30);
	ck_assert(shows("Connection #1  192.0.2.1:40000 -> 198.51.100.2:80"));
	ck_assert(shows("State history"));
	ck_assert(shows("synack"));
	ck_assert(shows("|-- [S] seq=0 win=1000"));
	ck_assert(shows("- [S.] seq=0 ack=1 win=2000 --|"));
	ck_assert(shows("[P.] seq=1 ack=1 win=1000 len=100"));
	ui.detail_id = 99;
	draw(100, 30);
	ck_assert(shows("connection #99 is no longer tracked"));
}
END_TEST

START_TEST(view_help_lists_every_key)
{
	static const char *const keys[] = {
		"Tab", "j/k", "PgUp/PgDn", "Home/End", "Enter", "Esc",
		"s / S", "/   ", "p   ", "space", "?   ", "q  quit",
	};

	ui.help = true;
	draw(80, 24);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(shows(keys[i]), "help lacks '%s'", keys[i]);
}
END_TEST

START_TEST(view_status_line_shows_prompt_errors_and_end)
{
	ui.prompt = true;
	strcpy(ui.prompt_buf, "state:SYN");
	ui.prompt_len = strlen(ui.prompt_buf);
	draw(80, 24);
	ck_assert(shows("filter: state:SYN"));
	ui.prompt = false;
	strcpy(ui.status, "bad filter: port: 'x' is not a port number");
	ui.status_error = true;
	draw(80, 24);
	ck_assert(shows("bad filter: port: 'x'"));
	ui.status[0] = '\0';
	ui.eof = true;
	draw(80, 24);
	ck_assert(shows("end of capture"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_view");
	TCase *tc = tcase_create("view");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, view_says_when_the_terminal_is_too_small);
	tcase_add_test(tc, view_overview_shows_handshakes_states_and_servers);
	tcase_add_test(tc, view_connections_fit_in_80_columns);
	tcase_add_test(tc, view_marks_the_sorted_column);
	tcase_add_test(tc, view_servers_and_alerts_views_draw);
	tcase_add_test(tc, view_detail_draws_the_ladder_and_state_history);
	tcase_add_test(tc, view_help_lists_every_key);
	tcase_add_test(tc, view_status_line_shows_prompt_errors_and_end);
	suite_add_tcase(s, tc);
	return frames_run(s);
}
