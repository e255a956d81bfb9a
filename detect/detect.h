/*
 * detect: SYN-flood heuristics on packet time. Every TCP segment goes in
 * (detect_packet, before the flow table sees it, so SYNs the table refuses
 * still count) and every connection event of flow/ (detect_flow_event,
 * subscribed to the table); alerts come out through subscribers.
 *
 * Two detectors run side by side on each target: thresholds with
 * hysteresis (raise, hold, clear) and a non-parametric CUSUM on the
 * difference between SYNs and their responses, normalised by the running
 * average of the responses (Wang, Zhang and Shin, INFOCOM 2002). The
 * response is the SYN-ACK or, by default, the ACK that completes the
 * handshake (cusum_pair): a server answering with SYN cookies keeps its
 * SYN-ACKs in step with a flood, but spoofed sources never complete.
 * Memory is fixed at creation: per-target tables have caps and eviction
 * counters, source sketches are fixed-size. docs/alerts.md has the rules.
 */
#ifndef SYNSCOPE_DETECT_H
#define SYNSCOPE_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

/* Thresholds and sizes; detect_config_default() gives the reason for each
 * default value. */
struct detect_config {
	uint32_t max_targets;       /* server ip:port entries */
	uint32_t max_hosts;         /* server ip entries */
	uint32_t max_sources;       /* source-to-host entries (scans) */
	int64_t interval_ns;        /* rate bucket and CUSUM step */
	double syn_rate;            /* SYN/s on one target to consider a flood */
	double half_open;           /* half-open endpoints to consider a flood */
	double completion;          /* completed/SYNs below this is suspicious */
	double cusum_h;             /* CUSUM alarm threshold */
	double cusum_a;             /* CUSUM drift (upper bound of normal) */
	uint32_t scan_ports;        /* distinct ports from one source = scan */
	double backscatter_rate;    /* unsolicited SYN-ACK/RST per s */
	int64_t hold_ns;            /* an alert lasts at least this long */
	int64_t clear_ns;           /* calm for this long ends it */
	int64_t update_ns;          /* at most one update per alert per this */
	/* added after the first version of this header */
	int64_t raise_ns;           /* a condition must hold this long */
	double retry_ratio;         /* resent / new SYNs: real clients retrying */
	uint32_t spoof_sources;     /* distinct sources for "spoofed" ... */
	double spoof_per_source;    /* ... each sending at most this many SYNs */
	double single_share;        /* top source's share for "single source" */
	int64_t scan_window_ns;     /* distinct ports are counted over this */
	enum detect_cusum_pair {
		DETECT_PAIR_ACK = 0,    /* SYN - completed handshakes */
		DETECT_PAIR_SYNACK,     /* SYN - SYN-ACK (SYN-dog's pairing) */
	} cusum_pair;
	uint32_t max_half_open;     /* connections tracked in SYN-RECEIVED */
	uint32_t max_alerts;        /* alerts open at once */
	uint64_t seed;              /* hash key */
	bool fixed_seed;            /* use `seed` (tests); else drawn */
	/* flood detectors that may raise (DETECT_BY_*, below); 0 counts as
	 * both, so a config zeroed by an older caller keeps both. Scans,
	 * backscatter and SYN cookies are not flood detectors: they run
	 * whatever this says */
	unsigned detectors;
};

void detect_config_default(struct detect_config *c);

enum detect_verdict {
	DV_SYN_FLOOD = 0,
	DV_SPOOFED_SYN_FLOOD,
	DV_SINGLE_SOURCE_FLOOD,
	DV_SYN_SCAN,
	DV_BACKSCATTER,
	DV_SYN_COOKIES,
	DV__COUNT
};

/* "syn_flood", "spoofed_syn_flood", "single_source_flood", "syn_scan",
 * "backscatter", "syn_cookies" */
const char *detect_verdict_name(enum detect_verdict v);

enum detect_event { DE_START = 0, DE_UPDATE, DE_END };

const char *detect_event_name(enum detect_event e); /* "start", ... */

/* Which detector fired (a bit set). */
#define DETECT_BY_THRESHOLD 0x1u
#define DETECT_BY_CUSUM 0x2u

/* Thresholds crossed (a bit set), named in the alert record. */
#define DETECT_T_SYN_RATE 0x01u
#define DETECT_T_HALF_OPEN 0x02u
#define DETECT_T_COMPLETION 0x04u
#define DETECT_T_CUSUM 0x08u
#define DETECT_T_SCAN_PORTS 0x10u
#define DETECT_T_BACKSCATTER 0x20u
#define DETECT_T_COOKIES 0x40u
#define DETECT_T_REFUSED 0x80u      /* RSTs answer most SYNs (closed port) */
#define DETECT_T_UNANSWERED 0x100u  /* most SYNs get no answer at all */
#define DETECT_T__COUNT 9

/* "syn_rate", "half_open", "completion", "cusum", "scan_ports",
 * "backscatter", "cookies", "refused", "unanswered" for bit 0..8 */
const char *detect_threshold_name(unsigned bit);
/* "threshold", "cusum" for bit 0, 1 */
const char *detect_detector_name(unsigned bit);

#define DETECT_TOP_SOURCES 5

struct detect_addr {
	uint8_t version;            /* 4 or 6 */
	uint8_t addr[16];           /* IPv4 in the first 4 bytes */
};

struct detect_source {
	struct detect_addr addr;
	uint64_t count;             /* SYNs (or replies, for backscatter); a
				     * lower bound: the sketch's sure count */
};

struct detect_alert {
	uint64_t id;                /* 1-based, per run */
	enum detect_event event;
	enum detect_verdict verdict;
	int64_t ts_ns;              /* packet time of this record */
	int64_t start_ns;
	int64_t end_ns;             /* DE_END only, else -1 */
	struct detect_addr dst;     /* the target (the victim for backscatter,
				     * the scanner's target for scans) */
	bool has_port;              /* false: the whole host */
	uint16_t dport;
	double syn_rate;            /* smoothed SYN/s now (END: peak) */
	double synack_rate;
	uint32_t half_open;         /* now */
	uint32_t peak_half_open;
	double completion;          /* completed / SYNs over the alert, 0..1 */
	uint64_t syns, synacks, completed, rsts, synack_retrans;
	uint64_t sources;           /* distinct sources, estimated */
	unsigned ntop;
	struct detect_source top[DETECT_TOP_SOURCES];
	unsigned detectors;         /* DETECT_BY_* */
	unsigned thresholds;        /* DETECT_T_* */
	double confidence;          /* 0..1 */
	/* added after the first version of this header */
	uint32_t ports;             /* distinct ports (scans, host floods) */
	bool closed_port;           /* RSTs answer the SYNs: nothing listens */
	double reply_rate;          /* unsolicited SYN-ACK + RST/s (backscatter;
				     * END: peak) */
	uint64_t syn_retrans;       /* SYNs resent by their senders */
};

typedef void (*detect_alert_fn)(void *ctx, const struct detect_alert *a);

struct detect;

/* NULL on allocation failure; all memory is taken here. */
struct detect *detect_create(const struct detect_config *c);
void detect_destroy(struct detect *d);

/* Bytes detect_create(c) takes: all the detector will ever hold. */
size_t detect_footprint(const struct detect_config *c);

/* Subscribers run synchronously, inside detect_flow_segment(),
 * detect_packet(), detect_flow_event(), detect_tick() or detect_finish():
 * they may read (detect_stats, detect_alerts) but must not feed the
 * detector. */
#define DETECT_MAX_SUBSCRIBERS 8
int detect_subscribe(struct detect *d, detect_alert_fn fn, void *ctx);

/*
 * Makes d the flow table's observer and one of its subscribers, so that
 * it sees each segment just before the table applies it, then the events
 * the segment causes, in one order on the table's thread, threaded or
 * not: a reply seen is matched with the event it causes next. Returns 0,
 * or -1 when the table has an observer already or no room for one more
 * subscriber.
 */
int detect_attach(struct detect *d, struct flow_table *t);

/*
 * What detect_attach() wires up: every TCP segment at packet time (a
 * flow_segment_fn; the detector counts those with SYN or RST and keeps
 * time by the others), and the table's events (a flow_event_fn).
 */
void detect_flow_segment(void *d, const struct flow_segment *s);

/* The same for a decoded TCP segment (status DECODE_TCP), for a caller
 * that feeds the table itself, just after this. */
void detect_packet(struct detect *d, const struct decoded_packet *p,
		   int64_t ts_ns);

void detect_flow_event(void *d, const struct flow_event *ev);

/* Moves packet time on without a packet (a quiet live capture). */
void detect_tick(struct detect *d, int64_t now_ns);

/* Ends the input: every open alert ends (DE_END) at now_ns. */
void detect_finish(struct detect *d, int64_t now_ns);

struct detect_stats {
	uint64_t alerts;            /* raised (started) */
	uint64_t active;
	uint64_t targets, targets_evicted;
	uint64_t hosts, hosts_evicted;
	uint64_t sources, sources_evicted;
	/* added after the first version of this header */
	uint64_t alerts_dropped;    /* not raised: max_alerts open already */
	uint64_t half_open;         /* connections tracked in SYN-RECEIVED */
	uint64_t half_open_untracked; /* not tracked: max_half_open reached */
};

void detect_stats(const struct detect *d, struct detect_stats *s);

/* Copies up to max alerts, the active ones first, then the most recently
 * ended (kept in a fixed ring); returns how many. For the dashboard. */
size_t detect_alerts(const struct detect *d, struct detect_alert *out,
		     size_t max);

#endif
