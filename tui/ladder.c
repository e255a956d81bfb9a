/*
 * The packet ladder of one connection, laid out as plain text: the client
 * on the left, the server on the right, one arrow per packet, each with
 * its flags, relative seq/ack, window (scaled when both sides agreed on
 * scaling), payload length and analysis flags:
 *
 *   +0.000000 |-- [S] seq=0 win=64240 ------------------------>|
 *   +0.000052 |<------------------ [S.] seq=0 ack=1 win=65160 --|
 */
#include "model.h"

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "names.h"
#include "outbuf.h"

#define TIME_W 11   /* "+12.345678" and a space */

static void endpoint(char *out, size_t outlen, int version,
		     const uint8_t *addr, uint16_t port)
{
	char a[ADDR_TEXT_MAX];

	addr_format(a, version, addr);
	snprintf(out, outlen, version == 6 ? "[%s]:%u" : "%s:%u", a,
		 (unsigned)port);
}

void tui_ladder_head(const struct conn_record *c, int width, char *out,
		     size_t outlen)
{
	char cl[64], sv[64];
	int pad;

	endpoint(cl, sizeof(cl), c->ip_version, c->orig_addr, c->orig_port);
	endpoint(sv, sizeof(sv), c->ip_version, c->resp_addr, c->resp_port);
	pad = width - TIME_W - (int)strlen(cl) - (int)strlen(sv);
	if (pad < 1)
		pad = 1;
	snprintf(out, outlen, "%-*s%s%*s%s", TIME_W, "time", cl, pad, "", sv);
}

static void fmt_time(char *out, size_t outlen, int64_t rel)
{
	double s = (double)rel / (double)TUI_NS_PER_S;

	if (rel < 0)
		snprintf(out, outlen, "%*s", TIME_W - 1, "?");
	else if (s < 1000)
		snprintf(out, outlen, "+%.6f", s);
	else
		snprintf(out, outlen, "+%.1f", s);
}

static void label(const struct conn_record *c, const struct tui_pkt_rec *p,
		  char *out, size_t outlen)
{
	char buf[192];
	struct outbuf ob;
	const struct conn_opts *o =
		p->from == SIDE_ORIG ? &c->orig.opts : &c->resp.opts;
	uint32_t win = p->win;

	/* RFC 7323 2.2: the window of a SYN is never scaled */
	if (!(p->flags & TCP_SYN) && c->orig.opts.wscale >= 0 &&
	    c->resp.opts.wscale >= 0)
		win <<= o->wscale > 14 ? 14 : o->wscale;
	ob_init(&ob, buf, sizeof(buf) - 1);
	ob_putc(&ob, '[');
	names_tcp_flag_letters(&ob, p->flags);
	ob_lit(&ob, "] seq=");
	ob_u64(&ob, p->rel_seq);
	if (p->flags & TCP_ACK) {
		ob_lit(&ob, " ack=");
		ob_u64(&ob, p->rel_ack);
	}
	ob_lit(&ob, " win=");
	ob_u64(&ob, win);
	if (p->len) {
		ob_lit(&ob, " len=");
		ob_u64(&ob, p->len);
	}
	for (int a = 0; a < AN__COUNT; a++) {
		if (!(p->analysis & (1u << a)))
			continue;
		ob_lit(&ob, " !");
		ob_puts(&ob, tui_analysis_short((enum flow_analysis)a));
	}
	buf[ob.len] = '\0';
	snprintf(out, outlen, "%s", buf);
}

void tui_ladder_layout(const struct conn_record *c,
		       const struct tui_pkt_rec *p, int width,
		       struct tui_ladder_line *out)
{
	char t[32], lab[192];
	int inner, llen, fill, n;
	char *s = out->text;
	bool right = p->from != SIDE_RESP; /* client to server */

	if (width > (int)sizeof(out->text) - 1)
		width = (int)sizeof(out->text) - 1;
	fmt_time(t, sizeof(t), p->ts_ns - c->first_ns);
	label(c, p, lab, sizeof(lab));
	out->marked = (p->analysis & ~(1u << AN_CAPTURE_DUP)) != 0 ||
		      (p->flags & TCP_RST);
	/* "|-- label ---->|": the bars, "-- " and " " around the label, and
	 * at least two dashes before the head */
	inner = width - TIME_W - 1;
	if (inner < 12) {
		snprintf(s, sizeof(out->text), "%s", t);
		out->arrow_from = out->arrow_to = -1;
		return;
	}
	llen = (int)strlen(lab);
	if (llen > inner - 7) {
		llen = inner - 7;
		lab[llen - 1] = '~';
		lab[llen] = '\0';
	}
	fill = inner - 5 - llen;
	n = snprintf(s, sizeof(out->text), "%-*s|", TIME_W - 1, t);
	out->arrow_from = TIME_W - 1;
	out->arrow_to = TIME_W + inner;
	if (right) {
		n += snprintf(s + n, sizeof(out->text) - (size_t)n, "-- %s ",
			      lab);
		memset(s + n, '-', (size_t)fill);
		n += fill;
		s[n++] = '>';
	} else {
		s[n++] = '<';
		memset(s + n, '-', (size_t)fill);
		n += fill;
		n += snprintf(s + n, sizeof(out->text) - (size_t)n, " %s --",
			      lab);
	}
	s[n++] = '|';
	s[n] = '\0';
}
