/*
 * Test support for detect/: segments written as small structs, built
 * straight into struct decoded_packet (no frame bytes: detect/ and flow/
 * read only the parsed view), fed to a real flow table whose observer is
 * detect_flow_segment() and whose events go to detect_flow_event(), as
 * cli/analyze.c wires them. Every alert record is kept for the test to read.
 *
 * Scenarios are written as a queue of segments in any order; dtq_run()
 * sorts them by time and feeds them. Addresses are IPv4 as host-order
 * integers (DT_IP(10, 0, 0, 1)); times are microseconds.
 */
#ifndef SYNSCOPE_TESTS_DTEST_H
#define SYNSCOPE_TESTS_DTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "detect.h"
#include "flow.h"

#define DT_IP(a, b, c, d)                                               \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	 (uint32_t)(d))

enum dt_kind { K_SYN, K_SYNACK, K_ACK, K_RST, K_RSTACK };

/* Options a segment may carry. */
enum {
	DT_MSS = 1 << 0,
	DT_WS = 1 << 1,         /* window scale `ws` */
	DT_SACK = 1 << 2,
	DT_TS = 1 << 3,         /* timestamps, TSval `tsval` */
	DT_ECE = 1 << 4,        /* the ECE flag (a SYN-ACK accepting ECN) */
};

struct dt_pkt {
	int64_t t_us;
	enum dt_kind kind;
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t opt;
	uint8_t ws;
	uint32_t tsval;
};

void dt_build(const struct dt_pkt *s, struct decoded_packet *p);

#define DT_ALERTS_MAX 2048

struct dtworld {
	struct flow_table *ft;
	struct detect *d;
	struct detect_config cfg;
	unsigned n;
	struct detect_alert a[DT_ALERTS_MAX];
	uint64_t records;       /* also beyond DT_ALERTS_MAX */
	bool v6;                /* feed 2001:db8::<ip> instead */
};

/* A detector with `c` (NULL: the defaults, fixed seed) behind a flow
 * table of 16384 flows. */
void dtw_init(struct dtworld *w, const struct detect_config *c);
void dtw_free(struct dtworld *w);
void dtw_feed(struct dtworld *w, const struct dt_pkt *s);
void dtw_finish(struct dtworld *w, int64_t t_us);

/* Records of this event and verdict (-1: any). */
unsigned dtw_count(const struct dtworld *w, int event, int verdict);
const struct detect_alert *dtw_first(const struct dtworld *w, int event,
				     int verdict);
/* Records of any flood verdict (syn_flood, spoofed, single source). */
unsigned dtw_floods(const struct dtworld *w);
/* "10.0.0.1" */
uint32_t dtw_addr(const struct detect_addr *a);

struct dtq {
	struct dt_pkt *v;
	size_t n, cap;
};

void dtq_push(struct dtq *q, const struct dt_pkt *p);
/* Sorts by time (stable) and feeds everything; frees the queue. */
void dtq_run(struct dtq *q, struct dtworld *w);

uint32_t dt_rand(void);
void dt_srand(uint64_t seed);

/* Connection shapes; isn values are drawn. */
void dt_conn_complete(struct dtq *q, int64_t t, uint32_t c, uint16_t cport,
		      uint32_t s, uint16_t sport, int64_t rtt_us);
/* SYN answered by a SYN-ACK, never completed; SYN-ACK resent at +1 s and
 * +3 s unless `cookies` (then its TSval carries the cookie encoding when
 * the SYN had timestamps). `synopt` are the SYN's options. */
void dt_conn_half_open(struct dtq *q, int64_t t, uint32_t c, uint16_t cport,
		       uint32_t s, uint16_t sport, int64_t rtt_us,
		       bool cookies, uint8_t synopt);
void dt_conn_refused(struct dtq *q, int64_t t, uint32_t c, uint16_t cport,
		     uint32_t s, uint16_t sport, int64_t rtt_us);
/* A bare SYN nobody answers. */
void dt_syn_only(struct dtq *q, int64_t t, uint32_t c, uint16_t cport,
		 uint32_t s, uint16_t sport, uint8_t synopt);

#endif
