/*
 * Test support for flow/: segments written as table rows, built into real
 * IPv4 frames (tests/decode/frames.c), decoded by decode_packet() and fed
 * to a flow table; every event is recorded and every final record copied
 * out, so a test reads what a subscriber would have seen.
 *
 * Client 192.0.2.1:40000, server 198.51.100.2:80. In a row, seq is
 * relative to the sender's ISN and ack to the receiver's; times are in
 * microseconds.
 */
#ifndef SYNSCOPE_TESTS_FLOWTEST_H
#define SYNSCOPE_TESTS_FLOWTEST_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define F_S TCP_SYN
#define F_SA (TCP_SYN | TCP_ACK)
#define F_A TCP_ACK
#define F_PA (TCP_PSH | TCP_ACK)
#define F_F TCP_FIN
#define F_FA (TCP_FIN | TCP_ACK)
#define F_R TCP_RST
#define F_RA (TCP_RST | TCP_ACK)

/* Options a row can ask for (SYNs mostly). */
enum {
	OPT_MSS = 1 << 0,       /* MSS 1460 */
	OPT_WS = 1 << 1,        /* window scale `ws` */
	OPT_SACK = 1 << 2,
	OPT_TS = 1 << 3,
	OPT_TFO = 1 << 4,       /* TFO cookie request */
	OPT_MPTCP = 1 << 5,     /* MP_CAPABLE */
};

struct seg {
	int64_t t_us;
	char dir;               /* '>' client to server, '<' back */
	uint16_t flags;
	uint32_t seq, ack;      /* relative, see above */
	uint16_t len;
	uint16_t win;
	uint8_t opt;
	uint8_t ws;
	uint16_t ipid;          /* 0: a fresh id for every packet */
};

/* Rows, with designated fields so the optional ones may stay out. */
#define SEG(t, d, f, sq, ak, ln, w)                                      \
	{ .t_us = (t), .dir = (d), .flags = (f), .seq = (sq), .ack = (ak), \
	  .len = (ln), .win = (w) }
#define SEG_OPT(t, d, f, sq, ak, ln, w, o, s)                            \
	{ .t_us = (t), .dir = (d), .flags = (f), .seq = (sq), .ack = (ak), \
	  .len = (ln), .win = (w), .opt = (o), .ws = (s) }
#define SEG_ID(t, d, f, sq, ak, ln, w, id)                               \
	{ .t_us = (t), .dir = (d), .flags = (f), .seq = (sq), .ack = (ak), \
	  .len = (ln), .win = (w), .ipid = (id) }

#define ISN_C 1000u
#define ISN_S 5000u

/* The usual three packets: SYN at 0, SYN-ACK at 10 ms, ACK at 10.1 ms. */
#define HANDSHAKE                                                        \
	SEG(0, '>', F_S, 0, 0, 0, 1000),                                  \
	SEG(10000, '<', F_SA, 0, 1, 0, 2000),                             \
	SEG(10100, '>', F_A, 1, 1, 0, 1000)

#define NSEGS(a) (sizeof(a) / sizeof((a)[0]))

#define FT_EV_MAX 512
#define FT_REC_MAX 64

struct ft_event {
	enum flow_event_type type;
	int64_t ts_ns;
	enum flow_side from;
	uint64_t id;
	enum handshake_outcome hs;
};

struct flowtest {
	struct flow_table *t;
	struct flow_config cfg;
	uint32_t isn_c, isn_s;
	uint8_t ip_version;     /* 4 (the default) or 6 */
	uint16_t cport;         /* client port; 0 means 40000 */
	uint16_t next_ipid;
	unsigned nev;
	struct ft_event ev[FT_EV_MAX];
	unsigned nrec;
	struct conn_record rec[FT_REC_MAX];
	uint64_t closed_total;  /* CLOSED events, also beyond FT_REC_MAX */
	uint64_t watch_id;      /* its final record is kept in `watched` */
	unsigned watched_closed;
	struct conn_record watched;
};

extern struct flowtest ft;

/* Adds the tests to tc, each under the flowtest fixture below. */
void ft_add_tests(TCase *tc, const TTest *const *tests, size_t n);

/* Check fixture: a small table (64 flows, 16 half-open), fixed seed. */
void ft_setup(void);
void ft_teardown(void);

/* Replaces the table with one made from `c` (recorder subscribed). */
void ft_recreate(const struct flow_config *c);

/* Builds the row's raw IP frame into buf; returns its length. */
size_t ft_frame(const struct seg *s, uint8_t ip_version, uint16_t cport,
		uint32_t isn_c, uint32_t isn_s, uint16_t ipid, uint8_t *buf,
		size_t cap);

/* Builds and decodes one row into p (the frame lives in buf). */
void ft_decode(const struct seg *s, struct decoded_packet *p, uint8_t *buf,
	       size_t cap);

/* Feeds one row (ISNs from ft.isn_c / ft.isn_s). */
void ft_feed(const struct seg *s);

/* Feeds the rows, then finishes at finish_us (0: at the last row;
 * negative: does not finish). */
void ft_run(const struct seg *segs, size_t n, int64_t finish_us);

/* How many recorded events have this type (and this id, if id != 0). */
unsigned ft_events(enum flow_event_type type, uint64_t id);

/* Index of the first recorded event of this type, or -1. */
int ft_event_index(enum flow_event_type type, uint64_t id);

#endif
