/*
 * Run totals: what a capture held, counted per decode outcome, and the
 * closing summary a person reads.
 */
#include <inttypes.h>
#include <string.h>

#include "report.h"

void run_totals_add(struct run_totals *t, const struct frame_meta *m,
		    uint32_t wirelen, enum decode_status st,
		    const struct decoded_packet *p)
{
	if (t->frames == 0) {
		t->first_sec = m->ts_sec;
		t->first_nsec = m->ts_nsec;
	}
	t->frames++;
	t->last_sec = m->ts_sec;
	t->last_nsec = m->ts_nsec;
	t->wire_bytes += wirelen;
	if ((unsigned)st <= DECODE_UNSUPPORTED_LINK)
		t->status[st]++;
	if (p->ip.version == 4)
		t->ip4++;
	else if (p->ip.version == 6)
		t->ip6++;
	for (unsigned i = 0; i < p->anom_count; i++)
		if (p->anom[i] < ANOM__COUNT)
			t->anomalies[p->anom[i]]++;
	if (p->ip.csum == CSUM_BAD)
		t->checksum_bad_ip++;
	if (st != DECODE_TCP)
		return;
	if (p->tcp.csum == CSUM_BAD)
		t->checksum_bad_tcp++;
	uint16_t f = p->tcp.flags;
	/* most segments carry none of these: one test for them all */
	if (!(f & (TCP_SYN | TCP_FIN | TCP_RST)))
		return;
	if ((f & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		t->flags_syn++;
	else if ((f & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		t->flags_synack++;
	if (f & TCP_FIN)
		t->flags_fin++;
	if (f & TCP_RST)
		t->flags_rst++;
}

static void print_time(FILE *out, int64_t sec, uint32_t nsec, int digits)
{
	char buf[REPORT_DATE_MAX];

	if (!report_utc_date(sec, buf, sizeof(buf)))
		strcpy(buf, "?");
	if (digits == 9)
		fprintf(out, "%s.%09" PRIu32, buf, nsec);
	else
		fprintf(out, "%s.%06" PRIu32, buf, nsec / 1000);
}

static void row(FILE *out, const char *label, uint64_t v)
{
	fprintf(out, "  %-22s %" PRIu64 "\n", label, v);
}

/*
 * Seconds from the first frame to the last. Exact ns arithmetic where it
 * fits; a corrupt or far-future timestamp (pcapng's are 64-bit) can put
 * the ends more than 292 years apart, and then a double is close enough.
 */
static double span_seconds(const struct run_totals *t)
{
	double approx = (double)t->last_sec - (double)t->first_sec;
	double frac = ((double)t->last_nsec - (double)t->first_nsec) / 1e9;

	if (approx > -9e9 && approx < 9e9) {
		int64_t ns = (t->last_sec - t->first_sec) * 1000000000 +
			     ((int64_t)t->last_nsec - (int64_t)t->first_nsec);
		return (double)ns / 1e9;
	}
	return approx + frac;
}

void run_totals_print(FILE *out, const struct run_totals *t,
		      const char *source, const char *linktype_name,
		      int ts_digits)
{
	fprintf(out, "%s (%s): %" PRIu64 " frames, %" PRIu64 " bytes\n",
		source, linktype_name, t->frames, t->wire_bytes);
	if (t->frames) {
		fputs("  from ", out);
		print_time(out, t->first_sec, t->first_nsec, ts_digits);
		fputs(" to ", out);
		print_time(out, t->last_sec, t->last_nsec, ts_digits);
		fprintf(out, " UTC (%.3f s)\n", span_seconds(t));
	}
	row(out, "TCP segments", t->status[DECODE_TCP]);
	fprintf(out, "  %-22s %" PRIu64 " SYN, %" PRIu64 " SYN-ACK, %" PRIu64
		     " FIN, %" PRIu64 " RST\n", "  of which",
		t->flags_syn, t->flags_synack, t->flags_fin, t->flags_rst);
	row(out, "IPv4 packets", t->ip4);
	row(out, "IPv6 packets", t->ip6);
	row(out, "not IP", t->status[DECODE_NOT_IP]);
	row(out, "IP, not TCP", t->status[DECODE_NOT_TCP]);
	row(out, "IP fragments", t->status[DECODE_FRAGMENT]);
	row(out, "truncated", t->status[DECODE_TRUNCATED]);
	row(out, "malformed", t->status[DECODE_MALFORMED]);
	row(out, "bad IPv4 checksums", t->checksum_bad_ip);
	row(out, "bad TCP checksums", t->checksum_bad_tcp);
	bool any = false;
	for (unsigned a = 0; a < ANOM__COUNT; a++) {
		if (!t->anomalies[a])
			continue;
		if (!any)
			fputs("  decode anomalies:\n", out);
		any = true;
		fprintf(out, "    %-32s %" PRIu64 "\n",
			decode_anomaly_name((enum decode_anomaly)a),
			t->anomalies[a]);
	}
}
