/*
 * Connection records as JSON lines and CSV. Both come from one walk over
 * the record (emit_record) through a small emitter, so the CSV header, the
 * CSV rows and the JSON keys cannot drift apart: the CSV columns are the
 * JSON keys in the same order, with the names of enclosing objects joined
 * by dots.
 */
#include <string.h>

#include "addr.h"
#include "community_id.h"
#include "conn.h"

#define LINE_MAX_BYTES 8192
#define EMIT_DEPTH 3

enum emit_mode {
	EMIT_JSON,
	EMIT_CSV_HEADER,
	EMIT_CSV_ROW,
};

struct emitter {
	struct outbuf *ob;
	enum emit_mode mode;
	int depth;
	bool first[EMIT_DEPTH + 1];     /* nothing written yet at this depth */
	const char *path[EMIT_DEPTH];   /* CSV: the enclosing objects */
};

static bool values(const struct emitter *e)
{
	return e->mode != EMIT_CSV_HEADER;
}

/* JSON: `"name":`. CSV: the separator, and in the header the column. */
static void key(struct emitter *e, const char *name)
{
	if (e->mode == EMIT_JSON) {
		if (!e->first[e->depth])
			ob_putc(e->ob, ',');
		e->first[e->depth] = false;
		/* the names are ours, with nothing to escape */
		ob_putc(e->ob, '"');
		ob_puts(e->ob, name);
		ob_lit(e->ob, "\":");
		return;
	}
	if (!e->first[0])
		ob_putc(e->ob, ',');
	e->first[0] = false;
	if (e->mode == EMIT_CSV_HEADER) {
		for (int i = 0; i < e->depth; i++) {
			ob_puts(e->ob, e->path[i]);
			ob_putc(e->ob, '.');
		}
		ob_puts(e->ob, name);
	}
}

static void obj_begin(struct emitter *e, const char *name)
{
	if (e->mode == EMIT_JSON) {
		key(e, name);
		ob_putc(e->ob, '{');
	} else {
		e->path[e->depth] = name;
	}
	e->depth++;
	e->first[e->depth] = true;
}

static void obj_end(struct emitter *e)
{
	if (e->mode == EMIT_JSON)
		ob_putc(e->ob, '}');
	e->depth--;
}

/* RFC 4180 2.6, 2.7: quote a field holding a comma, quote or line break,
 * and double the quotes inside. */
static void csv_str(struct outbuf *ob, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		ob_puts(ob, s);
		return;
	}
	ob_putc(ob, '"');
	for (; *s; s++) {
		if (*s == '"')
			ob_putc(ob, '"');
		ob_putc(ob, *s);
	}
	ob_putc(ob, '"');
}

static void f_u64(struct emitter *e, const char *name, uint64_t v)
{
	key(e, name);
	if (values(e))
		ob_u64(e->ob, v);
}

/* JSON null; an empty CSV cell. */
static void f_null(struct emitter *e, const char *name)
{
	key(e, name);
	if (e->mode == EMIT_JSON)
		ob_puts(e->ob, "null");
}

static void f_bool(struct emitter *e, const char *name, bool v)
{
	key(e, name);
	if (values(e))
		ob_puts(e->ob, v ? "true" : "false");
}

static void f_str(struct emitter *e, const char *name, const char *s)
{
	key(e, name);
	if (e->mode == EMIT_JSON)
		ob_json_str(e->ob, s);
	else if (e->mode == EMIT_CSV_ROW)
		csv_str(e->ob, s);
}

static void f_secs(struct emitter *e, const char *name, int64_t ns)
{
	key(e, name);
	if (values(e))
		conn_put_secs(e->ob, ns);
}

/* An RTT or other span that flow/ marks unknown with -1. */
static void f_secs_or_null(struct emitter *e, const char *name, int64_t ns)
{
	if (ns < 0)
		f_null(e, name);
	else
		f_secs(e, name, ns);
}

static void f_side(struct emitter *e, const char *name, enum flow_side s)
{
	if (s == SIDE_ORIG || s == SIDE_RESP)
		f_str(e, name, flow_side_name(s));
	else
		f_null(e, name);
}

/* JSON: an array, left out when untagged. CSV: always a column, the ids
 * joined by commas (so quoted when there are two). */
static void f_vlan(struct emitter *e, const struct conn_record *c)
{
	unsigned n = c->vlan_count < 2 ? c->vlan_count : 2;

	if (e->mode == EMIT_JSON && n == 0)
		return;
	key(e, "vlan");
	if (!values(e) || n == 0)
		return;
	bool quote = e->mode == EMIT_CSV_ROW && n > 1;
	if (e->mode == EMIT_JSON)
		ob_putc(e->ob, '[');
	else if (quote)
		ob_putc(e->ob, '"');
	for (unsigned i = 0; i < n; i++) {
		if (i)
			ob_putc(e->ob, ',');
		ob_u64(e->ob, c->vlan[i]);
	}
	if (e->mode == EMIT_JSON)
		ob_putc(e->ob, ']');
	else if (quote)
		ob_putc(e->ob, '"');
}

static void emit_analysis(struct emitter *e, const char *side,
			  const struct conn_dir *d)
{
	obj_begin(e, side);
	for (unsigned a = 0; a < AN__COUNT; a++)
		f_u64(e, flow_analysis_name((enum flow_analysis)a),
		      d->analysis[a]);
	obj_end(e);
}

static void emit_options(struct emitter *e, const char *side,
			 const struct conn_opts *o)
{
	obj_begin(e, side);
	if (o->mss < 0)
		f_null(e, "mss");
	else
		f_u64(e, "mss", (uint64_t)o->mss);
	if (o->wscale < 0)
		f_null(e, "wscale");
	else
		f_u64(e, "wscale", (uint64_t)o->wscale);
	f_bool(e, "sack", o->sack_ok);
	f_bool(e, "ts", o->ts);
	f_bool(e, "ecn", o->ecn);
	f_bool(e, "tfo", o->tfo);
	f_bool(e, "mptcp", o->mptcp);
	obj_end(e);
}

static void emit_windows(struct emitter *e, const char *side,
			 const struct conn_dir *d)
{
	obj_begin(e, side);
	/* a side that sent nothing advertised no window */
	if (d->pkts) {
		f_u64(e, "min", d->win_min);
		f_u64(e, "max", d->win_max);
	} else {
		f_null(e, "min");
		f_null(e, "max");
	}
	f_secs(e, "zero_time", d->zero_win_ns > 0 ? d->zero_win_ns : 0);
	obj_end(e);
}

static void emit_tuple(struct emitter *e, const struct conn_output_opts *o,
		       const struct conn_record *c)
{
	char orig[ADDR_TEXT_MAX], resp[ADDR_TEXT_MAX], uid[CONN_UID_MAX];
	int v = c->ip_version == 6 ? 6 : 4;

	addr_format(orig, v, c->orig_addr);
	addr_format(resp, v, c->resp_addr);
	report_conn_uid(uid, o->uid_salt, c->id);
	f_secs(e, "ts", c->first_ns);
	f_str(e, "uid", uid);
	f_str(e, "id.orig_h", orig);
	f_u64(e, "id.orig_p", c->orig_port);
	f_str(e, "id.resp_h", resp);
	f_u64(e, "id.resp_p", c->resp_port);
	f_str(e, "proto", "tcp");
}

/* Zeek's own conn.log fields, in Zeek's order. */
static void emit_zeek_fields(struct emitter *e, const struct conn_record *c)
{
	char hist[FLOW_HISTORY_MAX + 1];
	int64_t dur = c->last_ns > c->first_ns ? c->last_ns - c->first_ns : 0;

	/* flow/ terminates it; a full array is still read safely */
	memcpy(hist, c->history, FLOW_HISTORY_MAX);
	hist[FLOW_HISTORY_MAX] = '\0';
	f_secs(e, "duration", dur);
	f_u64(e, "orig_bytes", c->orig.bytes);
	f_u64(e, "resp_bytes", c->resp.bytes);
	f_str(e, "conn_state", flow_zeek_state_name(c->conn_state));
	f_u64(e, "missed_bytes", c->orig.missed_bytes + c->resp.missed_bytes);
	f_str(e, "history", hist);
	f_u64(e, "orig_pkts", c->orig.pkts);
	f_u64(e, "orig_ip_bytes", c->orig.ip_bytes);
	f_u64(e, "resp_pkts", c->resp.pkts);
	f_u64(e, "resp_ip_bytes", c->resp.ip_bytes);
}

static void emit_lifecycle(struct emitter *e, const struct conn_record *c)
{
	f_str(e, "handshake", flow_handshake_name(c->handshake));
	f_str(e, "close", flow_close_name(c->close));
	f_secs_or_null(e, "irtt", c->irtt_ns);
	f_secs_or_null(e, "syn_synack_rtt", c->syn_synack_ns);
	f_secs_or_null(e, "synack_ack_rtt", c->synack_ack_ns);
	f_u64(e, "syn_retrans", c->syn_retrans);
	f_u64(e, "synack_retrans", c->synack_retrans);
	f_str(e, "orig_state", flow_ep_state_name(c->orig.state));
	f_str(e, "resp_state", flow_ep_state_name(c->resp.state));
	f_side(e, "active_closer", c->active_closer);
	f_side(e, "rst_by", c->rst_by);
	if (c->rst_by == SIDE_ORIG || c->rst_by == SIDE_RESP)
		f_bool(e, "rst_in_window", c->rst_in_window);
	else
		f_null(e, "rst_in_window");
	f_side(e, "time_wait", c->time_wait);
	f_bool(e, "reused", c->reused);
	f_bool(e, "reused_time_wait", c->reused_time_wait);
	f_bool(e, "orientation_guessed", c->orientation_guessed);
}

static void emit_record(struct emitter *e, const struct conn_output_opts *o,
			const struct conn_record *c)
{
	char cid[COMMUNITY_ID_MAX];
	struct community_id_flow f = {
		.ip_version = c->ip_version == 6 ? 6 : 4,
		.saddr = c->orig_addr,
		.daddr = c->resp_addr,
		.proto = 6,
		.sport = c->orig_port,
		.dport = c->resp_port,
	};

	emit_tuple(e, o, c);
	emit_zeek_fields(e, c);
	emit_lifecycle(e, c);
	f_vlan(e, c);
	obj_begin(e, "analysis");
	emit_analysis(e, "orig", &c->orig);
	emit_analysis(e, "resp", &c->resp);
	obj_end(e);
	obj_begin(e, "options");
	emit_options(e, "orig", &c->orig.opts);
	emit_options(e, "resp", &c->resp.opts);
	obj_end(e);
	obj_begin(e, "windows");
	emit_windows(e, "orig", &c->orig);
	emit_windows(e, "resp", &c->resp);
	obj_end(e);
	if (values(e))
		community_id_v1(cid, o->community_id_seed, &f);
	else
		cid[0] = '\0';
	f_str(e, "community_id", cid);
}

static void emitter_init(struct emitter *e, struct outbuf *ob,
			 enum emit_mode mode)
{
	memset(e, 0, sizeof(*e));
	e->ob = ob;
	e->mode = mode;
	e->first[0] = true;
}

void conn_put_secs(struct outbuf *ob, int64_t ns)
{
	uint64_t u;

	if (ns < 0) {
		ob_putc(ob, '-');
		u = (uint64_t)0 - (uint64_t)ns;
	} else {
		u = (uint64_t)ns;
	}
	ob_u64(ob, u / 1000000000u);
	ob_putc(ob, '.');
	ob_frac(ob, (uint32_t)(u % 1000000000u), 6);
}

/* splitmix64's finaliser: a bijection on 64 bits. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

size_t report_conn_uid(char out[CONN_UID_MAX], uint64_t salt, uint64_t id)
{
	static const char digits[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	/* odd multiplier and add: still one uid per id for a given salt */
	uint64_t v = mix64(salt + id * 0x9e3779b97f4a7c15u);
	size_t n = 0;

	out[n++] = 'C';
	do {
		out[n++] = digits[v % 62];
		v /= 62;
	} while (v);
	out[n] = '\0';
	return n;
}

static int write_line(FILE *out, struct outbuf *ob)
{
	ob->buf[ob->len++] = '\n'; /* room kept by the caller */
	if (fwrite(ob->buf, 1, ob->len, out) != ob->len)
		return -1;
	return 0;
}

int report_conn_header(FILE *out, enum conn_format fmt, int64_t open_ns)
{
	char buf[LINE_MAX_BYTES];
	struct outbuf ob;
	struct emitter e;
	struct conn_record zero;
	struct conn_output_opts o = { 0 };

	ob_init(&ob, buf, sizeof(buf) - 1);
	switch (fmt) {
	case CONN_FORMAT_JSON:
		return 0;
	case CONN_FORMAT_CSV:
		memset(&zero, 0, sizeof(zero));
		emitter_init(&e, &ob, EMIT_CSV_HEADER);
		emit_record(&e, &o, &zero);
		return write_line(out, &ob);
	case CONN_FORMAT_ZEEK:
		conn_zeek_header(&ob, open_ns);
		/* the header ends with its own newline */
		return fwrite(buf, 1, ob.len, out) == ob.len ? 0 : -1;
	}
	return 0;
}

int report_conn_write(FILE *out, enum conn_format fmt,
		      const struct conn_output_opts *o,
		      const struct conn_record *c)
{
	char buf[LINE_MAX_BYTES];
	struct outbuf ob;
	struct emitter e;

	ob_init(&ob, buf, sizeof(buf) - 1);
	switch (fmt) {
	case CONN_FORMAT_JSON:
		emitter_init(&e, &ob, EMIT_JSON);
		ob_putc(&ob, '{');
		emit_record(&e, o, c);
		ob_putc(&ob, '}');
		break;
	case CONN_FORMAT_CSV:
		emitter_init(&e, &ob, EMIT_CSV_ROW);
		emit_record(&e, o, c);
		break;
	case CONN_FORMAT_ZEEK:
		conn_zeek_line(&ob, o, c);
		break;
	}
	return write_line(out, &ob);
}

int report_conn_footer(FILE *out, enum conn_format fmt, int64_t close_ns)
{
	char buf[64];
	struct outbuf ob;

	if (fmt != CONN_FORMAT_ZEEK)
		return 0;
	ob_init(&ob, buf, sizeof(buf) - 1);
	ob_puts(&ob, "#close\t");
	conn_put_zeek_date(&ob, close_ns);
	return write_line(out, &ob);
}
