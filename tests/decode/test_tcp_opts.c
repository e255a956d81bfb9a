/* Unit tests for tcp_opts_parse(): the option walk on its own. */
#include <check.h>
#include <string.h>

#include "decode_internal.h"
#include "frames.h"

static struct decoded_packet pkt;
static struct tcp_opts o;

static int parse(const uint8_t *bytes, size_t len)
{
	memset(&pkt, 0, sizeof(pkt));
	return tcp_opts_parse(bytes, len, &o, &pkt);
}

START_TEST(tcp_opts_parses_a_linux_syn_in_wire_order)
{
	/* MSS 1460, SACK permitted, TS val 123456 ecr 0, NOP, WS 7 */
	static const uint8_t b[] = {
		0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
		0x08, 0x0a, 0x00, 0x01, 0xe2, 0x40, 0x00, 0x00, 0x00, 0x00,
		0x01, 0x03, 0x03, 0x07,
	};
	static const uint8_t kinds[] = { 2, 4, 8, 1, 3 };
	static const uint8_t offs[] = { 20, 24, 26, 36, 37 };

	ck_assert_int_eq(parse(b, sizeof(b)), 0);
	ck_assert_uint_eq(o.count, 5);
	for (unsigned i = 0; i < 5; i++) {
		ck_assert_uint_eq(o.list[i].kind, kinds[i]);
		ck_assert_uint_eq(o.list[i].off, offs[i]);
		ck_assert_uint_eq(o.list[i].bad, 0);
	}
	ck_assert_uint_eq(o.list[3].len, 1);
	ck_assert_uint_eq(o.list[2].len, 10);
	ck_assert_uint_eq(o.present, TCPOPT_HAS_MSS | TCPOPT_HAS_SACKOK |
			  TCPOPT_HAS_TS | TCPOPT_HAS_WSCALE);
	ck_assert_uint_eq(o.mss, 1460);
	ck_assert_uint_eq(o.wscale, 7);
	ck_assert_uint_eq(o.tsval, 123456);
	ck_assert_uint_eq(o.tsecr, 0);
	ck_assert_uint_eq(pkt.anom_count, 0);
}
END_TEST

START_TEST(tcp_opts_accepts_an_empty_option_area)
{
	static const uint8_t b[1] = { 0x02 };   /* never read: length 0 */

	ck_assert_int_eq(parse(b, 0), 0);
	ck_assert_uint_eq(o.count, 0);
	ck_assert_uint_eq(o.present, 0);
}
END_TEST

START_TEST(tcp_opts_stops_at_eol_and_ignores_what_follows)
{
	/* MSS 1460, EOL, then bytes that would be an MSS with bad length */
	static const uint8_t b[] = {
		0x02, 0x04, 0x05, 0xb4, 0x00, 0x02, 0x01, 0x00,
	};

	ck_assert_int_eq(parse(b, sizeof(b)), 0);
	ck_assert_uint_eq(o.count, 2);
	ck_assert_uint_eq(o.list[1].kind, TCPOPT_EOL);
	ck_assert_uint_eq(o.list[1].len, 1);
	ck_assert_uint_eq(o.list[1].off, 24);
	ck_assert(o.present & TCPOPT_HAS_EOL);
	ck_assert_uint_eq(o.mss, 1460);
	ck_assert_uint_eq(pkt.anom_count, 0);
}
END_TEST

/* Loop: _i NOPs of padding, then MSS 536; both are recorded. */
START_TEST(tcp_opts_records_nop_padding_before_an_option)
{
	uint8_t b[40];
	size_t n = (size_t)_i;

	memset(b, TCPOPT_NOP, n);
	b[n] = 0x02;    /* MSS, length 4, 536 */
	b[n + 1] = 0x04;
	b[n + 2] = 0x02;
	b[n + 3] = 0x18;
	ck_assert_int_eq(parse(b, n + 4), 0);
	ck_assert_uint_eq(o.count, n + 1);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(o.list[i].kind, TCPOPT_NOP);
		ck_assert_uint_eq(o.list[i].off, 20 + i);
	}
	ck_assert_uint_eq(o.list[n].kind, TCPOPT_MSS);
	ck_assert_uint_eq(o.list[n].off, 20 + n);
	ck_assert_uint_eq(o.mss, 536);
}
END_TEST

START_TEST(tcp_opts_holds_forty_nops_and_looks_at_forty_bytes_only)
{
	uint8_t b[48];

	memset(b, TCPOPT_NOP, sizeof(b));
	ck_assert_int_eq(parse(b, sizeof(b)), 0);
	ck_assert_uint_eq(o.count, TCP_OPT_MAX);
	ck_assert_uint_eq(o.list[TCP_OPT_MAX - 1].off, 59);
}
END_TEST

static const uint8_t len_kinds[] = { 2, 3, 4, 5, 8, 19, 28, 29, 30, 34,
				     254, 99 };

/* Loop: each kind with length byte 0 or 1, followed by a sound MSS. */
START_TEST(tcp_opts_rejects_length_below_two)
{
	uint8_t b[6] = { len_kinds[_i / 2], (uint8_t)(_i % 2),
			 0x02, 0x04, 0x05, 0xb4 };

	ck_assert_int_eq(parse(b, sizeof(b)), -1);
	ck_assert(decode_has_anomaly(&pkt, ANOM_TCP_OPT_LEN_BAD));
	ck_assert_uint_eq(o.count, 1);
	ck_assert_uint_eq(o.list[0].bad, 1);
	ck_assert_uint_eq(o.list[0].len, _i % 2);
	ck_assert(!(o.present & TCPOPT_HAS_MSS));
}
END_TEST

struct overrun_case {
	const char *what;
	uint8_t bytes[12];
	size_t len;
	uint8_t listed;         /* entries before the one that overran */
};

static const struct overrun_case overruns[] = {
	/* kind 2 in the last byte: no room for its length */
	{ "length missing", { 0x02 }, 1, 0 },
	/* NOP, NOP, kind 30 without length */
	{ "length missing after nops", { 0x01, 0x01, 0x1e }, 3, 2 },
	/* MSS length 4 with one value byte */
	{ "mss cut", { 0x02, 0x04, 0x05 }, 3, 0 },
	/* TS length 10 with 7 value bytes */
	{ "ts cut", { 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7 }, 9, 0 },
	/* WS 7, then an unknown kind claiming 40 bytes */
	{ "unknown too long", { 0x03, 0x03, 0x07, 0x63, 0x28, 0 }, 6, 1 },
	/* SACK length 10 in 4 bytes */
	{ "sack cut", { 0x05, 0x0a, 0, 0 }, 4, 0 },
	/* experimental kind 254 length 8 in 4 bytes, magic included */
	{ "tfo exp cut", { 0xfe, 0x08, 0xf9, 0x89 }, 4, 0 },
};

/* The option that overran is not listed: what is listed is all there. */
START_TEST(tcp_opts_flags_an_option_running_past_the_end)
{
	const struct overrun_case *c = &overruns[_i];

	ck_assert_msg(parse(c->bytes, c->len) == -1, "%s", c->what);
	ck_assert_msg(decode_has_anomaly(&pkt, ANOM_TCP_OPT_OVERRUN), "%s",
		      c->what);
	ck_assert_uint_eq(o.count, c->listed);
	for (unsigned i = 0; i < o.count; i++)
		ck_assert_uint_le(o.list[i].off - 20u + o.list[i].len, c->len);
	ck_assert_uint_eq(o.present & ~(uint32_t)TCPOPT_HAS_WSCALE, 0);
}
END_TEST

START_TEST(tcp_opts_walk_does_not_call_a_snaplen_cut_an_overrun)
{
	/* WS 7, then TS whose 10 bytes the header holds but capture cut */
	static const uint8_t b[] = { 0x03, 0x03, 0x07, 0x08, 0x0a, 0, 0 };

	memset(&pkt, 0, sizeof(pkt));
	ck_assert_int_eq(tcp_opts_walk(b, sizeof(b), 16, &o, &pkt), -1);
	ck_assert_uint_eq(o.count, 1);
	ck_assert_uint_eq(o.wscale, 7);
	ck_assert(!decode_has_anomaly(&pkt, ANOM_TCP_OPT_OVERRUN));
	ck_assert(!(o.present & TCPOPT_HAS_TS));

	/* The same bytes with the header ending where they end: overrun. */
	memset(&pkt, 0, sizeof(pkt));
	ck_assert_int_eq(tcp_opts_walk(b, sizeof(b), sizeof(b), &o, &pkt), -1);
	ck_assert(decode_has_anomaly(&pkt, ANOM_TCP_OPT_OVERRUN));
}
END_TEST

/*
 * The RFC length rule of each kind, stated independently of the decoder:
 * every length from 2 to 40 is tried against it.
 */
struct kind_rule {
	uint8_t kind;
	bool tfo_magic;         /* kind 254 carrying 0xF989 */
	uint32_t has;
	enum decode_anomaly anom;
};

static const struct kind_rule kind_rules[] = {
	{ TCPOPT_MSS, false, TCPOPT_HAS_MSS, ANOM_TCP_OPT_MSS_LEN },
	{ TCPOPT_WSCALE, false, TCPOPT_HAS_WSCALE, ANOM_TCP_OPT_WSCALE_LEN },
	{ TCPOPT_SACKOK, false, TCPOPT_HAS_SACKOK, ANOM_TCP_OPT_SACKOK_LEN },
	{ TCPOPT_SACK, false, TCPOPT_HAS_SACK, ANOM_TCP_OPT_SACK_LEN },
	{ TCPOPT_TS, false, TCPOPT_HAS_TS, ANOM_TCP_OPT_TS_LEN },
	{ TCPOPT_MD5, false, TCPOPT_HAS_MD5, ANOM_TCP_OPT_MD5_LEN },
	{ TCPOPT_UTO, false, TCPOPT_HAS_UTO, ANOM_TCP_OPT_UTO_LEN },
	{ TCPOPT_AO, false, TCPOPT_HAS_AO, ANOM_TCP_OPT_AO_LEN },
	{ TCPOPT_MPTCP, false, TCPOPT_HAS_MPTCP, ANOM_TCP_OPT_MPTCP_LEN },
	{ TCPOPT_TFO, false, TCPOPT_HAS_TFO, ANOM_TCP_OPT_TFO_LEN },
	{ TCPOPT_EXP, true, TCPOPT_HAS_TFO, ANOM_TCP_OPT_TFO_LEN },
};

#define RULE_LENS 39            /* lengths 2..40 */

static bool rule_len_ok(const struct kind_rule *r, unsigned len)
{
	switch (r->kind) {
	case TCPOPT_MSS: return len == 4;
	case TCPOPT_WSCALE: return len == 3;
	case TCPOPT_SACKOK: return len == 2;
	case TCPOPT_SACK: return len == 10 || len == 18 || len == 26 ||
				 len == 34;
	case TCPOPT_TS: return len == 10;
	case TCPOPT_MD5: return len == 18;
	case TCPOPT_UTO: return len == 4;
	case TCPOPT_AO: return len >= 4;
	case TCPOPT_MPTCP: return len >= 3;
	case TCPOPT_TFO: return len == 2 || (len >= 6 && len <= 18 &&
					     len % 2 == 0);
	default: return len == 4 || (len >= 8 && len <= 20 && len % 2 == 0);
	}
}

/* Loop: kind_rules[_i / 39] with length 2 + _i % 39. */
START_TEST(tcp_opts_checks_every_kind_at_every_length)
{
	const struct kind_rule *r = &kind_rules[_i / RULE_LENS];
	unsigned len = 2 + (unsigned)_i % RULE_LENS;
	uint8_t b[40] = { r->kind, (uint8_t)len };

	if (r->tfo_magic) {
		b[2] = 0xf9;
		b[3] = 0x89;
	}
	ck_assert_int_eq(parse(b, len), 0);
	ck_assert_uint_eq(o.count, 1);
	ck_assert_uint_eq(o.list[0].len, len);
	if (r->tfo_magic && len < 4) {
		/* no room for the whole magic: an unknown experiment */
		ck_assert_uint_eq(o.present, TCPOPT_HAS_UNKNOWN);
		ck_assert_uint_eq(pkt.anom_count, 0);
	} else if (rule_len_ok(r, len)) {
		ck_assert_msg(o.present & r->has, "kind %u len %u rejected",
			      r->kind, len);
		ck_assert_uint_eq(o.list[0].bad, 0);
		ck_assert_uint_eq(pkt.anom_count, 0);
	} else {
		ck_assert_msg(decode_has_anomaly(&pkt, r->anom),
			      "kind %u len %u accepted", r->kind, len);
		ck_assert_uint_eq(pkt.anom_count, 1);
		ck_assert_uint_eq(o.list[0].bad, 1);
		ck_assert(!(o.present & r->has));
	}
}
END_TEST

START_TEST(tcp_opts_keeps_experimental_options_without_the_tfo_magic)
{
	/* kind 254 len 2; kind 254 len 3; kind 254 len 6 with ExID 0x1234 */
	static const uint8_t b[] = {
		0xfe, 0x02, 0xfe, 0x03, 0xf9, 0xfe, 0x06, 0x12, 0x34, 0, 0,
	};

	ck_assert_int_eq(parse(b, sizeof(b)), 0);
	ck_assert_uint_eq(o.count, 3);
	ck_assert_uint_eq(o.present, TCPOPT_HAS_UNKNOWN);
	ck_assert_uint_eq(pkt.anom_count, 0);
}
END_TEST

START_TEST(tcp_opts_goes_on_by_the_length_byte_after_a_wrong_length)
{
	/* MSS with length 5 (one byte too many), then WS 7 */
	static const uint8_t b[] = { 0x02, 0x05, 0x05, 0xb4, 0x00,
				     0x03, 0x03, 0x07 };

	ck_assert_int_eq(parse(b, sizeof(b)), 0);
	ck_assert_uint_eq(o.count, 2);
	ck_assert_uint_eq(o.list[0].bad, 1);
	ck_assert_uint_eq(o.list[1].off, 25);
	ck_assert(decode_has_anomaly(&pkt, ANOM_TCP_OPT_MSS_LEN));
	ck_assert_uint_eq(o.present, TCPOPT_HAS_WSCALE);
	ck_assert_uint_eq(o.wscale, 7);
}
END_TEST

START_TEST(tcp_opts_keeps_unknown_kinds_as_kind_and_length)
{
	/* kind 99 length 4, then MSS 1460 */
	static const uint8_t b[] = { 0x63, 0x04, 0xaa, 0xbb,
				     0x02, 0x04, 0x05, 0xb4 };

	ck_assert_int_eq(parse(b, sizeof(b)), 0);
	ck_assert_uint_eq(o.count, 2);
	ck_assert_uint_eq(o.list[0].kind, 99);
	ck_assert_uint_eq(o.list[0].len, 4);
	ck_assert_uint_eq(o.list[0].bad, 0);
	ck_assert_uint_eq(o.present, TCPOPT_HAS_UNKNOWN | TCPOPT_HAS_MSS);
	ck_assert_uint_eq(o.mss, 1460);
}
END_TEST

static const uint8_t wscales[] = { 0, 14, 15, 200, 255 };

START_TEST(tcp_opts_flags_a_window_shift_above_fourteen_but_keeps_it)
{
	uint8_t b[3] = { 0x03, 0x03, wscales[_i] };     /* WS shift */

	ck_assert_int_eq(parse(b, sizeof(b)), 0);
	ck_assert(o.present & TCPOPT_HAS_WSCALE);
	ck_assert_uint_eq(o.wscale, wscales[_i]);
	ck_assert(decode_has_anomaly(&pkt, ANOM_TCP_OPT_WSCALE_LARGE) ==
		  (wscales[_i] > 14));
}
END_TEST

/* Loop: 1 to 4 SACK blocks, block i = [1000 * i, 1000 * i + 500). */
START_TEST(tcp_opts_reads_every_sack_block)
{
	unsigned n = (unsigned)_i;
	uint8_t b[40] = { 0x05, (uint8_t)(2 + 8 * n) };

	for (unsigned i = 0; i < n; i++) {
		frame_wr32(b + 2 + 8 * i, 1000 * (i + 1));
		frame_wr32(b + 6 + 8 * i, 1000 * (i + 1) + 500);
	}
	ck_assert_int_eq(parse(b, 2 + 8 * n), 0);
	ck_assert_uint_eq(o.sack_count, n);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(o.sack[i].left, 1000 * (i + 1));
		ck_assert_uint_eq(o.sack[i].right, 1000 * (i + 1) + 500);
	}
}
END_TEST

START_TEST(tcp_opts_reads_tfo_cookie_requests_and_cookies)
{
	/* TFO cookie request (kind 34, length 2) */
	static const uint8_t req[] = { 0x22, 0x02 };
	/* NOP, NOP, TFO with an 8-byte cookie */
	static const uint8_t cookie[] = { 0x01, 0x01, 0x22, 0x0a,
					  1, 2, 3, 4, 5, 6, 7, 8 };
	/* experimental TFO: kind 254, magic 0xF989, 4-byte cookie */
	static const uint8_t exp[] = { 0xfe, 0x08, 0xf9, 0x89, 9, 9, 9, 9 };

	ck_assert_int_eq(parse(req, sizeof(req)), 0);
	ck_assert(o.present & TCPOPT_HAS_TFO);
	ck_assert_uint_eq(o.tfo_cookie_len, 0);

	ck_assert_int_eq(parse(cookie, sizeof(cookie)), 0);
	ck_assert_uint_eq(o.tfo_cookie_len, 8);
	ck_assert_uint_eq(o.tfo_off, 24);

	ck_assert_int_eq(parse(exp, sizeof(exp)), 0);
	ck_assert(o.present & TCPOPT_HAS_TFO);
	ck_assert_uint_eq(o.tfo_cookie_len, 4);
	ck_assert_uint_eq(o.tfo_off, 24);
	ck_assert(!(o.present & TCPOPT_HAS_UNKNOWN));
}
END_TEST

START_TEST(tcp_opts_reads_uto_granularity_and_timeout)
{
	static const uint8_t minutes[] = { 0x1c, 0x04, 0x80, 0x3c };
	static const uint8_t seconds[] = { 0x1c, 0x04, 0x7f, 0xff };

	ck_assert_int_eq(parse(minutes, sizeof(minutes)), 0);
	ck_assert_uint_eq(o.uto_granularity, 1);
	ck_assert_uint_eq(o.uto_timeout, 60);
	ck_assert_int_eq(parse(seconds, sizeof(seconds)), 0);
	ck_assert_uint_eq(o.uto_granularity, 0);
	ck_assert_uint_eq(o.uto_timeout, 0x7fff);
}
END_TEST

START_TEST(tcp_opts_reads_ao_key_ids_mptcp_subtype_and_md5)
{
	/* AO keyid 5 rnextkeyid 7 + 12-byte MAC; MPTCP DSS (subtype 2) */
	static const uint8_t b[] = {
		0x1d, 0x10, 0x05, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x1e, 0x04, 0x21, 0x01,
	};
	/* TCP MD5 signature: kind 19, length 18, 16-byte digest */
	static const uint8_t md5[18] = { 0x13, 0x12 };

	ck_assert_int_eq(parse(b, sizeof(b)), 0);
	ck_assert_uint_eq(o.present, TCPOPT_HAS_AO | TCPOPT_HAS_MPTCP);
	ck_assert_uint_eq(o.ao_keyid, 5);
	ck_assert_uint_eq(o.ao_rnextkeyid, 7);
	ck_assert_uint_eq(o.mptcp_subtype, 2);

	ck_assert_int_eq(parse(md5, sizeof(md5)), 0);
	ck_assert_uint_eq(o.present, TCPOPT_HAS_MD5);
}
END_TEST

struct dup_case {
	const char *what;
	uint8_t bytes[24];
	size_t len;
	uint32_t has;
	uint32_t (*value)(const struct tcp_opts *);
	uint32_t first;         /* value of the first option */
};

static uint32_t v_mss(const struct tcp_opts *x) { return x->mss; }
static uint32_t v_ws(const struct tcp_opts *x) { return x->wscale; }
static uint32_t v_ts(const struct tcp_opts *x) { return x->tsval; }
static uint32_t v_tfo(const struct tcp_opts *x) { return x->tfo_cookie_len; }
static uint32_t v_uto(const struct tcp_opts *x) { return x->uto_timeout; }
static uint32_t v_none(const struct tcp_opts *x) { return x->count; }

static const struct dup_case dups[] = {
	/* MSS 1460, MSS 536 */
	{ "mss", { 2, 4, 0x05, 0xb4, 2, 4, 0x02, 0x18 }, 8,
	  TCPOPT_HAS_MSS, v_mss, 1460 },
	/* WS 7, WS 3 */
	{ "wscale", { 3, 3, 7, 3, 3, 3 }, 6, TCPOPT_HAS_WSCALE, v_ws, 7 },
	/* SACK permitted twice (value: two entries) */
	{ "sackok", { 4, 2, 4, 2 }, 4, TCPOPT_HAS_SACKOK, v_none, 2 },
	/* TS val 1 ecr 0, TS val 2 ecr 0 */
	{ "ts", { 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
		  8, 10, 0, 0, 0, 2, 0, 0, 0, 0 }, 20, TCPOPT_HAS_TS, v_ts, 1 },
	/* TFO 4-byte cookie, TFO cookie request */
	{ "tfo", { 34, 6, 1, 2, 3, 4, 34, 2 }, 8, TCPOPT_HAS_TFO, v_tfo, 4 },
	/* TFO cookie request, then experimental TFO with a 4-byte cookie */
	{ "tfo then tfo exp", { 34, 2, 254, 8, 0xf9, 0x89, 1, 2, 3, 4 }, 10,
	  TCPOPT_HAS_TFO, v_tfo, 0 },
	/* UTO 60 s, UTO 30 s */
	{ "uto", { 28, 4, 0, 60, 28, 4, 0, 30 }, 8, TCPOPT_HAS_UTO, v_uto, 60 },
};

START_TEST(tcp_opts_keeps_the_first_of_duplicate_options)
{
	const struct dup_case *c = &dups[_i];

	ck_assert_int_eq(parse(c->bytes, c->len), 0);
	ck_assert_msg(decode_has_anomaly(&pkt, ANOM_TCP_OPT_DUPLICATE), "%s",
		      c->what);
	ck_assert(o.present & c->has);
	ck_assert_msg(c->value(&o) == c->first, "%s: %u", c->what,
		      (unsigned)c->value(&o));
}
END_TEST

START_TEST(tcp_opts_does_not_call_a_bad_first_option_a_duplicate)
{
	/* MSS with length 3 (bad), then MSS 1460: the sound one is used */
	static const uint8_t b[] = { 0x02, 0x03, 0x05, 0x02, 0x04, 0x05, 0xb4,
				     0x01 };

	ck_assert_int_eq(parse(b, sizeof(b)), 0);
	ck_assert(!decode_has_anomaly(&pkt, ANOM_TCP_OPT_DUPLICATE));
	ck_assert(decode_has_anomaly(&pkt, ANOM_TCP_OPT_MSS_LEN));
	ck_assert_uint_eq(o.mss, 1460);
}
END_TEST

static Suite *tcp_opts_suite(void)
{
	Suite *s = suite_create("decode_tcp_opts");
	TCase *tc = tcase_create("walk");
	TCase *bad = tcase_create("malformed");
	TCase *val = tcase_create("values");

	tcase_add_test(tc, tcp_opts_parses_a_linux_syn_in_wire_order);
	tcase_add_test(tc, tcp_opts_accepts_an_empty_option_area);
	tcase_add_test(tc, tcp_opts_stops_at_eol_and_ignores_what_follows);
	tcase_add_loop_test(tc, tcp_opts_records_nop_padding_before_an_option,
			    0, 37);
	tcase_add_test(tc,
		       tcp_opts_holds_forty_nops_and_looks_at_forty_bytes_only);
	tcase_add_test(tc, tcp_opts_keeps_unknown_kinds_as_kind_and_length);
	suite_add_tcase(s, tc);

	tcase_add_loop_test(bad, tcp_opts_rejects_length_below_two, 0,
			    (int)(2 * sizeof(len_kinds)));
	tcase_add_loop_test(bad, tcp_opts_flags_an_option_running_past_the_end,
			    0, (int)(sizeof(overruns) / sizeof(overruns[0])));
	tcase_add_test(bad,
		       tcp_opts_walk_does_not_call_a_snaplen_cut_an_overrun);
	tcase_add_loop_test(bad, tcp_opts_checks_every_kind_at_every_length, 0,
			    (int)(RULE_LENS * (sizeof(kind_rules) /
					       sizeof(kind_rules[0]))));
	tcase_add_test(bad,
		       tcp_opts_goes_on_by_the_length_byte_after_a_wrong_length);
	tcase_add_loop_test(bad, tcp_opts_keeps_the_first_of_duplicate_options,
			    0, (int)(sizeof(dups) / sizeof(dups[0])));
	tcase_add_test(bad,
		       tcp_opts_does_not_call_a_bad_first_option_a_duplicate);
	suite_add_tcase(s, bad);

	tcase_add_test(val,
		       tcp_opts_keeps_experimental_options_without_the_tfo_magic);
	tcase_add_loop_test(val,
			    tcp_opts_flags_a_window_shift_above_fourteen_but_keeps_it,
			    0, (int)sizeof(wscales));
	tcase_add_loop_test(val, tcp_opts_reads_every_sack_block, 1, 5);
	tcase_add_test(val, tcp_opts_reads_tfo_cookie_requests_and_cookies);
	tcase_add_test(val, tcp_opts_reads_uto_granularity_and_timeout);
	tcase_add_test(val, tcp_opts_reads_ao_key_ids_mptcp_subtype_and_md5);
	suite_add_tcase(s, val);
	return s;
}

int main(void)
{
	return frames_run(tcp_opts_suite());
}
