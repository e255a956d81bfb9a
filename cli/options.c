#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"

#ifndef SYNSCOPE_VERSION
#define SYNSCOPE_VERSION "unknown"
#endif

static const char usage_text[] =
	"Usage: synscope [-r FILE | -i IFACE] [options] [filter expression]\n"
	"\n"
	"Decode and analyse the TCP traffic of a capture file or a live\n"
	"interface. The filter is a BPF expression, as for tcpdump.\n"
	"\n"
	"Input:\n"
	"  -r FILE            read a pcap or pcapng file ('-' for stdin)\n"
	"  -i IFACE           capture live on IFACE ('any' for all)\n"
	"  -D                 list the interfaces that can be captured on\n"
	"  -c COUNT           stop after COUNT packets\n"
	"  -s SNAPLEN         bytes kept of each live packet (default "
	"262144)\n"
	"  -B KIB             kernel capture buffer size, in KiB\n"
	"  -p                 do not put the interface in promiscuous mode\n"
	"  -Z USER            once the capture is open, run as USER; a live\n"
	"                     capture started as root becomes 'nobody' by\n"
	"                     default (see synscope(1), PRIVILEGES)\n"
	"\n"
	"Output:\n"
	"  --packets[=FORMAT] one line per TCP segment; FORMAT is text\n"
	"                     (default, like tcpdump -n -S) or json\n"
	"                     (JSON lines, see docs/packets-json.md)\n"
	"  --conns[=FORMAT]   one record per TCP connection when it ends;\n"
	"                     FORMAT is json (default), csv or zeek (a Zeek\n"
	"                     conn.log), see docs/conns.md\n"
	"  -w FILE            also write the packets read to a pcap file\n"
	"  -l                 flush standard output after every line\n"
	"  -#, --number       start each text line with its frame number\n"
	"\n"
	"Analysis:\n"
	"  --max-flows N      connections held at once (default 262144);\n"
	"                     a quarter of them for handshakes in progress\n"
	"  --memcap SIZE      bound the memory of the tables (flows, flood\n"
	"                     detector) to SIZE bytes (K, M, G suffixes);\n"
	"                     sets --max-flows to what fits\n"
	"  --threads 1|2      2 (the default for a file, with two CPUs or\n"
	"                     more) tracks connections and detects floods\n"
	"                     on a thread of its own; 1 runs everything on\n"
	"                     one thread; the output is the same\n"
	"  --seed N           fixed hash seed and uid salt, for output that\n"
	"                     is the same on every run\n"
	"\n"
	"Dashboard (see docs/tui.md):\n"
	"  --tui              the live dashboard; -i on a terminal opens it\n"
	"                     by default, with -r it replays the file\n"
	"  --no-tui           print lines instead, even on a terminal\n"
	"  --speed N|max      replay at N times the recorded pace (default\n"
	"                     1), or as fast as possible\n"
	"  --tui-snapshot FILE  replay the whole input, write every view\n"
	"                     of the dashboard to FILE as text, and exit\n"
	"\n"
	"Alerts (SYN floods, scans, backscatter; see docs/alerts.md):\n"
	"  --alerts FILE      write alert records as JSON lines ('-' for\n"
	"                     standard output); a line per alert start and\n"
	"                     end goes to stderr in any case\n"
	"  --syslog           also send alert starts and ends to syslog\n"
	"  --fail-on-alert    exit with status 3 when an alert was raised\n"
	"  --alert-pcap DIR   write the packets around each alert to\n"
	"                     DIR/alert-ID-VERDICT.pcap\n"
	"  --syn-rate N       SYN/s on one target to consider a flood (100)\n"
	"  --half-open N      half-open connections on one target (128)\n"
	"  --completion R     completed/SYNs below R is suspicious (0.5)\n"
	"  --cusum-h H, --cusum-a A  CUSUM threshold and drift (5, 0.5)\n"
	"  --cusum-pair ack|synack  what answers a SYN for the CUSUM (ack)\n"
	"  --detector threshold|cusum|both  flood detectors that may raise\n"
	"                     (both)\n"
	"  --scan-ports N     distinct ports from one source = scan (100)\n"
	"  --backscatter-rate N  unsolicited SYN-ACK/RST per s (10)\n"
	"  --retry-ratio R    resent/new SYNs that mean real clients (0.3)\n"
	"  --spoof-sources N  sources for a spoofed flood (16)\n"
	"  --single-share R   one source's share for single-source (0.5)\n"
	"  --alert-hold S, --alert-clear S, --alert-update S  an alert\n"
	"                     lasts S, ends after S calm, updates every S\n"
	"                     (2, 2, 5 seconds)\n"
	"\n"
	"  -n                 accepted for tcpdump habits; names are never\n"
	"                     resolved\n"
	"  -h, --help         show this help\n"
	"  -V, --version      show the version\n"
	"\n"
	"Without --packets or --conns a file is summarised and a live\n"
	"capture prints one line per segment. Exit status: 0 on success, 1 on a runtime\n"
	"error (unreadable or truncated input, capture failure), 2 on a\n"
	"usage error, 3 with --fail-on-alert when an alert was raised.\n";

#define HINT " (see synscope --help)"

/* Long-only options, past every character a short option could use. */
enum {
	OPT_PACKETS = 256,
	OPT_CONNS,
	OPT_MAX_FLOWS,
	OPT_MEMCAP,
	OPT_SEED,
	OPT_THREADS,
	OPT_TUI,
	OPT_NO_TUI,
	OPT_SPEED,
	OPT_TUI_SNAPSHOT,
};

static void bad_option(int c, const char *arg)
{
	if (c == ':')
		fprintf(stderr, "synscope: option %s needs a value" HINT "\n",
			arg);
	else if (optopt)
		fprintf(stderr, "synscope: unknown option -%c" HINT "\n",
			optopt);
	else
		fprintf(stderr, "synscope: unknown option %s" HINT "\n", arg);
}

static int parse_count(const char *s, const char *what, uint64_t min,
		       uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	uintmax_t v = strtoumax(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min ||
	    v > max) {
		fprintf(stderr, "synscope: invalid %s: '%s'" HINT "\n", what,
			s);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

/* Joins the trailing arguments into one BPF expression, as tcpdump does. */
static char *join_args(int argc, char **argv)
{
	size_t len = 0;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (!len)
		return NULL;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int parse_packets(const char *arg, struct options *o)
{
	o->packets_set = true;
	if (!arg || strcmp(arg, "text") == 0) {
		o->packets = PACKETS_TEXT;
	} else if (strcmp(arg, "json") == 0) {
		o->packets = PACKETS_JSON;
	} else {
		fprintf(stderr,
			"synscope: unknown --packets format '%s' "
			"(text or json)" HINT "\n", arg);
		return -1;
	}
	return 0;
}

static int parse_conns(const char *arg, struct options *o)
{
	static const struct {
		const char *name;
		enum conns_mode mode;
	} formats[] = {
		{ "json", CONNS_JSON }, { "csv", CONNS_CSV },
		{ "zeek", CONNS_ZEEK },
	};

	if (!arg) {
		o->conns = CONNS_JSON;
		return 0;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(arg, formats[i].name) == 0) {
			o->conns = formats[i].mode;
			return 0;
		}
	}
	fprintf(stderr, "synscope: unknown --conns format '%s' "
		"(json, csv or zeek)" HINT "\n", arg);
	return -1;
}

/* --speed N (a multiplier of the recorded pace) or --speed max */
static int parse_speed(const char *arg, struct options *o)
{
	char *end;
	double v;

	if (strcmp(arg, "max") == 0) {
		o->speed = 0;
		return 0;
	}
	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v > 0) || v > 1e6) {
		fprintf(stderr, "synscope: invalid --speed: '%s' (a number "
			"above 0, or max)" HINT "\n", arg);
		return -1;
	}
	o->speed = v;
	return 0;
}

/* --memcap SIZE: bytes, with an optional K, M or G (powers of 1024). */
static int parse_memcap(const char *arg, struct options *o)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end != arg && *end && !end[1]) {
		switch (*end) {
		case 'k': case 'K': shift = 10; end++; break;
		case 'm': case 'M': shift = 20; end++; break;
		case 'g': case 'G': shift = 30; end++; break;
		default: break;
		}
	}
	if (end == arg || *end || errno || arg[0] == '-' ||
	    v > (UINT64_MAX >> 30)) {
		fprintf(stderr, "synscope: --memcap: '%s' is not a size "
			"(bytes, or a number with K, M or G)" HINT "\n", arg);
		return -1;
	}
	o->memcap = (uint64_t)v << shift;
	return 0;
}

static int parse_one(int c, const char *arg, struct options *o)
{
	uint64_t v;

	switch (c) {
	case 'r': o->read_file = arg; return 0;
	case 'i': o->iface = arg; return 0;
	case 'w': o->write_file = arg; return 0;
	case 'Z':
		if (!*arg) {
			fputs("synscope: -Z needs a user name" HINT "\n",
			      stderr);
			return -1;
		}
		o->drop_user = arg;
		return 0;
	case 'c':
		if (parse_count(arg, "packet count", 1, UINT64_MAX, &v))
			return -1;
		o->count = v;
		return 0;
	case 's':
		if (parse_count(arg, "snaplen", 0, 262144, &v))
			return -1;
		o->snaplen = (int)v;
		return 0;
	case 'B':
		if (parse_count(arg, "buffer size", 1, 2097152, &v))
			return -1;
		o->buffer_kib = (int)v;
		return 0;
	case 'p': o->promisc = false; return 0;
	case 'l': o->line_buffered = true; return 0;
	case 'D': o->list_ifaces = true; return 0;
	case 'n': return 0;
	case '#': o->number = true; return 0;
	case OPT_TUI: o->tui = true; return 0;
	case OPT_NO_TUI: o->no_tui = true; return 0;
	case OPT_SPEED: return parse_speed(arg, o);
	case OPT_TUI_SNAPSHOT: o->tui_snapshot = arg; return 0;
	case OPT_PACKETS: return parse_packets(arg, o);
	case OPT_CONNS: return parse_conns(arg, o);
	case OPT_MAX_FLOWS:
		if (parse_count(arg, "--max-flows", 16, UINT32_MAX, &v))
			return -1;
		o->max_flows = (uint32_t)v;
		return 0;
	case OPT_MEMCAP: return parse_memcap(arg, o);
	case OPT_SEED:
		if (parse_count(arg, "--seed", 0, UINT64_MAX, &v))
			return -1;
		o->seed = v;
		o->seed_set = true;
		return 0;
	case OPT_THREADS:
		if (parse_count(arg, "--threads", 1, 2, &v))
			return -1;
		o->threads = (int)v;
		return 0;
	default:
		if (c >= ALERT_OPT_BASE && c <= ALERT_OPT_LAST)
			return cli_alert_option(c, arg, o);
		return -1;
	}
}

enum options_result options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "packets", optional_argument, NULL, OPT_PACKETS },
		{ "number", no_argument, NULL, '#' },
		{ "conns", optional_argument, NULL, OPT_CONNS },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "memcap", required_argument, NULL, OPT_MEMCAP },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "tui", no_argument, NULL, OPT_TUI },
		{ "no-tui", no_argument, NULL, OPT_NO_TUI },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "tui-snapshot", required_argument, NULL, OPT_TUI_SNAPSHOT },
		{ "alerts", required_argument, NULL, ALERT_OPT_ALERTS },
		{ "syslog", no_argument, NULL, ALERT_OPT_SYSLOG },
		{ "fail-on-alert", no_argument, NULL, ALERT_OPT_FAIL },
		{ "alert-pcap", required_argument, NULL, ALERT_OPT_PCAP },
		{ "syn-rate", required_argument, NULL, ALERT_OPT_SYN_RATE },
		{ "half-open", required_argument, NULL, ALERT_OPT_HALF_OPEN },
		{ "completion", required_argument, NULL, ALERT_OPT_COMPLETION },
		{ "cusum-h", required_argument, NULL, ALERT_OPT_CUSUM_H },
		{ "cusum-a", required_argument, NULL, ALERT_OPT_CUSUM_A },
		{ "cusum-pair", required_argument, NULL, ALERT_OPT_CUSUM_PAIR },
		{ "scan-ports", required_argument, NULL, ALERT_OPT_SCAN_PORTS },
		{ "backscatter-rate", required_argument, NULL,
		  ALERT_OPT_BACKSCATTER },
		{ "retry-ratio", required_argument, NULL, ALERT_OPT_RETRY_RATIO },
		{ "spoof-sources", required_argument, NULL,
		  ALERT_OPT_SPOOF_SOURCES },
		{ "single-share", required_argument, NULL,
		  ALERT_OPT_SINGLE_SHARE },
		{ "alert-hold", required_argument, NULL, ALERT_OPT_HOLD },
		{ "alert-clear", required_argument, NULL, ALERT_OPT_CLEAR },
		{ "alert-update", required_argument, NULL, ALERT_OPT_UPDATE },
		{ "detector", required_argument, NULL, ALERT_OPT_DETECTOR },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	detect_config_default(&o->detect);
	o->promisc = true;
	o->speed = 1;
	opterr = 0; /* errors are worded below, on one line */
	/* '+': stop at the first non-option, which starts the filter;
	 * ':': report a missing argument apart from an unknown option */
	while ((c = getopt_long(argc, argv, "+:r:i:w:c:s:B:Z:plDn#hV", longopts,
				NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return OPTIONS_EXIT_OK;
		}
		if (c == 'V') {
			printf("synscope %s\n", SYNSCOPE_VERSION);
			return OPTIONS_EXIT_OK;
		}
		if (c == '?' || c == ':') {
			bad_option(c, argv[optind - 1]);
			return OPTIONS_USAGE_ERROR;
		}
		if (parse_one(c, optarg, o) < 0)
			return OPTIONS_USAGE_ERROR;
	}
	if (o->tui && o->no_tui) {
		fputs("synscope: --tui and --no-tui cannot be used together"
		      HINT "\n", stderr);
		return OPTIONS_USAGE_ERROR;
	}
	if (o->read_file && o->iface) {
		fputs("synscope: -r and -i cannot be used together" HINT "\n",
		      stderr);
		return OPTIONS_USAGE_ERROR;
	}
	if (optind < argc) {
		o->filter = join_args(argc - optind, argv + optind);
		if (!o->filter) {
			fputs("synscope: out of memory\n", stderr);
			return OPTIONS_USAGE_ERROR;
		}
	}
	return OPTIONS_RUN;
}

void options_free(struct options *o)
{
	free(o->filter);
	o->filter = NULL;
}
