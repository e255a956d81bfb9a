/*
 * The offline summary (`synscope -r FILE`): the capture totals followed by
 * what the connections did: handshake outcomes, teardowns, handshake RTT
 * percentiles, option use, Wireshark analysis flags, the servers seen on
 * the wire, and the connections with the most trouble. docs/conns.md
 * describes each section.
 *
 * Threat model: every record derives from attacker-controlled packets, and
 * a scan or spoofed flood can produce millions of records and servers. The
 * accumulator's memory is fixed at creation (RTT histograms of constant
 * size, a server table with a cap whose overflow is counted and reported,
 * a top-N list of problem connections) and each record costs bounded
 * work. Output is deterministic: ties are broken by stable keys.
 */
#ifndef SYNSCOPE_SUMMARY_H
#define SYNSCOPE_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "detect.h"
#include "flow.h"
#include "report.h"

struct summary_config {
	uint32_t max_servers;   /* servers tracked; later ones only counted */
	unsigned top_servers;   /* rows in the servers table */
	unsigned top_problems;  /* rows in the problem connections list */
	uint64_t uid_salt;      /* as given to --conns, so uids match */
	uint64_t seed;          /* server table hash seed; no effect on output */
};

/* 4096 servers, top 20 servers, top 10 problem connections. */
void summary_config_default(struct summary_config *c);

struct summary;

/* NULL on allocation failure. `c` NULL means the defaults. */
struct summary *summary_create(const struct summary_config *c);
void summary_destroy(struct summary *s);

/* Adds one final record (flow's FLOW_EV_CLOSED). */
void summary_add_conn(struct summary *s, const struct conn_record *c);

/* What the rest of the program knows about the run. */
struct summary_context {
	const struct run_totals *totals;        /* required */
	const struct flow_table_stats *flows;   /* NULL: no flow table ran */
	const char *source;                     /* file name or interface */
	const char *linktype_name;
	int ts_digits;                          /* 6 or 9 */
	bool live;                              /* the counts below are known */
	uint64_t received, dropped_kernel, dropped_iface; /* pcap_stats */
	/* detect/'s alerts: final records in the order raised; the section
	 * is left out when none was raised */
	const struct detect_alert *alerts;
	size_t nalerts;
	uint64_t alerts_raised;
	const struct detect_stats *detect;      /* NULL: not shown */
};

void summary_print(FILE *out, const struct summary *s,
		   const struct summary_context *ctx);

enum summary_rtt {
	SUMMARY_RTT_IRTT = 0,       /* SYN to the ACK of the SYN-ACK */
	SUMMARY_RTT_SYN_SYNACK,     /* SYN to SYN-ACK */
	SUMMARY_RTT_SYNACK_ACK,     /* SYN-ACK to ACK */
	SUMMARY_RTT__COUNT
};

/*
 * Estimated quantile q (0..1) of one handshake RTT over all connections,
 * in ns, from a log-scale histogram whose buckets are under 0.8% wide
 * (exact below 128 ns, capped near 1100 s). The estimate is kept within
 * the exact minimum and maximum; q <= 0 gives the minimum, q >= 1 the
 * maximum. -1 when no connection had that RTT.
 */
int64_t summary_rtt_quantile_ns(const struct summary *s,
				enum summary_rtt which, double q);

#endif
