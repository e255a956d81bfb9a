/*
 * Where the detector's alerts go. Every record (start, update, end) is a
 * JSON line in the --alerts file, flushed at once (alerts are rare and a
 * reader tails the file); starts and ends also make one human line on
 * stderr and, with --syslog, one syslog(3) message.
 *
 * --alert-pcap keeps a ring of the last RING_SLOTS packets (each cut to
 * RING_SNAP bytes: every header fits, payload does not matter to a SYN
 * flood). When an alert starts, the ring's packets to or from its target
 * open DIR/alert-<id>-<verdict>.pcap, and the target's packets follow
 * until the alert ends or the file holds PCAP_MAX_PKTS.
 */
#include "alerts.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifndef _WIN32
#include <syslog.h>
#endif

#include "alert.h"
#include "dump.h"
#include "options.h"
#include "privdrop.h"

#define HINT " (see synscope --help)"

#define RING_SLOTS 8192
#define RING_SNAP 256
#define PCAP_MAX_PKTS 10000
#define MAX_DUMPS 32

/* Thresholds: a value parsed into a field of struct detect_config. */
enum knob_kind { KNOB_DOUBLE, KNOB_U32, KNOB_SECONDS };

static const struct knob {
	int opt;
	const char *name;
	enum knob_kind kind;
	double min, max;
	size_t off;
} knobs[] = {
	{ ALERT_OPT_SYN_RATE, "--syn-rate", KNOB_DOUBLE, 1e-3, 1e9,
	  offsetof(struct detect_config, syn_rate) },
	{ ALERT_OPT_HALF_OPEN, "--half-open", KNOB_DOUBLE, 1, 1e9,
	  offsetof(struct detect_config, half_open) },
	{ ALERT_OPT_COMPLETION, "--completion", KNOB_DOUBLE, 0, 1,
	  offsetof(struct detect_config, completion) },
	{ ALERT_OPT_CUSUM_H, "--cusum-h", KNOB_DOUBLE, 1e-3, 1e6,
	  offsetof(struct detect_config, cusum_h) },
	{ ALERT_OPT_CUSUM_A, "--cusum-a", KNOB_DOUBLE, 0, 1e6,
	  offsetof(struct detect_config, cusum_a) },
	{ ALERT_OPT_SCAN_PORTS, "--scan-ports", KNOB_U32, 2, 65536,
	  offsetof(struct detect_config, scan_ports) },
	{ ALERT_OPT_BACKSCATTER, "--backscatter-rate", KNOB_DOUBLE, 1e-3, 1e9,
	  offsetof(struct detect_config, backscatter_rate) },
	{ ALERT_OPT_RETRY_RATIO, "--retry-ratio", KNOB_DOUBLE, 1e-3, 1e3,
	  offsetof(struct detect_config, retry_ratio) },
	{ ALERT_OPT_SPOOF_SOURCES, "--spoof-sources", KNOB_U32, 1, 1e9,
	  offsetof(struct detect_config, spoof_sources) },
	{ ALERT_OPT_SINGLE_SHARE, "--single-share", KNOB_DOUBLE, 0, 1,
	  offsetof(struct detect_config, single_share) },
	{ ALERT_OPT_HOLD, "--alert-hold", KNOB_SECONDS, 0, 86400,
	  offsetof(struct detect_config, hold_ns) },
	{ ALERT_OPT_CLEAR, "--alert-clear", KNOB_SECONDS, 0, 86400,
	  offsetof(struct detect_config, clear_ns) },
	{ ALERT_OPT_UPDATE, "--alert-update", KNOB_SECONDS, 0, 86400,
	  offsetof(struct detect_config, update_ns) },
};

static int parse_knob(const struct knob *k, const char *arg,
		      struct detect_config *c)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= k->min && v <= k->max) ||
	    (k->kind == KNOB_U32 && v != (double)(uint32_t)v)) {
		fprintf(stderr, "synscope: invalid %s: '%s' (%s from %g to "
			"%g)" HINT "\n", k->name, arg,
			k->kind == KNOB_U32 ? "a whole number" : "a number",
			k->min, k->max);
		return -1;
	}
	char *field = (char *)c + k->off;
	if (k->kind == KNOB_DOUBLE)
		memcpy(field, &v, sizeof(v));
	else if (k->kind == KNOB_U32)
		*(uint32_t *)(void *)field = (uint32_t)v;
	else
		*(int64_t *)(void *)field = (int64_t)(v * 1e9);
	return 0;
}

/* --detector: which flood detectors may raise (docs/alerts.md). */
static int parse_detector(const char *arg, struct detect_config *c)
{
	static const struct {
		const char *name;
		unsigned bits;
	} names[] = {
		{ "threshold", DETECT_BY_THRESHOLD },
		{ "cusum", DETECT_BY_CUSUM },
		{ "both", DETECT_BY_THRESHOLD | DETECT_BY_CUSUM },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(arg, names[i].name) == 0) {
			c->detectors = names[i].bits;
			return 0;
		}
	}
	fprintf(stderr, "synscope: unknown --detector '%s' (threshold, cusum "
		"or both)" HINT "\n", arg);
	return -1;
}

int cli_alert_option(int c, const char *arg, struct options *o)
{
	switch (c) {
	case ALERT_OPT_ALERTS: o->alerts_file = arg; return 0;
	case ALERT_OPT_SYSLOG:
#ifdef _WIN32
		fputs("synscope: --syslog is not available on Windows" HINT
		      "\n", stderr);
		return -1;
#else
		o->syslog = true;
		return 0;
#endif
	case ALERT_OPT_FAIL: o->fail_on_alert = true; return 0;
	case ALERT_OPT_PCAP: o->alert_pcap_dir = arg; return 0;
	case ALERT_OPT_CUSUM_PAIR:
		if (strcmp(arg, "ack") == 0) {
			o->detect.cusum_pair = DETECT_PAIR_ACK;
		} else if (strcmp(arg, "synack") == 0) {
			o->detect.cusum_pair = DETECT_PAIR_SYNACK;
		} else {
			fprintf(stderr, "synscope: unknown --cusum-pair '%s' "
				"(ack or synack)" HINT "\n", arg);
			return -1;
		}
		return 0;
	case ALERT_OPT_DETECTOR: return parse_detector(arg, &o->detect);
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (knobs[i].opt == c)
			return parse_knob(&knobs[i], arg, &o->detect);
	return -1;
}

bool cli_alerts_wanted(const struct options *o)
{
	return o->alerts_file || o->syslog || o->fail_on_alert ||
	       o->alert_pcap_dir;
}

struct ring_pkt {
	int64_t ts_sec;
	uint32_t ts_nsec, caplen, len;
	bool tcp;
	uint8_t version;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t bytes[RING_SNAP];
};

struct adump {
	bool used;
	uint64_t id;
	struct detect_addr dst;
	bool has_port;
	uint16_t port;
	uint64_t written;
	struct capture_dumper *dumper;
};

struct cli_alerts {
	struct cli_alerts_opts opt;
	FILE *json;
	bool json_stdout;
	int json_errno;             /* first failed write, or 0 */
	bool syslog_open;
	struct ring_pkt *ring;
	uint32_t ring_next, ring_n;
	struct adump dumps[MAX_DUMPS];
	bool dumps_full_warned;
	uint64_t raised;
};

int cli_alerts_open(struct cli_alerts **out, const struct cli_alerts_opts *o,
		    char *err, size_t errlen)
{
	struct cli_alerts *ca = calloc(1, sizeof(*ca));
	struct stat st;

	*out = NULL;
	if (!ca) {
		snprintf(err, errlen, "out of memory for the alerts");
		return -1;
	}
	ca->opt = *o;
	if (o->json_path && strcmp(o->json_path, "-") == 0) {
		ca->json = stdout;
		ca->json_stdout = true;
	} else if (o->json_path) {
		ca->json = privdrop_fopen_output(o->json_path);
		if (!ca->json) {
			snprintf(err, errlen, "cannot write alerts to %s: %s",
				 o->json_path, privdrop_open_error(errno));
			free(ca);
			return -1;
		}
	}
	if (o->pcap_dir) {
		if (stat(o->pcap_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "--alert-pcap %s: not a "
				 "directory", o->pcap_dir);
			cli_alerts_close(ca);
			return -1;
		}
		ca->ring = calloc(RING_SLOTS, sizeof(*ca->ring));
		if (!ca->ring) {
			snprintf(err, errlen, "out of memory for --alert-pcap");
			cli_alerts_close(ca);
			return -1;
		}
	}
#ifndef _WIN32
	if (o->syslog) {
		openlog("synscope", LOG_PID, LOG_DAEMON);
		ca->syslog_open = true;
	}
#endif
	*out = ca;
	return 0;
}

static bool addr_is(const uint8_t *a, const struct detect_addr *d)
{
	return memcmp(a, d->addr, d->version == 6 ? 16 : 4) == 0;
}

/* The packet goes to or comes from the alert's target. */
static bool belongs(const struct adump *dm, const struct ring_pkt *p)
{
	if (!p->tcp || p->version != dm->dst.version)
		return false;
	return (addr_is(p->dst, &dm->dst) &&
		(!dm->has_port || p->dport == dm->port)) ||
	       (addr_is(p->src, &dm->dst) &&
		(!dm->has_port || p->sport == dm->port));
}

static void dump_write(struct adump *dm, const struct ring_pkt *p)
{
	struct capture_packet cp = {
		.ts_sec = p->ts_sec, .ts_nsec = p->ts_nsec,
		.caplen = p->caplen, .len = p->len, .bytes = p->bytes,
	};

	if (dm->written >= PCAP_MAX_PKTS)
		return;
	capture_dumper_write(dm->dumper, &cp);
	dm->written++;
}

static void dump_start(struct cli_alerts *ca, const struct detect_alert *a)
{
	struct adump *dm = NULL;
	char path[4096], err[CAPTURE_ERRBUF];

	for (unsigned i = 0; i < MAX_DUMPS && !dm; i++)
		if (!ca->dumps[i].used)
			dm = &ca->dumps[i];
	if (!dm) {
		if (!ca->dumps_full_warned)
			fprintf(stderr, "synscope: warning: %d alert pcaps "
				"open already; alert %llu gets none\n",
				MAX_DUMPS, (unsigned long long)a->id);
		ca->dumps_full_warned = true;
		return;
	}
	snprintf(path, sizeof(path), "%s/alert-%llu-%s.pcap",
		 ca->opt.pcap_dir, (unsigned long long)a->id,
		 detect_verdict_name(a->verdict));
	if (capture_dumper_open(&dm->dumper, path, ca->opt.linktype, RING_SNAP,
				ca->opt.ts_digits, err, sizeof(err)) < 0) {
		fprintf(stderr, "synscope: warning: %s\n", err);
		return;
	}
	dm->used = true;
	dm->id = a->id;
	dm->dst = a->dst;
	dm->has_port = a->has_port;
	dm->port = a->dport;
	dm->written = 0;
	/* the ring, oldest first */
	for (uint32_t i = 0; i < ca->ring_n; i++) {
		uint32_t at = (ca->ring_next + RING_SLOTS - ca->ring_n + i) %
			      RING_SLOTS;
		if (belongs(dm, &ca->ring[at]))
			dump_write(dm, &ca->ring[at]);
	}
}

static void dump_end(struct cli_alerts *ca, const struct detect_alert *a)
{
	for (unsigned i = 0; i < MAX_DUMPS; i++) {
		struct adump *dm = &ca->dumps[i];
		if (!dm->used || dm->id != a->id)
			continue;
		if (capture_dumper_close(dm->dumper) < 0)
			fprintf(stderr, "synscope: warning: cannot write the "
				"pcap of alert %llu\n",
				(unsigned long long)a->id);
		memset(dm, 0, sizeof(*dm));
	}
}

static void on_alert(void *ctx, const struct detect_alert *a)
{
	struct cli_alerts *ca = ctx;
	char buf[ALERT_LINE_MAX];
	struct outbuf ob;

	if (a->event == DE_START)
		ca->raised++;
	if (ca->json && !ca->json_errno &&
	    (report_alert_write(ca->json, a) < 0 || fflush(ca->json) != 0))
		ca->json_errno = errno ? errno : EIO;
	if (a->event != DE_UPDATE && (ca->opt.human || ca->syslog_open)) {
		ob_init(&ob, buf, sizeof(buf) - 1);
		report_alert_text(&ob, a);
		buf[ob.len] = '\0';
		if (ca->opt.human)
			fprintf(stderr, "synscope: %s\n", buf);
#ifndef _WIN32
		if (ca->syslog_open)
			syslog(LOG_WARNING, "%s", buf);
#endif
	}
	if (ca->ring && a->event == DE_START)
		dump_start(ca, a);
	else if (ca->ring && a->event == DE_END)
		dump_end(ca, a);
}

int cli_alerts_attach(struct cli_alerts *ca, struct detect *d)
{
	return d ? detect_subscribe(d, on_alert, ca) : -1;
}

void cli_alerts_packet(struct cli_alerts *ca, const struct capture_packet *pkt,
		       const struct decoded_packet *dp)
{
	struct ring_pkt *r;

	if (!ca || !ca->ring)
		return;
	r = &ca->ring[ca->ring_next];
	ca->ring_next = (ca->ring_next + 1) % RING_SLOTS;
	if (ca->ring_n < RING_SLOTS)
		ca->ring_n++;
	r->ts_sec = pkt->ts_sec;
	r->ts_nsec = pkt->ts_nsec;
	r->len = pkt->len;
	r->caplen = pkt->caplen < RING_SNAP ? pkt->caplen : RING_SNAP;
	memcpy(r->bytes, pkt->bytes, r->caplen);
	r->tcp = dp != NULL;
	if (dp) {
		size_t n = dp->ip.version == 6 ? 16 : 4;
		r->version = dp->ip.version;
		memset(r->src, 0, sizeof(r->src));
		memset(r->dst, 0, sizeof(r->dst));
		memcpy(r->src, dp->ip.src, n);
		memcpy(r->dst, dp->ip.dst, n);
		r->sport = dp->tcp.sport;
		r->dport = dp->tcp.dport;
	}
	for (unsigned i = 0; i < MAX_DUMPS; i++)
		if (ca->dumps[i].used && belongs(&ca->dumps[i], r))
			dump_write(&ca->dumps[i], r);
}

uint64_t cli_alerts_raised(const struct cli_alerts *ca)
{
	return ca ? ca->raised : 0;
}

int cli_alerts_close(struct cli_alerts *ca)
{
	int rc = 0;

	if (!ca)
		return 0;
	for (unsigned i = 0; i < MAX_DUMPS; i++)
		if (ca->dumps[i].used)
			capture_dumper_close(ca->dumps[i].dumper);
	if (ca->json && fflush(ca->json) != 0 && !ca->json_errno)
		ca->json_errno = errno ? errno : EIO;
	if (ca->json && !ca->json_stdout && fclose(ca->json) != 0 &&
	    !ca->json_errno)
		ca->json_errno = errno ? errno : EIO;
	if (ca->json_errno && ca->json_errno != EPIPE) {
		fprintf(stderr, "synscope: cannot write alerts to %s: %s\n",
			ca->json_stdout ? "standard output"
					: ca->opt.json_path,
			strerror(ca->json_errno));
		rc = -1;
	}
#ifndef _WIN32
	if (ca->syslog_open)
		closelog();
#endif
	free(ca->ring);
	free(ca);
	return rc;
}
