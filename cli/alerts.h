/*
 * The alerts of a run (docs/alerts.md): the options that set detect/'s
 * thresholds, and where alert records go: JSON lines (--alerts), one
 * human line each on stderr, syslog (--syslog) and a pcap of the packets
 * around each alert (--alert-pcap).
 */
#ifndef SYNSCOPE_CLI_ALERTS_H
#define SYNSCOPE_CLI_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "decode.h"
#include "detect.h"

struct options;

/* getopt_long values of the alert options (options.c lists the names). */
enum {
	ALERT_OPT_BASE = 1024,
	ALERT_OPT_ALERTS = ALERT_OPT_BASE,
	ALERT_OPT_SYSLOG,
	ALERT_OPT_FAIL,
	ALERT_OPT_PCAP,
	ALERT_OPT_SYN_RATE,
	ALERT_OPT_HALF_OPEN,
	ALERT_OPT_COMPLETION,
	ALERT_OPT_CUSUM_H,
	ALERT_OPT_CUSUM_A,
	ALERT_OPT_CUSUM_PAIR,
	ALERT_OPT_SCAN_PORTS,
	ALERT_OPT_BACKSCATTER,
	ALERT_OPT_RETRY_RATIO,
	ALERT_OPT_SPOOF_SOURCES,
	ALERT_OPT_SINGLE_SHARE,
	ALERT_OPT_HOLD,
	ALERT_OPT_CLEAR,
	ALERT_OPT_UPDATE,
	ALERT_OPT_DETECTOR,
	ALERT_OPT_LAST = ALERT_OPT_DETECTOR,
};

/* Parses one alert option into o; -1 after printing why it is wrong. */
int cli_alert_option(int c, const char *arg, struct options *o);

/* True when an alert option asks for the detector's output. */
bool cli_alerts_wanted(const struct options *o);

struct cli_alerts;

struct cli_alerts_opts {
	const char *json_path;      /* --alerts: NULL, a file or "-" */
	bool human;                 /* a line on stderr per start and end */
	bool syslog;
	const char *pcap_dir;       /* --alert-pcap, or NULL */
	int linktype;
	int ts_digits;              /* 6 or 9 */
};

/* Opens the outputs; -1 with the reason in err. */
int cli_alerts_open(struct cli_alerts **out, const struct cli_alerts_opts *o,
		    char *err, size_t errlen);

/* Subscribes to the detector; 0 or -1. */
int cli_alerts_attach(struct cli_alerts *ca, struct detect *d);

/*
 * Every captured packet, before the analysis sees it: kept in the ring of
 * recent packets and written to the pcap of each open alert it belongs to.
 * `dp` is NULL unless the packet decoded to TCP.
 */
void cli_alerts_packet(struct cli_alerts *ca, const struct capture_packet *pkt,
		       const struct decoded_packet *dp);

/* Alerts raised so far. */
uint64_t cli_alerts_raised(const struct cli_alerts *ca);

/* Flushes and closes everything; -1 after printing a write failure. */
int cli_alerts_close(struct cli_alerts *ca);

#endif
