/*
 * The analysis stage of a run: the flow table, and what listens to it
 * (the per-connection records of --conns and the closing summary).
 */
#ifndef SYNSCOPE_ANALYZE_H
#define SYNSCOPE_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conn.h"
#include "decode.h"
#include "detect.h"
#include "summary.h"

struct analyze_opts {
	bool summary;               /* keep what the summary needs */
	bool conns;                 /* write a record per connection */
	enum conn_format conn_format;
	uint32_t max_flows;         /* 0: the flow table's default */
	uint64_t memcap;            /* bytes for every table; 0: no cap */
	bool fixed_seed;            /* reproducible hashing and uids */
	uint64_t seed;
	FILE *out;                  /* where records go */
	/* the SYN-flood detector's thresholds; NULL runs none */
	const struct detect_config *detect;
	/*
	 * Connection tracking, detection and what listens to them (records,
	 * summary, alert callbacks) on a thread of their own, fed in order:
	 * the same output, sooner. The caller then must not look at what
	 * they write (its alert callbacks included) before analyze_sync()
	 * or analyze_finish(), and gets no flow_table_last_packet().
	 */
	bool threaded;
};

struct analyze;

/* NULL when memory for the tables cannot be had (the reason in err). */
struct analyze *analyze_create(const struct analyze_opts *o, char *err,
			       size_t errlen);
void analyze_destroy(struct analyze *a);

/* One TCP segment. Returns -1 when writing a record failed (errno). */
int analyze_segment(struct analyze *a, const struct decoded_packet *p,
		    int64_t ts_ns);

/* Threaded: waits until every segment given has been analysed. */
void analyze_sync(const struct analyze *a);

/* Moves packet time on without a packet (a quiet live capture), so
 * alerts still end. */
void analyze_tick(struct analyze *a, int64_t now_ns);

/*
 * Ends the input: emits every connection still open, ends every alert,
 * closes the record stream and, when asked for, prints the summary (with
 * the alerts raised) to `summary_out` with the context's capture
 * figures. Returns -1 on a write failure (errno).
 */
int analyze_finish(struct analyze *a, FILE *summary_out,
		   struct summary_context *ctx);

struct flow_table;
struct detect;

/* The flow table and the SYN-flood detector (NULL when none runs) that
 * analyze_segment() feeds, for the dashboard to read and subscribe to. */
struct flow_table *analyze_flows(const struct analyze *a);
struct detect *analyze_detect(const struct analyze *a);

#endif
