/*
 * report: renders what the pipeline found. For now: one line per TCP
 * segment (tcpdump-like text or JSON lines) and the totals of a run.
 * Functions here format into the stream they are given and never decide
 * where output goes.
 */
#ifndef SYNSCOPE_REPORT_H
#define SYNSCOPE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode.h"

enum report_packet_format {
	REPORT_PACKETS_TEXT,
	REPORT_PACKETS_JSON,
};

/* Where a frame stood in its capture. */
struct frame_meta {
	uint64_t frame;          /* 1-based, every frame counts (as tshark) */
	int64_t ts_sec;
	uint32_t ts_nsec;
	int ts_digits;           /* 6 or 9 */
	int32_t utc_offset;      /* seconds east of UTC for text times */
	bool show_frame;         /* text: lead with the frame number (-#) */
};

/*
 * The frame's packet time in ns, the clock of flow/ and detect/. A corrupt
 * record or a pcapng timestamp (64 bits, any unit) can name a second whose
 * ns overflow int64_t; it is held to +-2^62 ns (years 1824..2116), which
 * leaves flow/ and detect/ room to add timeouts without overflowing (a
 * libFuzzer finding).
 */
int64_t frame_time_ns(const struct frame_meta *m);

/* "2026-11-21 08:47:00" (UTC) of a second since the epoch into buf (at
 * least REPORT_DATE_MAX bytes); false when the date cannot be told. */
#define REPORT_DATE_MAX 32
bool report_utc_date(int64_t sec, char *buf, size_t cap);

/*
 * Writes the line for one decoded frame: TCP segments, frames whose TCP
 * header could not be decoded (with the reason) and, in text, TCP fragments.
 * Returns 1 when a line was written, 0 when the frame is not shown, -1 when
 * the stream failed (errno says why).
 */
int report_packet(FILE *out, enum report_packet_format fmt,
		  const struct frame_meta *m, enum decode_status st,
		  const struct decoded_packet *p);

/* Counters of one run, for the closing summary. */
struct run_totals {
	uint64_t frames;
	uint64_t wire_bytes;
	uint64_t status[DECODE_UNSUPPORTED_LINK + 1];
	uint64_t ip4, ip6;
	uint64_t anomalies[ANOM__COUNT];
	uint64_t checksum_bad_tcp, checksum_bad_ip;
	uint64_t flags_syn, flags_synack, flags_fin, flags_rst;
	int64_t first_sec, last_sec;
	uint32_t first_nsec, last_nsec;
};

void run_totals_add(struct run_totals *t, const struct frame_meta *m,
		    uint32_t wirelen, enum decode_status st,
		    const struct decoded_packet *p);

/* The person-readable summary of a run. `source` names the input. */
void run_totals_print(FILE *out, const struct run_totals *t,
		      const char *source, const char *linktype_name,
		      int ts_digits);

#endif
