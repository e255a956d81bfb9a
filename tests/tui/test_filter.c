/*
 * The dashboard's filter language: what parses, what is refused with which
 * message, and which connections each term lets through.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "frames.h"
#include "model.h"
#include "tuitest.h"

static struct conn_record rec(void)
{
	/* 192.0.2.1:40000 -> 198.51.100.2:443, both ESTABLISHED, SF */
	struct conn_record c = tt_conn4(1, TT_IP(192, 0, 2, 1), 40000,
					TT_IP(198, 51, 100, 2), 443);

	c.orig.state = EP_ESTABLISHED;
	c.resp.state = EP_ESTABLISHED;
	c.conn_state = ZK_SF;
	c.handshake = HS_ESTABLISHED;
	return c;
}

static bool matches(const char *text, const struct conn_record *c)
{
	struct tui_filter f;
	char err[256] = "";

	ck_assert_msg(tui_filter_parse(text, &f, err, sizeof(err)) == 0,
		      "'%s' refused: %s", text, err);
	return tui_filter_match(&f, c);
}

START_TEST(filter_accepts_every_documented_term)
{
	static const char *const good[] = {
		"", "   ", "state:SYN-RECEIVED", "state:syn_recv",
		"state:SYN-RCVD", "state:time-wait", "port:443", "port:0",
		"port:65535", "host:10.0.0.1", "host:10.0.0.0/8",
		"host:2001:db8::1", "host:2001:db8::/32", "conn:REJ",
		"conn:rstos0", "flag:retrans", "flag:zero-window",
		"flag:zero_window", "flag:dup-ack", "flag:reused",
		"state:ESTABLISHED port:443 host:192.0.2.1 conn:SF",
	};
	struct tui_filter f;
	char err[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(tui_filter_parse(good[i], &f, err,
					       sizeof(err)) == 0,
			      "'%s' refused: %s", good[i], err);
}
END_TEST

static const struct {
	const char *text;
	const char *message;
} bad[] = {
	{ "foo", "'foo': a term is key:value (state, port, host, conn, flag)" },
	{ "bar:1", "unknown key 'bar' (state, port, host, conn, flag)" },
	{ "state:", "state: needs a value" },
	{ "state:SYN-FOO", "state: unknown state 'SYN-FOO' (SYN-SENT, "
			   "SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, ...)" },
	{ "port:x", "port: 'x' is not a port number (0-65535)" },
	{ "port:65536", "port: '65536' is not a port number (0-65535)" },
	{ "port:-1", "port: '-1' is not a port number (0-65535)" },
	{ "host:1.2.3", "host: '1.2.3' is not an IPv4 or IPv6 address "
			"(with an optional /prefix)" },
	{ "host:10.0.0.0/33", "host: '10.0.0.0/33' is not an IPv4 or IPv6 "
			      "address (with an optional /prefix)" },
	{ "conn:XX", "conn: unknown conn_state 'XX' (S0 S1 SF REJ S2 S3 RSTO "
		     "RSTR RSTOS0 RSTRH SH SHR OTH)" },
	{ "flag:shiny", "flag: unknown flag 'shiny' (retrans, zero-window, "
			"dup-ack, ooo, lost, keep-alive, reused, rst, ...)" },
	{ "port:80 nope", "'nope': a term is key:value (state, port, host, "
			  "conn, flag)" },
};

START_TEST(filter_refuses_a_bad_term_saying_what_is_wrong)
{
	struct tui_filter f = { .n = 7 };
	char err[256] = "";

	ck_assert_int_eq(tui_filter_parse(bad[_i].text, &f, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, bad[_i].message);
	/* a refused expression leaves the previous filter alone */
	ck_assert_uint_eq(f.n, 7);
}
END_TEST

START_TEST(filter_refuses_more_than_sixteen_terms)
{
	char text[512] = "";
	struct tui_filter f;
	char err[256];

	for (int i = 0; i < TUI_FILTER_TERMS + 1; i++)
		strcat(text, "port:1 ");
	ck_assert_int_eq(tui_filter_parse(text, &f, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "too many terms (at most 16)");
}
END_TEST

START_TEST(filter_empty_matches_everything)
{
	struct conn_record c = rec();

	ck_assert(matches("", &c));
	ck_assert(tui_filter_match(NULL, &c));
}
END_TEST

START_TEST(filter_state_matches_either_endpoint)
{
	struct conn_record c = rec();

	c.resp.state = EP_SYN_RECEIVED;
	c.orig.state = EP_SYN_SENT;
	ck_assert(matches("state:SYN-RECEIVED", &c));
	ck_assert(matches("state:syn-sent", &c));
	ck_assert(!matches("state:ESTABLISHED", &c));
}
END_TEST

START_TEST(filter_port_and_host_match_either_side)
{
	struct conn_record c = rec();

	ck_assert(matches("port:443", &c));
	ck_assert(matches("port:40000", &c));
	ck_assert(!matches("port:80", &c));
	ck_assert(matches("host:192.0.2.1", &c));
	ck_assert(matches("host:198.51.100.2", &c));
	ck_assert(matches("host:198.51.100.0/24", &c));
	ck_assert(matches("host:192.0.0.0/22", &c));
	ck_assert(!matches("host:192.0.3.0/24", &c));
	ck_assert(!matches("host:2001:db8::1", &c));
}
END_TEST

START_TEST(filter_host_matches_ipv6_prefixes)
{
	struct conn_record c = rec();

	c.ip_version = 6;
	memset(c.orig_addr, 0, 16);
	memcpy(c.orig_addr, "\x20\x01\x0d\xb8", 4);
	c.orig_addr[15] = 1;
	ck_assert(matches("host:2001:db8::1", &c));
	ck_assert(matches("host:2001:db8::/32", &c));
	ck_assert(!matches("host:2001:db9::/32", &c));
	ck_assert(!matches("host:192.0.2.1", &c));
}
END_TEST

START_TEST(filter_conn_and_flags_match_the_record)
{
	struct conn_record c = rec();

	ck_assert(matches("conn:SF", &c));
	ck_assert(!matches("conn:REJ", &c));
	ck_assert(!matches("flag:retrans", &c));
	c.resp.analysis[AN_FAST_RETRANS] = 1;
	ck_assert(matches("flag:retrans", &c));
	ck_assert(matches("flag:fast-retrans", &c));
	ck_assert(!matches("flag:retransmission", &c));
	ck_assert(!matches("flag:zero-window", &c));
	c.orig.analysis[AN_ZERO_WINDOW] = 2;
	ck_assert(matches("flag:zero-window", &c));
	ck_assert(!matches("flag:reused", &c));
	c.reused = true;
	ck_assert(matches("flag:reused", &c));
}
END_TEST

START_TEST(filter_terms_are_anded)
{
	struct conn_record c = rec();

	ck_assert(matches("port:443 state:ESTABLISHED conn:SF", &c));
	ck_assert(!matches("port:443 state:ESTABLISHED conn:REJ", &c));
	ck_assert(!matches("port:80 state:ESTABLISHED", &c));
}
END_TEST

START_TEST(filter_short_names_cover_every_state_and_flag)
{
	for (int s = 0; s < EP__COUNT; s++)
		ck_assert_str_ne(tui_state_short((enum ep_state)s), "?");
	for (int a = 0; a < AN__COUNT; a++) {
		const char *n = tui_analysis_short((enum flow_analysis)a);
		char text[64];

		ck_assert_str_ne(n, "?");
		/* every name the ladder prints is a flag: term too */
		snprintf(text, sizeof(text), "flag:%s", n);
		struct tui_filter f;
		char err[256];
		ck_assert_msg(tui_filter_parse(text, &f, err, sizeof(err)) == 0,
			      "%s: %s", text, err);
	}
}
END_TEST

START_TEST(filter_takes_flow_names_of_every_state_and_flag)
{
	struct tui_filter f;
	char text[64], err[256];

	for (int s = 0; s < EP__COUNT; s++) {
		snprintf(text, sizeof(text), "state:%s",
			 flow_ep_state_name((enum ep_state)s));
		ck_assert_msg(tui_filter_parse(text, &f, err, sizeof(err)) == 0,
			      "%s: %s", text, err);
		ck_assert_int_eq(f.t[0].value, s);
	}
	/* flow/'s names, underscores and all: "retransmission" is the
	 * plain one, unlike the short "retrans" */
	for (int a = 0; a < AN__COUNT; a++) {
		snprintf(text, sizeof(text), "flag:%s",
			 flow_analysis_name((enum flow_analysis)a));
		ck_assert_msg(tui_filter_parse(text, &f, err, sizeof(err)) == 0,
			      "%s: %s", text, err);
		ck_assert_int_eq(f.t[0].value, a);
	}
	/* the short name of an unknown state is no name to filter on */
	ck_assert_int_eq(tui_filter_parse("state:-", &f, err, sizeof(err)),
			 -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_filter");
	TCase *tc = tcase_create("filter");

	tcase_add_test(tc, filter_accepts_every_documented_term);
	tcase_add_loop_test(tc, filter_refuses_a_bad_term_saying_what_is_wrong,
			    0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, filter_refuses_more_than_sixteen_terms);
	tcase_add_test(tc, filter_empty_matches_everything);
	tcase_add_test(tc, filter_state_matches_either_endpoint);
	tcase_add_test(tc, filter_port_and_host_match_either_side);
	tcase_add_test(tc, filter_host_matches_ipv6_prefixes);
	tcase_add_test(tc, filter_conn_and_flags_match_the_record);
	tcase_add_test(tc, filter_terms_are_anded);
	tcase_add_test(tc, filter_short_names_cover_every_state_and_flag);
	tcase_add_test(tc, filter_takes_flow_names_of_every_state_and_flag);
	suite_add_tcase(s, tc);
	return frames_run(s);
}
