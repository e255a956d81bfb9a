/*
 * Alert records: JSON lines and the human line, built in an outbuf with
 * the shared appenders (numbers, JSON strings, addresses), one fwrite()
 * per line.
 */
#include "alert.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>

#include "addr.h"
#include "conn.h"
#include "report.h"

/* A non-negative number with `digits` decimals (rounded); NaN and
 * infinities, which detect/ never makes, print as 0. */
static void put_fixed(struct outbuf *ob, double v, int digits)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000 };
	uint64_t scale = pow10[digits], u;

	if (!(v >= 0.0) || v > 1e15)
		v = 0.0;
	u = (uint64_t)llround(v * (double)scale);
	ob_u64(ob, u / scale);
	if (!digits)
		return;
	ob_putc(ob, '.');
	/* ob_frac reads nanoseconds: shift the fraction to 9 digits */
	ob_frac(ob, (uint32_t)(u % scale * (1000000000u / scale)), digits);
}

static void put_addr(struct outbuf *ob, const struct detect_addr *a)
{
	char buf[ADDR_TEXT_MAX];

	ob_putn(ob, buf, addr_format(buf, a->version, a->addr));
}

/* "192.0.2.2:80", "[2001:db8::2]:80", or the address alone */
static void put_target(struct outbuf *ob, const struct detect_alert *a)
{
	bool brackets = a->has_port && a->dst.version == 6;

	if (brackets)
		ob_putc(ob, '[');
	put_addr(ob, &a->dst);
	if (brackets)
		ob_putc(ob, ']');
	if (a->has_port) {
		ob_putc(ob, ':');
		ob_u64(ob, a->dport);
	}
}

/* "2026-11-21 08:47:00.656518" in UTC */
static void put_time(struct outbuf *ob, int64_t ns)
{
	int64_t sec = ns / 1000000000 - (ns % 1000000000 < 0);
	uint32_t frac = (uint32_t)(ns - sec * 1000000000);
	char buf[REPORT_DATE_MAX];

	if (!report_utc_date(sec, buf, sizeof(buf))) {
		conn_put_secs(ob, ns);
		return;
	}
	ob_puts(ob, buf);
	ob_putc(ob, '.');
	ob_frac(ob, frac, 6);
}

static void key(struct outbuf *ob, const char *name)
{
	ob_putc(ob, ',');
	ob_json_str(ob, name);
	ob_putc(ob, ':');
}

static void key_u64(struct outbuf *ob, const char *name, uint64_t v)
{
	key(ob, name);
	ob_u64(ob, v);
}

static void key_fixed(struct outbuf *ob, const char *name, double v,
		      int digits)
{
	key(ob, name);
	put_fixed(ob, v, digits);
}

/*
 * The names of the bits set among the first `count`, `sep` between them,
 * as JSON strings or as they are. Returns how many were written.
 */
static unsigned put_bit_names(struct outbuf *ob, unsigned bits,
			      unsigned count, const char *(*name)(unsigned),
			      char sep, bool json)
{
	unsigned n = 0;

	for (unsigned i = 0; i < count; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (n++)
			ob_putc(ob, sep);
		if (json)
			ob_json_str(ob, name(i));
		else
			ob_puts(ob, name(i));
	}
	return n;
}

/* A JSON array of the names of the bits set. */
static void put_names(struct outbuf *ob, unsigned bits, unsigned count,
		      const char *(*name)(unsigned))
{
	ob_putc(ob, '[');
	put_bit_names(ob, bits, count, name, ',', true);
	ob_putc(ob, ']');
}

void report_alert_json(struct outbuf *ob, const struct detect_alert *a)
{
	ob_lit(ob, "{\"event\":");
	ob_json_str(ob, detect_event_name(a->event));
	key_u64(ob, "id", a->id);
	key(ob, "verdict");
	ob_json_str(ob, detect_verdict_name(a->verdict));
	key(ob, "ts");
	conn_put_secs(ob, a->ts_ns);
	key(ob, "start");
	conn_put_secs(ob, a->start_ns);
	key(ob, "end");
	if (a->event == DE_END)
		conn_put_secs(ob, a->end_ns);
	else
		ob_lit(ob, "null");
	key(ob, "dst");
	ob_putc(ob, '"');
	put_addr(ob, &a->dst);
	ob_putc(ob, '"');
	key(ob, "dport");
	if (a->has_port)
		ob_u64(ob, a->dport);
	else
		ob_lit(ob, "null");
	key_fixed(ob, "syn_rate", a->syn_rate, 1);
	key_fixed(ob, "synack_rate", a->synack_rate, 1);
	key_u64(ob, "half_open", a->half_open);
	key_u64(ob, "peak_half_open", a->peak_half_open);
	key(ob, "completion");
	if (a->syns)
		put_fixed(ob, a->completion, 4);
	else
		ob_lit(ob, "null");
	key_u64(ob, "syns", a->syns);
	key_u64(ob, "synacks", a->synacks);
	key_u64(ob, "completed", a->completed);
	key_u64(ob, "rsts", a->rsts);
	key_u64(ob, "syn_retrans", a->syn_retrans);
	key_u64(ob, "synack_retrans", a->synack_retrans);
	key_u64(ob, "sources", a->sources);
	key_u64(ob, "ports", a->ports);
	key(ob, "closed_port");
	ob_puts(ob, a->closed_port ? "true" : "false");
	key_fixed(ob, "reply_rate", a->reply_rate, 1);
	key(ob, "top_sources");
	ob_putc(ob, '[');
	for (unsigned i = 0; i < a->ntop && i < DETECT_TOP_SOURCES; i++) {
		if (i)
			ob_putc(ob, ',');
		ob_lit(ob, "{\"addr\":\"");
		put_addr(ob, &a->top[i].addr);
		ob_lit(ob, "\",\"count\":");
		ob_u64(ob, a->top[i].count);
		ob_putc(ob, '}');
	}
	ob_putc(ob, ']');
	key(ob, "detector");
	put_names(ob, a->detectors, 2, detect_detector_name);
	key(ob, "thresholds");
	put_names(ob, a->thresholds, DETECT_T__COUNT, detect_threshold_name);
	key_fixed(ob, "confidence", a->confidence, 2);
	ob_lit(ob, "}\n");
}

int report_alert_write(FILE *out, const struct detect_alert *a)
{
	char buf[ALERT_LINE_MAX];
	struct outbuf ob;

	ob_init(&ob, buf, sizeof(buf));
	report_alert_json(&ob, a);
	if (fwrite(buf, 1, ob.len, out) != ob.len) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* "threshold+cusum" */
static void put_detectors(struct outbuf *ob, unsigned bits)
{
	if (!put_bit_names(ob, bits, 2, detect_detector_name, '+', false))
		ob_putc(ob, '-');
}

/* ", ~1650 sources (top 198.51.100.7 x12)" */
static void put_sources(struct outbuf *ob, const struct detect_alert *a,
			const char *what)
{
	ob_lit(ob, ", ~");
	ob_u64(ob, a->sources);
	ob_putc(ob, ' ');
	ob_puts(ob, what);
	if (a->ntop) {
		ob_lit(ob, " (top ");
		put_addr(ob, &a->top[0].addr);
		ob_lit(ob, " x");
		ob_u64(ob, a->top[0].count);
		ob_putc(ob, ')');
	}
}

/* The figures after the colon, by verdict. */
static void put_figures(struct outbuf *ob, const struct detect_alert *a)
{
	bool end = a->event == DE_END;

	switch (a->verdict) {
	case DV_SYN_SCAN:
		ob_u64(ob, a->ports);
		ob_lit(ob, " ports from ");
		if (a->ntop)
			put_addr(ob, &a->top[0].addr);
		ob_lit(ob, ", ");
		put_fixed(ob, a->syn_rate, 1);
		ob_lit(ob, " SYN/s");
		break;
	case DV_BACKSCATTER:
		put_fixed(ob, a->reply_rate, 1);
		ob_lit(ob, " unsolicited replies/s (");
		ob_u64(ob, a->synacks);
		ob_lit(ob, " SYN-ACK, ");
		ob_u64(ob, a->rsts);
		ob_lit(ob, " RST) from ");
		ob_u64(ob, a->ports);
		ob_lit(ob, " ports");
		put_sources(ob, a, "spoofed addresses");
		break;
	default:
		if (a->verdict == DV_SYN_COOKIES)
			ob_lit(ob, "answering with SYN cookies, ");
		ob_puts(ob, end ? "peak " : "");
		put_fixed(ob, a->syn_rate, 1);
		ob_lit(ob, " SYN/s, ");
		ob_puts(ob, end ? "peak half-open " : "half-open ");
		ob_u64(ob, end ? a->peak_half_open : a->half_open);
		ob_lit(ob, ", completion ");
		put_fixed(ob, 100.0 * a->completion, 1);
		ob_putc(ob, '%');
		if (a->closed_port)
			ob_lit(ob, ", closed port (RSTs answer)");
		if (a->ports)
			put_sources(ob, a, "sources over ports");
		else
			put_sources(ob, a, "sources");
		break;
	}
}

void report_alert_text(struct outbuf *ob, const struct detect_alert *a)
{
	ob_lit(ob, "alert ");
	ob_puts(ob, detect_event_name(a->event));
	ob_lit(ob, " #");
	ob_u64(ob, a->id);
	ob_putc(ob, ' ');
	ob_puts(ob, detect_verdict_name(a->verdict));
	ob_putc(ob, ' ');
	put_target(ob, a);
	if (a->event == DE_END) {
		ob_lit(ob, " from ");
		put_time(ob, a->start_ns);
		ob_lit(ob, " UTC for ");
		put_fixed(ob, (double)(a->end_ns - a->start_ns) / 1e9, 3);
		ob_lit(ob, " s: ");
	} else {
		ob_lit(ob, " at ");
		put_time(ob, a->ts_ns);
		ob_lit(ob, " UTC: ");
	}
	put_figures(ob, a);
	ob_lit(ob, "; ");
	put_detectors(ob, a->detectors);
	ob_lit(ob, ", confidence ");
	put_fixed(ob, a->confidence, 2);
}

void report_alert_summary(FILE *out, const struct detect_alert *a, size_t n,
			  uint64_t raised, const struct detect_stats *st)
{
	char buf[ALERT_LINE_MAX];
	struct outbuf ob;

	fprintf(out, "\nAlerts: %" PRIu64 " raised\n", raised);
	for (size_t i = 0; i < n; i++) {
		ob_init(&ob, buf, sizeof(buf));
		ob_lit(&ob, "  ");
		ob_u64(&ob, a[i].id);
		ob_lit(&ob, ". ");
		ob_puts(&ob, detect_verdict_name(a[i].verdict));
		ob_lit(&ob, "  ");
		put_target(&ob, &a[i]);
		ob_lit(&ob, "  ");
		put_time(&ob, a[i].start_ns);
		ob_lit(&ob, " to ");
		put_time(&ob, a[i].end_ns);
		ob_lit(&ob, " UTC (");
		put_fixed(&ob, (double)(a[i].end_ns - a[i].start_ns) / 1e9, 3);
		ob_lit(&ob, " s)\n      ");
		put_figures(&ob, &a[i]);
		ob_lit(&ob, "\n      detectors ");
		put_detectors(&ob, a[i].detectors);
		ob_lit(&ob, ", thresholds ");
		put_bit_names(&ob, a[i].thresholds, DETECT_T__COUNT,
			      detect_threshold_name, ',', false);
		ob_lit(&ob, ", confidence ");
		put_fixed(&ob, a[i].confidence, 2);
		ob_putc(&ob, '\n');
		fwrite(buf, 1, ob.len, out);
	}
	if (raised > n)
		fprintf(out, "  (%" PRIu64 " more not listed)\n", raised - n);
	if (st && (st->targets_evicted || st->hosts_evicted ||
		   st->sources_evicted || st->alerts_dropped ||
		   st->half_open_untracked))
		fprintf(out, "  detector tables full: %" PRIu64 " targets, %"
			     PRIu64 " hosts, %" PRIu64 " sources evicted; %"
			     PRIu64 " alerts not raised; %" PRIu64
			     " half-open connections not tracked\n",
			st->targets_evicted, st->hosts_evicted,
			st->sources_evicted, st->alerts_dropped,
			st->half_open_untracked);
}
