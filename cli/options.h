/* Command-line options of synscope, tcpdump-compatible where tcpdump has
 * the flag. */
#ifndef SYNSCOPE_OPTIONS_H
#define SYNSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "detect.h"

enum packets_mode {
	PACKETS_OFF,
	PACKETS_TEXT,
	PACKETS_JSON,
};

enum conns_mode {
	CONNS_OFF,
	CONNS_JSON,
	CONNS_CSV,
	CONNS_ZEEK,
};

struct options {
	const char *read_file;     /* -r */
	const char *iface;         /* -i */
	const char *write_file;    /* -w */
	char *filter;              /* trailing arguments, joined; owned */
	uint64_t count;            /* -c, 0 = no limit */
	int snaplen;               /* -s, 0 = default */
	int buffer_kib;            /* -B */
	bool promisc;              /* off with -p */
	bool line_buffered;        /* -l */
	bool list_ifaces;          /* -D */
	bool number;               /* -#: frame numbers on text lines */
	bool packets_set;          /* --packets given */
	enum packets_mode packets;
	enum conns_mode conns;     /* --conns */
	uint32_t max_flows;        /* --max-flows, 0 = default */
	uint64_t memcap;           /* --memcap bytes, 0 = no cap */
	const char *drop_user;     /* -Z: the user a root run becomes */
	int threads;               /* --threads, 0 = as the input suits */
	bool seed_set;             /* --seed: reproducible hashing and uids */
	uint64_t seed;
	bool tui;                  /* --tui: the dashboard, also for -r */
	bool no_tui;               /* --no-tui: never the dashboard */
	double speed;              /* --speed: replay pace, 0 = max */
	const char *tui_snapshot;  /* --tui-snapshot FILE */
	/* SYN-flood alerts (cli/alerts.c, docs/alerts.md) */
	const char *alerts_file;   /* --alerts FILE, "-" = stdout */
	bool syslog;               /* --syslog */
	bool fail_on_alert;        /* --fail-on-alert: exit 3 */
	const char *alert_pcap_dir; /* --alert-pcap DIR */
	struct detect_config detect; /* --syn-rate, --half-open, ... */
};

enum options_result {
	OPTIONS_RUN = 0,
	OPTIONS_EXIT_OK,           /* --help or --version was answered */
	OPTIONS_USAGE_ERROR,       /* the reason went to stderr */
};

enum options_result options_parse(int argc, char **argv, struct options *o);
void options_free(struct options *o);

#endif
