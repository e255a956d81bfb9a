/*
 * Zeek's TSV conn.log: the header of Zeek's ASCII writer, then Zeek's
 * default conn.log columns, so zeek-cut and other Zeek log readers take
 * the file as it is. Columns synscope cannot know (service, local_orig,
 * local_resp, tunnel_parents) are unset ("-"), as in a Zeek run without
 * protocol analyzers or Site::local_nets.
 */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "conn.h"

static const char *const zeek_fields[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
	"proto", "service", "duration", "orig_bytes", "resp_bytes",
	"conn_state", "local_orig", "local_resp", "missed_bytes", "history",
	"orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
	"tunnel_parents",
};

static const char *const zeek_types[] = {
	"time", "string", "addr", "port", "addr", "port",
	"enum", "string", "interval", "count", "count",
	"string", "bool", "bool", "count", "string",
	"count", "count", "count", "count",
	"set[string]",
};

#define ZEEK_COLUMNS (sizeof(zeek_fields) / sizeof(zeek_fields[0]))

void conn_put_zeek_date(struct outbuf *ob, int64_t ns)
{
	/* floor, so a time before 1970 names the second it falls in */
	int64_t sec = ns / 1000000000 - (ns % 1000000000 < 0);
	time_t tt = (time_t)sec;
	struct tm tm;
	char buf[32];

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%d-%H-%M-%S", &tm)) {
		ob_puts(ob, "-");
		return;
	}
	ob_puts(ob, buf);
}

static void header_list(struct outbuf *ob, const char *tag,
			const char *const *list)
{
	ob_puts(ob, tag);
	for (size_t i = 0; i < ZEEK_COLUMNS; i++) {
		ob_putc(ob, '\t');
		ob_puts(ob, list[i]);
	}
	ob_putc(ob, '\n');
}

void conn_zeek_header(struct outbuf *ob, int64_t open_ns)
{
	/* Zeek writes the separator itself escaped, space-separated */
	ob_puts(ob, "#separator \\x09\n"
		    "#set_separator\t,\n"
		    "#empty_field\t(empty)\n"
		    "#unset_field\t-\n"
		    "#path\tconn\n"
		    "#open\t");
	conn_put_zeek_date(ob, open_ns);
	ob_putc(ob, '\n');
	header_list(ob, "#fields", zeek_fields);
	header_list(ob, "#types", zeek_types);
}

/*
 * A string value as Zeek's ASCII writer escapes it: the separator, other
 * control bytes and non-ASCII bytes as \xNN, and a value that reads as the
 * unset or empty marker with its first byte escaped.
 */
static void zeek_str(struct outbuf *ob, const char *s)
{
	static const char hexd[] = "0123456789abcdef";

	if (!*s) {
		ob_puts(ob, "(empty)");
		return;
	}
	bool marker = !strcmp(s, "-") || !strcmp(s, "(empty)");
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c >= 0x7f || c == '\\' || (marker && p == s)) {
			ob_puts(ob, "\\x");
			ob_putc(ob, hexd[c >> 4]);
			ob_putc(ob, hexd[c & 0x0f]);
		} else {
			ob_putc(ob, (char)c);
		}
	}
}

static void tab(struct outbuf *ob)
{
	ob_putc(ob, '\t');
}

static void tab_u64(struct outbuf *ob, uint64_t v)
{
	ob_putc(ob, '\t');
	ob_u64(ob, v);
}

static void tab_unset(struct outbuf *ob)
{
	ob_puts(ob, "\t-");
}

void conn_zeek_line(struct outbuf *ob, const struct conn_output_opts *o,
		    const struct conn_record *c)
{
	char orig[ADDR_TEXT_MAX], resp[ADDR_TEXT_MAX], uid[CONN_UID_MAX];
	char hist[FLOW_HISTORY_MAX + 1];
	int v = c->ip_version == 6 ? 6 : 4;

	addr_format(orig, v, c->orig_addr);
	addr_format(resp, v, c->resp_addr);
	report_conn_uid(uid, o->uid_salt, c->id);
	memcpy(hist, c->history, FLOW_HISTORY_MAX);
	hist[FLOW_HISTORY_MAX] = '\0';

	conn_put_secs(ob, c->first_ns);
	tab(ob);
	ob_puts(ob, uid);
	tab(ob);
	ob_puts(ob, orig);
	tab_u64(ob, c->orig_port);
	tab(ob);
	ob_puts(ob, resp);
	tab_u64(ob, c->resp_port);
	ob_puts(ob, "\ttcp");
	tab_unset(ob); /* service: no protocol analyzers */
	/* Zeek's set_conn() logs duration and the byte counts only when
	 * the duration is above zero */
	if (c->last_ns > c->first_ns) {
		tab(ob);
		conn_put_secs(ob, c->last_ns - c->first_ns);
		tab_u64(ob, c->orig.bytes);
		tab_u64(ob, c->resp.bytes);
	} else {
		tab_unset(ob);
		tab_unset(ob);
		tab_unset(ob);
	}
	tab(ob);
	ob_puts(ob, flow_zeek_state_name(c->conn_state));
	tab_unset(ob); /* local_orig: needs Site::local_nets */
	tab_unset(ob); /* local_resp */
	tab_u64(ob, c->orig.missed_bytes + c->resp.missed_bytes);
	tab(ob);
	if (hist[0]) /* Zeek leaves an empty history unset */
		zeek_str(ob, hist);
	else
		ob_putc(ob, '-');
	tab_u64(ob, c->orig.pkts);
	tab_u64(ob, c->orig.ip_bytes);
	tab_u64(ob, c->resp.pkts);
	tab_u64(ob, c->resp.ip_bytes);
	tab_unset(ob); /* tunnel_parents: no tunnels decoded */
}
