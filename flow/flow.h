/*
 * flow: the TCP connection table. Every decoded segment goes in; each
 * connection comes out as one record (struct conn_record) that joins three
 * vocabularies: both endpoints' inferred RFC 9293 states, Wireshark's
 * analysis flags, and Zeek's conn_state and history.
 *
 * Threat model: packets are attacker-controlled and a flood of spoofed SYNs
 * must not exhaust memory nor push established connections out. The table
 * is sized up front (max_flows), half-open entries live under their own
 * cap, and every timeout runs on packet time, never the wall clock, so a
 * replayed file and a live capture give the same answers. Records hold
 * values only, never pointers into packet buffers.
 */
#ifndef SYNSCOPE_FLOW_H
#define SYNSCOPE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/* Inferred state of one endpoint (RFC 9293 3.3.2), from the wire alone. */
enum ep_state {
	EP_UNKNOWN = 0,     /* nothing seen that tells (midstream start) */
	EP_SYN_SENT,
	EP_SYN_RECEIVED,
	EP_ESTABLISHED,
	EP_FIN_WAIT_1,
	EP_FIN_WAIT_2,
	EP_CLOSE_WAIT,
	EP_CLOSING,
	EP_LAST_ACK,
	EP_TIME_WAIT,
	EP_CLOSED,
	EP__COUNT
};

/* "SYN-SENT", "ESTABLISHED", ..., "UNKNOWN" */
const char *flow_ep_state_name(enum ep_state s);

enum flow_side {
	SIDE_NONE = 0,
	SIDE_ORIG,          /* the client: the SYN sender */
	SIDE_RESP,          /* the server */
};

const char *flow_side_name(enum flow_side s); /* "", "orig", "resp" */

/* How the connection was born. */
enum handshake_outcome {
	HS_PENDING = 0,     /* SYN seen, no answer yet, SYN timeout not reached */
	HS_ESTABLISHED,     /* SYN, SYN-ACK, ACK */
	HS_REFUSED,         /* an RST answered the SYN */
	HS_UNANSWERED,      /* no reply within the SYN timeout (packet time) */
	HS_SIMULTANEOUS,    /* both sides sent a bare SYN (RFC 9293 3.5) */
	HS_MIDSTREAM,       /* picked up after the handshake */
	HS_ABORTED,         /* the client reset it before it completed */
	HS__COUNT
};

/* "pending", "established", "refused", "unanswered",
 * "simultaneous_open", "midstream", "aborted" */
const char *flow_handshake_name(enum handshake_outcome h);

/* How it died (or did not). */
enum close_kind {
	CLOSE_OPEN = 0,     /* still open at the end of the input */
	CLOSE_FIN,          /* both FINs sent and ACKed */
	CLOSE_HALF,         /* one side's FIN only (half-close) */
	CLOSE_RST,          /* aborted by an RST (see rst_by, rst_in_window) */
	CLOSE_IDLE,         /* idle timeout */
	CLOSE_EVICTED,      /* pushed out of a full table */
	CLOSE_NONE,         /* never opened (refused, unanswered) */
	CLOSE__COUNT
};

/* "open", "fin", "half_close", "rst", "idle_timeout", "evicted", "none" */
const char *flow_close_name(enum close_kind c);

/* Zeek's conn_state, all 13 values (ANCHORS.md 6.2). */
enum zeek_state {
	ZK_S0 = 0, ZK_S1, ZK_SF, ZK_REJ, ZK_S2, ZK_S3, ZK_RSTO, ZK_RSTR,
	ZK_RSTOS0, ZK_RSTRH, ZK_SH, ZK_SHR, ZK_OTH,
	ZK__COUNT
};

const char *flow_zeek_state_name(enum zeek_state z); /* "S0", ... */

/*
 * Wireshark's analysis flags (ANCHORS.md 5.2), counted per direction, plus
 * capture duplicates (same IP id, seq and length), which are counted here
 * and not as retransmissions.
 */
enum flow_analysis {
	AN_RETRANS = 0,
	AN_FAST_RETRANS,
	AN_SPURIOUS_RETRANS,
	AN_OUT_OF_ORDER,
	AN_LOST_SEGMENT,
	AN_ACK_UNSEEN,
	AN_DUP_ACK,
	AN_ZERO_WINDOW,
	AN_ZERO_WINDOW_PROBE,
	AN_ZERO_WINDOW_PROBE_ACK,
	AN_WINDOW_FULL,
	AN_WINDOW_UPDATE,
	AN_KEEP_ALIVE,
	AN_KEEP_ALIVE_ACK,
	AN_CAPTURE_DUP,
	AN__COUNT
};

/* Wireshark's filter suffix: "retransmission", "fast_retransmission",
 * "spurious_retransmission", "out_of_order", "lost_segment",
 * "ack_lost_segment", "duplicate_ack", "zero_window", "zero_window_probe",
 * "zero_window_probe_ack", "window_full", "window_update", "keep_alive",
 * "keep_alive_ack"; and "capture_duplicate". */
const char *flow_analysis_name(enum flow_analysis a);

/* What one side negotiated, from its SYN or SYN-ACK. */
struct conn_opts {
	int32_t mss;            /* -1: not sent */
	int8_t wscale;          /* -1: not sent (or handshake not seen) */
	bool sack_ok;
	bool ts;
	bool tfo;               /* a TFO option on the SYN / SYN-ACK */
	bool ecn;               /* SYN with ECE+CWR / SYN-ACK with ECE */
	bool mptcp;
};

struct conn_dir {
	uint64_t pkts;
	uint64_t bytes;         /* payload bytes */
	uint64_t ip_bytes;      /* IP total lengths */
	uint64_t missed_bytes;  /* sequence gaps never filled */
	uint32_t isn;
	bool isn_seen;
	uint32_t win_min, win_max; /* scaled when the scale is known */
	int64_t zero_win_ns;    /* time spent advertising a zero window */
	uint32_t analysis[AN__COUNT];
	struct conn_opts opts;
	enum ep_state state;    /* final (or current) inferred state */
};

#define FLOW_HISTORY_MAX 32

struct conn_record {
	uint64_t id;            /* 1-based, in order of creation */
	uint8_t ip_version;
	uint8_t orig_addr[16], resp_addr[16];
	uint16_t orig_port, resp_port;
	uint8_t vlan_count;
	uint16_t vlan[2];
	bool orientation_guessed; /* no SYN or SYN-ACK told who the client is */
	int64_t first_ns, last_ns;
	int64_t syn_ns, synack_ns, ack_ns;          /* -1: not seen */
	int64_t irtt_ns, syn_synack_ns, synack_ack_ns; /* -1: unknown */
	uint32_t syn_retrans, synack_retrans;
	enum handshake_outcome handshake;
	enum close_kind close;
	enum flow_side active_closer;   /* sent the first FIN */
	bool fins_acked;                /* every FIN sent was ACKed */
	enum flow_side rst_by;
	bool rst_in_window;
	enum flow_side time_wait;       /* the side that went to TIME-WAIT */
	bool reused;            /* a new SYN on a 4-tuple seen before */
	bool reused_time_wait;  /* ... while the old one was in TIME-WAIT */
	enum zeek_state conn_state;
	char history[FLOW_HISTORY_MAX];
	struct conn_dir orig, resp;
};

/* Limits and timeouts; flow_config_default() explains each value. */
struct flow_config {
	uint32_t max_flows;         /* whole table */
	uint32_t max_half_open;     /* of which in the handshake */
	int64_t syn_timeout_ns;     /* unanswered SYN */
	int64_t half_open_idle_ns;  /* handshake not completed */
	int64_t idle_ns;            /* established, silent */
	int64_t closed_linger_ns;   /* after FIN/FIN or RST, before emitting */
	uint64_t seed;              /* hash seed */
	bool fixed_seed;            /* use `seed` (tests); else drawn at start */
	/*
	 * Run the table on a thread of its own: flow_table_packet() only
	 * queues the segment (its key and hash made on the caller's
	 * thread), and the worker applies the segments in order. The
	 * observer and the subscribers then run on the worker, in the same
	 * order and with the same records as without it; the caller must
	 * not read what they write until it has waited for the worker,
	 * which flow_table_sync() and every other flow_table_*() call do
	 * first. For callers that need nothing back before the next packet
	 * is read. Off by default; where threads cannot be had the table
	 * stays synchronous.
	 */
	bool threaded;
};

void flow_config_default(struct flow_config *c);

enum flow_event_type {
	FLOW_EV_SYN = 0,        /* a new connection attempt */
	FLOW_EV_SYNACK,
	FLOW_EV_ESTABLISHED,
	FLOW_EV_REFUSED,
	FLOW_EV_TIMEOUT,        /* SYN unanswered, or idle */
	FLOW_EV_FIN,
	FLOW_EV_RST,
	FLOW_EV_CLOSED,         /* the record is final: emitted once per conn */
	FLOW_EV_EVICTED,        /* the table was full; CLOSED follows */
	FLOW_EV__COUNT
};

const char *flow_event_name(enum flow_event_type t);

struct flow_event {
	enum flow_event_type type;
	int64_t ts_ns;
	enum flow_side from;            /* who sent the packet, if one */
	const struct conn_record *conn; /* valid during the callback only */
};

typedef void (*flow_event_fn)(void *ctx, const struct flow_event *ev);

struct flow_table;

/* NULL on allocation failure. The table is allocated once, here. */
struct flow_table *flow_table_create(const struct flow_config *c);
void flow_table_destroy(struct flow_table *t);

/* Bytes flow_table_create() allocates for `c` (0 if it would refuse c),
 * but for a threaded table's queue: half a megabyte whatever the size,
 * left out so that a table sized to a budget is the same either way. */
size_t flow_table_footprint(const struct flow_config *c);

/* Up to FLOW_MAX_SUBSCRIBERS; returns 0 or -1 when full. */
#define FLOW_MAX_SUBSCRIBERS 8
int flow_table_subscribe(struct flow_table *t, flow_event_fn fn, void *ctx);

/*
 * A TCP segment as the table takes it, for the observer: values copied
 * out of the decoded packet, so that it outlives the packet's buffer.
 * src and dst point into the table's copy and last as long as the call.
 */
struct flow_segment {
	int64_t ts_ns;
	uint8_t ip_version;         /* 4 or 6 */
	const uint8_t *src, *dst;   /* 4 or 16 bytes */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t flags;             /* TCP_* */
	uint32_t opt_present;       /* tcp_opts.present */
	uint8_t opt_wscale;
	uint32_t opt_tsval;
};

typedef void (*flow_segment_fn)(void *ctx, const struct flow_segment *s);

/*
 * One observer sees every TCP/IP segment just before the table applies
 * it (so also those the table does not admit), on the thread the table
 * runs on: for a detector that must see the packets and the events they
 * cause in one order. It must not call into the table. Returns 0, or -1
 * when one is set already.
 */
int flow_table_observe(struct flow_table *t, flow_segment_fn fn, void *ctx);

typedef void (*flow_clock_fn)(void *ctx, int64_t ts_ns);

/*
 * The same for an observer that looks at few segments but keeps time by
 * all of them: `fn` gets the segments with one of the TCP flags `only`
 * set, `clock` the time of each of the others, in the same order. The
 * table then skips making a flow_segment for most segments. Returns 0,
 * or -1 when an observer is set already or `only` comes without `clock`.
 */
int flow_table_observe_some(struct flow_table *t, flow_segment_fn fn,
			    uint16_t only, flow_clock_fn clock, void *ctx);

/* Threaded: waits until the worker has applied every queued segment, so
 * what the observer and subscribers wrote can be read. Else nothing. */
void flow_table_sync(const struct flow_table *t);

/*
 * Feeds one decoded TCP segment (status DECODE_TCP) seen at packet time
 * ts_ns. Also expires what timed out before ts_ns. (Threaded: queues it;
 * see flow_config.threaded.)
 */
void flow_table_packet(struct flow_table *t, const struct decoded_packet *p,
		       int64_t ts_ns);

/* What the table made of the last segment given to flow_table_packet(). */
struct flow_packet_info {
	uint64_t conn_id;       /* 0: not tracked (not admitted, not TCP/IP) */
	enum flow_side from;
	bool rel_seq_known;     /* the sender's ISN is known */
	bool rel_ack_known;     /* the receiver's ISN is known */
	uint32_t rel_seq, rel_ack; /* relative to the ISNs, as Wireshark */
	uint32_t analysis;      /* bit n = enum flow_analysis n */
};

void flow_table_last_packet(const struct flow_table *t,
			    struct flow_packet_info *out);

/* Ends the input: every connection still held is emitted (CLOSED). */
void flow_table_finish(struct flow_table *t, int64_t now_ns);

struct flow_table_stats {
	uint64_t active;        /* held now */
	uint64_t peak;
	uint64_t created;
	uint64_t half_open;     /* held now, in the handshake */
	uint64_t expired;       /* closed by a timeout */
	uint64_t evicted;       /* pushed out to admit another */
	uint64_t refused;       /* not admitted: table or half-open cap full */
	uint64_t reused;        /* 4-tuple reuse seen */
};

void flow_table_stats(const struct flow_table *t, struct flow_table_stats *s);

/* Visits every connection held now (for the dashboard's snapshot). */
void flow_table_foreach(const struct flow_table *t,
			void (*fn)(void *ctx, const struct conn_record *c),
			void *ctx);

#endif
