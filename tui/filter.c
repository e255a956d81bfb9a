/*
 * The dashboard's filter language: terms separated by spaces, all of
 * which must hold (AND).
 *
 *   state:NAME     either endpoint is in this RFC 9293 state
 *                  (SYN-SENT, SYN-RECEIVED or SYN-RECV, ESTABLISHED, ...)
 *   port:N         either port
 *   host:ADDR[/N]  either address, IPv4 or IPv6, with an optional prefix
 *   conn:STATE     Zeek's conn_state (S0, SF, REJ, ...)
 *   flag:NAME      an analysis flag seen on the connection (retrans,
 *                  zero-window, dup-ack, ...) or one of reused, midstream,
 *                  rst, syn-retrans, missed
 *
 * Names are case-insensitive and '_' is the same as '-'. A bad term is
 * refused with one line saying which and why.
 */
#include "model.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS "state, port, host, conn, flag"

/* Flags that are not one analysis bit. */
enum {
	FLAG_RETRANS_ANY = AN__COUNT,
	FLAG_REUSED,
	FLAG_MIDSTREAM,
	FLAG_RST,
	FLAG_SYN_RETRANS,
	FLAG_MISSED,
};

/* Besides these, each analysis flag is known by its flow/ name and by the
 * short name the views print (parse_flag). */
static const struct {
	const char *name;
	int flag;
} flag_names[] = {
	/* "retrans" is any of the three retransmissions, not AN_RETRANS,
	 * whose short name it is: looked up first */
	{ "retrans", FLAG_RETRANS_ANY },
	{ "reused", FLAG_REUSED },
	{ "midstream", FLAG_MIDSTREAM },
	{ "rst", FLAG_RST },
	{ "syn-retrans", FLAG_SYN_RETRANS },
	{ "missed", FLAG_MISSED },
};

#define NFLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

/* The names the ladder and the table print, one per analysis flag. */
static const char *const analysis_short[AN__COUNT] = {
	[AN_RETRANS] = "retrans",
	[AN_FAST_RETRANS] = "fast-retrans",
	[AN_SPURIOUS_RETRANS] = "spurious",
	[AN_OUT_OF_ORDER] = "ooo",
	[AN_LOST_SEGMENT] = "lost",
	[AN_ACK_UNSEEN] = "ack-unseen",
	[AN_DUP_ACK] = "dup-ack",
	[AN_ZERO_WINDOW] = "zero-window",
	[AN_ZERO_WINDOW_PROBE] = "zw-probe",
	[AN_ZERO_WINDOW_PROBE_ACK] = "zw-probe-ack",
	[AN_WINDOW_FULL] = "window-full",
	[AN_WINDOW_UPDATE] = "window-update",
	[AN_KEEP_ALIVE] = "keep-alive",
	[AN_KEEP_ALIVE_ACK] = "keep-alive-ack",
	[AN_CAPTURE_DUP] = "capture-dup",
};

const char *tui_analysis_short(enum flow_analysis a)
{
	return (unsigned)a < AN__COUNT ? analysis_short[a] : "?";
}

/* For narrow columns: three states get shorter names, the others keep
 * flow/'s. */
const char *tui_state_short(enum ep_state s)
{
	switch (s) {
	case EP_UNKNOWN: return "-";
	case EP_SYN_RECEIVED: return "SYN-RCVD";
	case EP_ESTABLISHED: return "ESTAB";
	default: return flow_ep_state_name(s);
	}
}

/* Case-insensitive, '_' and '-' alike. */
static bool name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = *a == '_' ? '-' : tolower((unsigned char)*a);
		int y = *b == '_' ? '-' : tolower((unsigned char)*b);
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* Either endpoint's state, by its flow/ name, its short name or ss(8)'s
 * SYN-RECV. */
static int parse_state(const char *v, struct tui_term *t)
{
	(void)t;
	for (int s = 0; s < EP__COUNT; s++)
		if (name_eq(v, flow_ep_state_name((enum ep_state)s)) ||
		    (s != EP_UNKNOWN &&
		     name_eq(v, tui_state_short((enum ep_state)s))))
			return s;
	return name_eq(v, "SYN-RECV") ? (int)EP_SYN_RECEIVED : -1;
}

static int parse_conn_state(const char *v, struct tui_term *t)
{
	(void)t;
	for (int z = 0; z < ZK__COUNT; z++)
		if (name_eq(v, flow_zeek_state_name((enum zeek_state)z)))
			return z;
	return -1;
}

static int parse_flag(const char *v, struct tui_term *t)
{
	(void)t;
	for (size_t i = 0; i < NFLAGS; i++)
		if (name_eq(v, flag_names[i].name))
			return flag_names[i].flag;
	for (int a = 0; a < AN__COUNT; a++)
		if (name_eq(v, flow_analysis_name((enum flow_analysis)a)) ||
		    name_eq(v, tui_analysis_short((enum flow_analysis)a)))
			return a;
	return -1;
}

static int parse_port(const char *v, struct tui_term *t)
{
	char *end;
	long p;

	(void)t;
	if (!isdigit((unsigned char)v[0]))
		return -1;
	p = strtol(v, &end, 10);
	if (*end || p < 0 || p > 65535)
		return -1;
	return (int)p;
}

static int parse_host(const char *v, struct tui_term *t)
{
	char buf[64];
	const char *slash = strchr(v, '/');
	size_t len = slash ? (size_t)(slash - v) : strlen(v);
	int max;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	memset(t->addr, 0, sizeof(t->addr));
	if (inet_pton(AF_INET, buf, t->addr) == 1)
		t->version = 4;
	else if (inet_pton(AF_INET6, buf, t->addr) == 1)
		t->version = 6;
	else
		return -1;
	max = t->version == 4 ? 32 : 128;
	t->prefix = (uint8_t)max;
	if (slash) {
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end || p < 0 ||
		    p > max)
			return -1;
		t->prefix = (uint8_t)p;
	}
	return 0;
}

/* The keys; a value that does not parse is refused with
 * "KEY: BEFORE'VALUE'AFTER". */
static const struct {
	const char *key;
	enum tui_term_kind kind;
	int (*parse)(const char *v, struct tui_term *t);
	const char *before, *after;
} keys[] = {
	{ "state", TT_STATE, parse_state, "unknown state ",
	  " (SYN-SENT, SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, ...)" },
	{ "port", TT_PORT, parse_port, "",
	  " is not a port number (0-65535)" },
	{ "host", TT_HOST, parse_host, "",
	  " is not an IPv4 or IPv6 address (with an optional /prefix)" },
	{ "conn", TT_CONN, parse_conn_state, "unknown conn_state ",
	  " (S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH)" },
	{ "flag", TT_FLAG, parse_flag, "unknown flag ",
	  " (retrans, zero-window, dup-ack, ooo, lost, keep-alive, reused, "
	  "rst, ...)" },
};

/* Parses one key:value word into t; -1 with the reason in err. */
static int parse_term(char *word, struct tui_term *t, char *err,
		      size_t errlen)
{
	char *colon = strchr(word, ':');
	const char *key, *val;

	if (!colon) {
		snprintf(err, errlen, "'%s': a term is key:value (" KEYS ")",
			 word);
		return -1;
	}
	*colon = '\0';
	key = word;
	val = colon + 1;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!name_eq(key, keys[i].key))
			continue;
		if (!*val) {
			snprintf(err, errlen, "%s: needs a value", key);
			return -1;
		}
		t->kind = keys[i].kind;
		t->value = keys[i].parse(val, t);
		if (t->value < 0) {
			snprintf(err, errlen, "%s: %s'%s'%s", keys[i].key,
				 keys[i].before, val, keys[i].after);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown key '%s' (" KEYS ")", key);
	return -1;
}

int tui_filter_parse(const char *text, struct tui_filter *f, char *err,
		     size_t errlen)
{
	char buf[512];
	char *save = NULL;
	struct tui_filter tmp = { 0 };

	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "filter too long (at most %zu "
			 "characters)", sizeof(buf) - 1);
		return -1;
	}
	strcpy(buf, text);
	for (char *w = strtok_r(buf, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (tmp.n == TUI_FILTER_TERMS) {
			snprintf(err, errlen, "too many terms (at most %d)",
				 TUI_FILTER_TERMS);
			return -1;
		}
		if (parse_term(w, &tmp.t[tmp.n], err, errlen) < 0)
			return -1;
		tmp.n++;
	}
	*f = tmp;
	return 0;
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, net, (size_t)whole) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[whole] & mask) == (net[whole] & mask);
}

static uint32_t both(const struct conn_record *c, enum flow_analysis a)
{
	return c->orig.analysis[a] + c->resp.analysis[a];
}

static bool flag_match(const struct conn_record *c, int flag)
{
	switch (flag) {
	case FLAG_RETRANS_ANY:
		return both(c, AN_RETRANS) || both(c, AN_FAST_RETRANS) ||
		       both(c, AN_SPURIOUS_RETRANS);
	case FLAG_REUSED:
		return c->reused;
	case FLAG_MIDSTREAM:
		return c->handshake == HS_MIDSTREAM;
	case FLAG_RST:
		return c->rst_by != SIDE_NONE;
	case FLAG_SYN_RETRANS:
		return c->syn_retrans || c->synack_retrans;
	case FLAG_MISSED:
		return c->orig.missed_bytes || c->resp.missed_bytes;
	default:
		return flag >= 0 && flag < AN__COUNT &&
		       both(c, (enum flow_analysis)flag) > 0;
	}
}

static bool term_match(const struct tui_term *t, const struct conn_record *c)
{
	switch (t->kind) {
	case TT_STATE:
		return (int)c->orig.state == t->value ||
		       (int)c->resp.state == t->value;
	case TT_PORT:
		return c->orig_port == t->value || c->resp_port == t->value;
	case TT_HOST:
		return c->ip_version == t->version &&
		       (prefix_match(c->orig_addr, t->addr, t->prefix) ||
			prefix_match(c->resp_addr, t->addr, t->prefix));
	case TT_CONN:
		return (int)c->conn_state == t->value;
	case TT_FLAG:
		return flag_match(c, t->value);
	}
	return false;
}

bool tui_filter_match(const struct tui_filter *f, const struct conn_record *c)
{
	if (!f)
		return true;
	for (unsigned i = 0; i < f->n; i++)
		if (!term_match(&f->t[i], c))
			return false;
	return true;
}
