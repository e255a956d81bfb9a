/*
 * The dashboard's model, with no curses in it: what the views show, built
 * from packets, flow events and snapshots of the flow table, all on packet
 * time. Four parts:
 *
 *   model.c    live accumulators fed per packet and per event: counters,
 *              per-second buckets (rates, sparklines), handshake RTTs, a
 *              ring of recent packet summaries, a ring of endpoint-state
 *              changes, the records of recently closed connections, and a
 *              "pinned" connection whose packets and states are kept apart
 *              so a flood cannot push them out while its detail is open
 *   snap.c     a snapshot: a copy of every connection (flow_table_foreach
 *              plus the closed ones), per-state counts, servers, rates; and
 *              the selection of rows a view shows (filter, sort)
 *   filter.c   the filter language (state:, port:, host:, conn:, flag:)
 *   ladder.c   the packet ladder of one connection, laid out as text
 *
 * Every buffer is sized up front or grows only with the flow table's own
 * bounded contents. UI state (selection, scroll, the chosen sort) lives in
 * the view and is passed in.
 */
#ifndef SYNSCOPE_TUI_MODEL_H
#define SYNSCOPE_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect.h"
#include "flow.h"
#include "tui.h"

#define TUI_NS_PER_S INT64_C(1000000000)

#define TUI_PKT_RING 4096       /* recent packets, all connections */
#define TUI_PIN_PKTS 1024       /* packets of the pinned connection */
#define TUI_HIST_RING 4096      /* recent state changes */
#define TUI_PIN_HIST 64         /* state changes of the pinned one */
#define TUI_CLOSED_MAX 1024     /* records of closed connections kept */
#define TUI_SPARK_SECS 300      /* one bucket per second: 5 minutes */
#define TUI_RATE_SECS 5         /* rates are averaged over this */
#define TUI_RTT_SAMPLES 1024    /* handshake RTTs for the percentiles */
#define TUI_MAX_ALERTS 32
#define TUI_SPARK_LEVELS 8

/* One packet as the ladder shows it. */
struct tui_pkt_rec {
	int64_t ts_ns;
	uint64_t conn_id;
	uint32_t rel_seq, rel_ack;
	uint32_t len;               /* payload bytes */
	uint32_t analysis;          /* bit n = enum flow_analysis n */
	uint16_t flags;
	uint16_t win;               /* raw, as sent */
	uint8_t from;               /* enum flow_side */
	bool seq_known, ack_known;
};

/* Why a state change was recorded. */
enum tui_cause {
	TUI_CAUSE_SEEN = FLOW_EV__COUNT, /* found by a snapshot or a check */
};

/* Both endpoints' states from a time on. */
struct tui_hist_rec {
	int64_t ts_ns;
	uint64_t conn_id;
	uint8_t orig, resp;         /* enum ep_state */
	uint8_t cause;              /* enum flow_event_type or TUI_CAUSE_SEEN */
};

/* A fixed-size ring of records of one type. */
struct tui_ring {
	size_t head;                /* records ever written */
	size_t cap;
};

struct tui_bucket {
	int64_t sec;                /* which second of packet time */
	uint32_t pkts, syns, done;
	uint64_t bytes;
};

struct tui_model {
	int64_t first_ns;           /* first packet, -1 before */
	int64_t last_ns;            /* latest packet time */
	int64_t now_ns;             /* packet time the views use */
	uint64_t packets, bytes, tcp_packets;
	uint64_t syn_pkts;          /* bare SYNs */
	uint64_t attempts;          /* FLOW_EV_SYN: new connection attempts */
	uint64_t completed, refused, unanswered, resets, fins;
	uint64_t alerts_started;

	struct tui_bucket b[TUI_SPARK_SECS];

	int64_t rtt[TUI_RTT_SAMPLES];
	size_t rtt_n;               /* samples ever taken */

	struct tui_ring pkt_ring;
	struct tui_pkt_rec pkts[TUI_PKT_RING];
	struct tui_ring hist_ring;
	struct tui_hist_rec hist[TUI_HIST_RING];
	struct tui_ring closed_ring;
	struct conn_record closed[TUI_CLOSED_MAX];

	uint64_t pin_id;            /* 0: none */
	struct tui_ring pin_pkt_ring;
	struct tui_pkt_rec pin_pkts[TUI_PIN_PKTS];
	struct tui_ring pin_hist_ring;
	struct tui_hist_rec pin_hist[TUI_PIN_HIST];

	/* The last states recorded per connection, direct-mapped by id so
	 * a repeated report of the same states is not recorded twice. */
	struct {
		uint64_t id;
		uint8_t orig, resp;
		bool teardown;      /* a FIN or RST was seen: watch it */
	} seen[4096];
};

/* NULL when memory cannot be had. */
struct tui_model *tui_model_create(void);
void tui_model_destroy(struct tui_model *m);

/* A flow_event_fn: subscribe it to the table with the model as ctx. */
void tui_model_flow_event(void *m, const struct flow_event *ev);

/* A detect_alert_fn, for counting alerts raised. */
void tui_model_alert(void *m, const struct detect_alert *a);

/* One packet the source processed. */
void tui_model_packet(struct tui_model *m, const struct tui_packet *p);

/* Notes both endpoint states of a connection as seen at ts (a snapshot, or
 * a check after a packet); records them when they changed. */
void tui_model_note_states(struct tui_model *m, const struct conn_record *c,
			   int64_t ts);

/* True when the connection is closing (FIN or RST seen) and a state
 * change could follow any of its packets without an event. */
bool tui_model_watching(const struct tui_model *m, uint64_t conn_id);

/* Moves the views' clock (never backwards). */
void tui_model_set_now(struct tui_model *m, int64_t now_ns);

/* Keeps the packets and state changes of one connection apart (0 stops),
 * starting from what the shared rings still hold. */
void tui_model_pin(struct tui_model *m, uint64_t conn_id);

/* What the per-second buckets count. */
enum tui_series { TS_PKTS, TS_BYTES, TS_SYNS, TS_DONE };

/* Per second, averaged over the last TUI_RATE_SECS of the views' clock
 * (or the time since the first packet, when shorter; at least 1 s). */
double tui_model_rate(const struct tui_model *m, enum tui_series which);

/* The last n seconds ending at now (oldest first). */
void tui_model_series(const struct tui_model *m, enum tui_series which,
		      uint64_t *out, size_t n);

/* Sparkline level 0..TUI_SPARK_LEVELS of v against max: 0 only for 0,
 * every non-zero value at least 1. */
int tui_spark_level(uint64_t v, uint64_t max);

/* Handshake RTT percentile (0..100) of the recent samples, -1 if none. */
int64_t tui_model_rtt_pct(const struct tui_model *m, double pct);

/* The nearest-rank percentile (0..100) of n values, which it sorts in
 * place; -1 when n is 0. The snapshot's per-server medians use it too. */
int64_t tui_pct(int64_t *v, size_t n, double pct);

/* ---- filter.c ---- */

#define TUI_FILTER_TERMS 16

enum tui_term_kind { TT_STATE, TT_PORT, TT_HOST, TT_CONN, TT_FLAG };

struct tui_term {
	enum tui_term_kind kind;
	int value;                  /* state, port, conn_state or flag */
	uint8_t version;            /* host: 4 or 6 */
	uint8_t prefix;             /* host: prefix length */
	uint8_t addr[16];
};

struct tui_filter {
	unsigned n;                 /* 0 matches everything */
	struct tui_term t[TUI_FILTER_TERMS];
};

/* Parses "state:SYN-RECEIVED port:443 ..." (terms ANDed). Returns 0, or -1
 * with one line saying what is wrong in err. */
int tui_filter_parse(const char *text, struct tui_filter *f, char *err,
		     size_t errlen);
bool tui_filter_match(const struct tui_filter *f, const struct conn_record *c);

/* Short names of the analysis flags (the ladder, the table, flag:). */
const char *tui_analysis_short(enum flow_analysis a);

/* Short state names for narrow columns: "SYN-RCVD", "ESTAB", ... */
const char *tui_state_short(enum ep_state s);

/* ---- snap.c ---- */

/* Columns of the connections table, in their order on screen. */
enum tui_col {
	TC_ID = 0, TC_CLIENT, TC_SERVER, TC_CSTATE, TC_SSTATE, TC_CONN,
	TC_HIST, TC_AGE, TC_IDLE, TC_PKTS_CS, TC_PKTS_SC, TC_BYTES_CS,
	TC_BYTES_SC, TC_RTT, TC_RTX, TC_FLAGS,
	TC__COUNT
};

const char *tui_col_name(enum tui_col c);
/* True when the column sorts biggest first (before S reverses it). */
bool tui_col_desc(enum tui_col c);

struct tui_row {
	struct conn_record rec;
	bool closed;                /* from the closed ring, no longer held */
};

struct tui_server {
	uint8_t version;
	uint8_t addr[16];
	uint16_t port;
	uint32_t conns, half_open, refused, unanswered, resets;
	int64_t rtt_median;         /* -1: no handshake RTT */
};

struct tui_query {
	const struct tui_filter *filter;
	enum tui_col sort;
	bool reverse;
	bool hide_closed;
};

struct tui_snap {
	int64_t now_ns, first_ns;
	struct tui_row *rows;
	size_t nrows, cap;          /* held first, then closed */
	size_t nheld;
	uint32_t *order;            /* the selection: indexes into rows */
	size_t norder;
	uint64_t states[EP__COUNT]; /* endpoints of held connections */
	uint32_t half_open;         /* held connections in the handshake */
	struct tui_server *servers; /* most connections first */
	size_t nservers, servers_cap;
	int64_t *scratch_rtt;       /* working space of tui_snap_take() */
	size_t scratch_cap;
	struct flow_table_stats flows;
	uint32_t flow_cap;
	bool have_capture_stats;
	struct tui_capture_stats cap_stats;
	struct detect_alert alerts[TUI_MAX_ALERTS];
	size_t nalerts, nactive;
	bool detector;              /* a detector runs */

	/* the model's counters and rates when the snapshot was taken */
	uint64_t packets, bytes, tcp_packets, syn_pkts, attempts;
	uint64_t completed, refused, unanswered, resets, alerts_started;
	double pps, bps, syn_rate, done_rate;
	uint64_t spark_syn[TUI_SPARK_SECS], spark_done[TUI_SPARK_SECS];
	int64_t rtt_p50, rtt_p99;
	size_t rtt_n;

	/* the pinned connection's packets and state changes, oldest first */
	uint64_t pin_id;
	size_t npin_pkts, npin_hist;
	struct tui_pkt_rec pin_pkts[TUI_PIN_PKTS];
	struct tui_hist_rec pin_hist[TUI_PIN_HIST];
};

void tui_snap_init(struct tui_snap *s);
void tui_snap_free(struct tui_snap *s);

/* Copies every connection of the table and the recently closed ones, and
 * derives the state counts and the servers. Returns 0, or -1 when memory
 * for the copy could not be had (the previous contents are kept). Also
 * notes each connection's states into the model's history. */
int tui_snap_take(struct tui_snap *s, struct tui_model *m,
		  const struct flow_table *t);

/* Copies only the model's counters, rates and pinned connection (what
 * tui_snap_take() also does), leaving the connections as they were. */
void tui_snap_take_model(struct tui_snap *s, const struct tui_model *m);

/* Chooses and orders the rows a view shows. */
void tui_snap_select(struct tui_snap *s, const struct tui_query *q);

/* The row of a connection, or NULL. */
const struct tui_row *tui_snap_find(const struct tui_snap *s, uint64_t id);

/* Retransmissions (all three kinds) of both directions. */
uint32_t tui_row_retrans(const struct conn_record *c);

/* ---- ladder.c ---- */

/* One laid-out ladder line; `arrow_from`/`arrow_to` are the columns of
 * the arrow's tail and head (for colours), marks: analysis flags shown. */
struct tui_ladder_line {
	char text[256];
	int arrow_from, arrow_to;
	bool marked;
};

/* The two lines naming the endpoints above the ladder. */
void tui_ladder_head(const struct conn_record *c, int width, char *out,
		     size_t outlen);

/* Lays out one packet of connection c in width columns, time relative to
 * the connection's first packet. */
void tui_ladder_layout(const struct conn_record *c,
		       const struct tui_pkt_rec *p, int width,
		       struct tui_ladder_line *out);

/* The pinned connection's packets (oldest first) into out; returns how
 * many (at most max). */
size_t tui_model_pinned_pkts(const struct tui_model *m,
			     const struct tui_pkt_rec **out, size_t max);
size_t tui_model_pinned_hist(const struct tui_model *m,
			     const struct tui_hist_rec **out, size_t max);

/* "syn", "synack", ..., "seen". */
const char *tui_cause_name(unsigned cause);

/* Formats helpers shared by the views and tests: "1.23ms", "4.5s",
 * "12m03s"; "12.3K", "4.5M". */
void tui_fmt_dur(int64_t ns, char *out, size_t outlen);
void tui_fmt_count(uint64_t v, char *out, size_t outlen);

#endif
