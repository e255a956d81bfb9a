/*
 * flow internals shared by the files of flow/: the connection key, the
 * per-direction state behind each conn_record, and the entry the table
 * keeps. Nothing here is part of the public API (flow.h).
 *
 * One connection = one struct flow_conn: d[0] is the originator's
 * direction (what the orig sent), d[1] the responder's. Every field is a
 * value; nothing points into a packet buffer.
 */
#ifndef SYNSCOPE_FLOW_INT_H
#define SYNSCOPE_FLOW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/*
 * Serial-number arithmetic (RFC 1982, RFC 9293 3.4): sequence numbers are
 * compared modulo 2^32, never with a plain `<`.
 */
#define SEQ_DIFF(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)))
#define SEQ_LT(a, b) (SEQ_DIFF(a, b) < 0)
#define SEQ_LEQ(a, b) (SEQ_DIFF(a, b) <= 0)
#define SEQ_GT(a, b) (SEQ_DIFF(a, b) > 0)
#define SEQ_GEQ(a, b) (SEQ_DIFF(a, b) >= 0)

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)

/*
 * Packet times come off the wire (a pcapng file picks its own units), so
 * differences and sums of them saturate instead of overflowing.
 */
static inline int64_t ns_sub(int64_t a, int64_t b)
{
	if (b < 0 && a > INT64_MAX + b)
		return INT64_MAX;
	if (b > 0 && a < INT64_MIN + b)
		return INT64_MIN;
	return a - b;
}

static inline int64_t ns_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

enum { D_ORIG = 0, D_RESP = 1 };

/*
 * The record's half for direction d (D_ORIG or D_RESP), found by
 * arithmetic: a branch on the direction of a segment is a coin toss for
 * the branch predictor.
 */
#define REC_DIR_OFF(d)                                                   \
	(offsetof(struct conn_record, orig) +                            \
	 (size_t)(d) * (offsetof(struct conn_record, resp) -             \
			offsetof(struct conn_record, orig)))

static inline struct conn_dir *rec_dir(struct conn_record *r, int d)
{
	return (struct conn_dir *)((char *)r + REC_DIR_OFF(d));
}

static inline const struct conn_dir *rec_dir_c(const struct conn_record *r,
					       int d)
{
	return (const struct conn_dir *)((const char *)r + REC_DIR_OFF(d));
}

/*
 * The canonical 5-tuple (plus up to two VLAN ids). Zeroed before it is
 * filled so that padding never holds stale bytes: it is hashed and
 * compared as raw memory.
 */
struct flow_key {
	uint8_t lo_addr[16];
	uint8_t hi_addr[16];
	uint16_t lo_port, hi_port;
	uint16_t vlan[2];
	uint8_t vlan_count;
	uint8_t ip_version;
	uint8_t pad[6];             /* to 48 bytes: compared a word at a time */
};

/* A TCP segment as flow/ sees it, copied out of the decoded packet. */
struct flow_pkt {
	int64_t ts;
	int from;                   /* D_ORIG or D_RESP */
	uint32_t seq, ack;
	uint32_t len;               /* payload bytes (from the IP lengths) */
	uint32_t ip_len;            /* IP total length */
	uint16_t flags;
	uint16_t win;               /* raw */
	uint16_t ip_id;
	uint8_t ip_version;
	bool csum_bad;
	uint32_t opt_present;       /* tcp_opts.present */
	uint16_t opt_mss;
	uint8_t opt_wscale;
	uint32_t opt_tsval;         /* for the observer */
};

/*
 * Everything the table takes from one decoded packet, as values: what
 * flow_table_packet() hands to the table, at once or (threaded) through
 * a queue, after the packet's buffer has gone.
 */
struct flow_seg {
	struct flow_key key;
	uint32_t hash;              /* flow_key_hash(), truncated */
	bool src_lo;                /* the sender is the key's lo endpoint */
	bool tracked;               /* TCP over IP; else it only clears
				     * flow_table_last_packet() */
	uint16_t sport, dport;
	struct flow_pkt pk;
};

/* Events raised while one packet is processed, delivered after it. */
#define FLOW_EVQ_MAX 12
struct flow_evq {
	unsigned n;
	struct {
		enum flow_event_type type;
		enum flow_side from;
	} ev[FLOW_EVQ_MAX];
};

void flow_evq_push(struct flow_evq *q, enum flow_event_type type, int from);

/* Wireshark's per-direction analysis state (ANCHORS 5.1). */
struct ws_dir {
	uint32_t nextseq;           /* next expected seq */
	uint32_t mstba;             /* maxseqtobeacked */
	uint32_t lastack;           /* last ack sent in this direction */
	bool nextseq_known, mstba_known, lastack_known, win_known;
	uint16_t win_raw;           /* last window value as sent */
	uint32_t win_calc;          /* ... and calculated (scaled) */
	int32_t dupacknum;          /* -1 after an "ACKed unseen" (see there) */
	int64_t nextseq_ns;         /* when nextseq last advanced */
	int64_t lastack_ns;         /* when this direction last sent */
	uint32_t lastflags;         /* analysis bits of the last segment */
};

/* Zeek endpoint states (ANCHORS 6.1), kept apart from the RFC states. */
enum zk_ep {
	ZKE_INACTIVE = 0,
	ZKE_SYN_SENT,
	ZKE_SYN_ACK_SENT,
	ZKE_PARTIAL,
	ZKE_ESTABLISHED,
	ZKE_CLOSED,
	ZKE_RESET,
};

/* Zeek's log-scale history letters c, g, t, w (ANCHORS 6.3). */
enum zk_scaled { ZKS_CSUM = 0, ZKS_GAP, ZKS_RXMIT, ZKS_WIN0, ZKS__COUNT };

struct zk_dir {
	enum zk_ep state, prev;
	uint16_t hist_seen;         /* letters already recorded once */
	uint32_t last_syn, last_fin, last_rst; /* for the repeat rules */
	uint32_t start, last;       /* Zeek's start_seq and last_seq */
	uint32_t count[ZKS__COUNT];
	uint64_t thresh[ZKS__COUNT];
};

/* A sequence range [left, right) the observer never saw. */
struct flow_hole {
	uint32_t left, right;
};

#define FLOW_HOLES_MAX 4

struct flow_dir {
	struct ws_dir ws;
	struct zk_dir zk;
	bool seen;                  /* sent at least one packet */
	bool syn_seen;              /* sent a SYN or SYN-ACK */
	uint32_t isn;
	int64_t syn_ns;             /* last SYN (or SYN-ACK) with that ISN */
	int8_t wscale_opt;          /* option in its SYN, -1 none */
	int8_t shift;               /* -1 unknown, else the scale applied */
	bool nxt_known;
	uint32_t first_seq;         /* first seq seen (midstream checks) */
	uint32_t snd_nxt;           /* highest seq + len (+SYN/FIN) seen */
	bool ack_known;
	uint32_t hi_ack;            /* highest ack it sent: its RCV.NXT */
	uint32_t win_calc;          /* last calculated window it offered */
	bool win_known;
	bool fin_seen, fin_acked;
	uint32_t fin_seq;           /* sequence number the FIN occupies */
	bool rst_seen;
	bool zw_open;               /* advertising a zero window now */
	int64_t zw_since;
	uint8_t nholes;
	struct flow_hole holes[FLOW_HOLES_MAX];
	struct {                    /* last segment, for capture duplicates */
		bool valid;
		uint16_t ip_id, flags, win;
		uint32_t seq, ack, len;
	} last;
};

/* Why a record is being emitted. */
enum flow_end {
	END_INPUT = 0,              /* end of capture, or 4-tuple reuse */
	END_IDLE,
	END_EVICTED,
	END_LINGER,                 /* closed, and the linger time passed */
};

struct flow_conn {
	struct flow_dir d[2];
	bool hs_done;               /* handshake completed (event sent) */
	bool synack_seen;           /* a valid SYN-ACK from the responder */
	bool rst_closed;            /* an acceptable RST closed it */
	uint32_t synack_ack;        /* ack of the first valid SYN-ACK */
	struct conn_record rec;
};

/* Which LRU list an entry lives on; each has its own idle timeout. */
enum flow_list {
	LIST_SYN = 0,               /* bare SYN(s), nothing back: syn_timeout */
	LIST_HALF,                  /* handshake not done: half_open_idle */
	LIST_OPEN,                  /* both sides synchronized: idle */
	LIST_CLOSED,                /* both FINs or an RST: closed_linger */
	LIST__COUNT
};

struct flow_entry {
	struct flow_key key;
	uint32_t hash;              /* low bits of flow_key_hash(key) */
	uint32_t hnext;             /* hash chain: index + 1, 0 ends */
	uint32_t prev, next;        /* list links: index + 1, 0 ends */
	uint8_t list;               /* enum flow_list */
	bool orig_is_lo;            /* the orig is the key's lo endpoint */
	struct flow_conn c;
};

/* table.c, for worker.c */
/* Applies segs[from .. to), indices taken modulo mask + 1 (a power of
 * two): the worker's queue, or one segment. */
void table_segments(struct flow_table *t, const struct flow_seg *segs,
		    uint32_t mask, uint32_t from, uint32_t to);

/* worker.c: the table on a thread of its own (flow_config.threaded) */
struct flow_worker;
struct flow_worker *worker_start(struct flow_table *t);
void worker_stop(struct flow_worker *w);
struct flow_seg *worker_slot(struct flow_worker *w);       /* caller */
void worker_commit(struct flow_worker *w);                 /* caller */
void worker_drain(struct flow_worker *w);                  /* caller */
bool worker_is_current(const struct flow_worker *w);       /* either */

/* key.c */
bool flow_key_build(const struct decoded_packet *p, struct flow_key *k);
uint64_t flow_key_hash(const struct flow_key *k, uint64_t k0, uint64_t k1);
bool flow_key_build_hash(const struct decoded_packet *p, struct flow_key *k,
			 uint64_t k0, uint64_t k1, uint64_t *hash);
/* What the table takes from a packet, its key hashed with (k0, k1);
 * only `tracked` (false) when it is not TCP over IPv4 or IPv6. */
void flow_seg_build(struct flow_seg *s, const struct decoded_packet *p,
		    int64_t ts, uint64_t k0, uint64_t k1);
uint64_t flow_seed_draw(void);
uint64_t flow_siphash24(const void *data, size_t len, uint64_t k0,
			uint64_t k1);

/* conn.c */
void conn_init(struct flow_conn *c, const struct flow_seg *s,
	       bool sender_is_orig, bool guessed, uint64_t id);
bool conn_pick_orig(const struct flow_seg *s, bool *guessed);
bool conn_is_reuse(const struct flow_conn *c, const struct flow_pkt *pk);
bool conn_reuse_after_close(const struct flow_conn *c);
/* Returns the segment's analysis flags (bit n = enum flow_analysis n). */
uint32_t conn_packet(struct flow_conn *c, const struct flow_pkt *pk,
		     struct flow_evq *q);
enum flow_list conn_list(const struct flow_conn *c);
void conn_timeout(struct flow_conn *c, enum flow_list list);
void conn_finalize(struct flow_conn *c, enum flow_end why);
void conn_sync(struct flow_conn *c);

/* handshake.c */
void hs_packet(struct flow_conn *c, const struct flow_pkt *pk,
	       struct flow_evq *q);
void hs_after_state(struct flow_conn *c, const struct flow_pkt *pk,
		    bool rst_ok, struct flow_evq *q);
uint32_t hs_calc_window(const struct flow_conn *c, const struct flow_pkt *pk);

/* tcp_state.c */
bool tcp_state_packet(struct flow_conn *c, const struct flow_pkt *pk,
		      struct flow_evq *q);
bool tcp_rst_acceptable(const struct flow_conn *c, const struct flow_pkt *pk);

/* analysis.c */
uint32_t flow_analyze(struct flow_conn *c, const struct flow_pkt *pk,
		      uint32_t calc_win);
bool flow_capture_dup(struct flow_dir *d, const struct flow_pkt *pk);

/* zeek.c */
void zk_init(struct flow_conn *c);
void zk_packet(struct flow_conn *c, const struct flow_pkt *pk);
void zk_gap(struct flow_conn *c, int dir);
void zk_hist_add(struct flow_conn *c, char letter, int dir);
enum zeek_state zk_conn_state(const struct flow_conn *c);

#endif
