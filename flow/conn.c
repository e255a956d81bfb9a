/*
 * One connection: who is the client, what one segment does to the record
 * (counters, windows, sequence gaps) and how the record is closed. The
 * protocol logic lives in handshake.c, analysis.c, tcp_state.c and
 * zeek.c; this file calls them in order and keeps the bookkeeping.
 */
#include <string.h>

#include "flow_int.h"

void flow_evq_push(struct flow_evq *q, enum flow_event_type type, int from)
{
	if (q->n >= FLOW_EVQ_MAX)
		return;
	q->ev[q->n].type = type;
	q->ev[q->n].from = from == D_ORIG ? SIDE_ORIG : SIDE_RESP;
	q->n++;
}

/*
 * Orientation for a new connection, from its first packet: the sender of
 * a bare SYN is the client; the sender of a SYN-ACK is the server.
 * Anything else is a guess: the lower port is the server's (well-known
 * ports are below 1024, ephemeral ones high); equal ports leave the first
 * sender as the client. Returns true when the sender is the orig.
 */
bool conn_pick_orig(const struct flow_seg *s, bool *guessed)
{
	uint16_t f = s->pk.flags;

	if ((f & TCP_SYN) && !(f & TCP_RST)) {
		*guessed = false;
		return !(f & TCP_ACK);
	}
	*guessed = true;
	if (s->sport != s->dport)
		return s->sport > s->dport;
	return true;
}

/* The endpoints come from the key: the sender is its lo endpoint when
 * s->src_lo says so. */
void conn_init(struct flow_conn *c, const struct flow_seg *s,
	       bool sender_is_orig, bool guessed, uint64_t id)
{
	const struct flow_pkt *pk = &s->pk;
	struct conn_record *r = &c->rec;
	const struct flow_key *k = &s->key;
	const uint8_t *src = s->src_lo ? k->lo_addr : k->hi_addr;
	const uint8_t *dst = s->src_lo ? k->hi_addr : k->lo_addr;
	size_t alen = k->ip_version == 4 ? 4 : 16;
	uint16_t f = pk->flags;

	memset(c, 0, sizeof(*c));
	zk_init(c);
	r->id = id;
	r->ip_version = k->ip_version;
	memcpy(r->orig_addr, sender_is_orig ? src : dst, alen);
	memcpy(r->resp_addr, sender_is_orig ? dst : src, alen);
	r->orig_port = sender_is_orig ? s->sport : s->dport;
	r->resp_port = sender_is_orig ? s->dport : s->sport;
	r->vlan_count = k->vlan_count;
	for (unsigned i = 0; i < r->vlan_count; i++)
		r->vlan[i] = k->vlan[i];
	r->orientation_guessed = guessed;
	r->first_ns = r->last_ns = pk->ts;
	r->syn_ns = r->synack_ns = r->ack_ns = -1;
	r->irtt_ns = r->syn_synack_ns = r->synack_ack_ns = -1;
	r->handshake = ((f & TCP_SYN) && !(f & TCP_RST)) ? HS_PENDING
							 : HS_MIDSTREAM;
	for (int d = 0; d < 2; d++) {
		struct conn_dir *out = d == D_ORIG ? &r->orig : &r->resp;

		out->opts.mss = -1;
		out->opts.wscale = -1;
		c->d[d].wscale_opt = -1;
		c->d[d].shift = -1;
	}
	/* Zeek's '^': the first packet's sender was made the responder */
	if (!sender_is_orig)
		zk_hist_add(c, '^', D_ORIG);
}

/*
 * 4-tuple reuse (Wireshark's reused_ports): a bare SYN whose ISN differs
 * from the one this side used before starts a new connection. A bare SYN
 * from a side that never sent one is a new connection too, except for the
 * responder's SYN of a simultaneous open and a late copy of the SYN that
 * a seen SYN-ACK answered.
 */
bool conn_is_reuse(const struct flow_conn *c, const struct flow_pkt *pk)
{
	const struct flow_dir *d = &c->d[pk->from];

	if (!(pk->flags & TCP_SYN) || (pk->flags & (TCP_ACK | TCP_RST)))
		return false;
	if (d->syn_seen)
		return pk->seq != d->isn;
	if (pk->from == D_RESP)
		return !(c->d[D_ORIG].syn_seen &&
			 c->rec.handshake == HS_PENDING);
	return !(c->synack_seen && pk->seq + 1 == c->synack_ack);
}

/* The old connection had closed, or one side sat in TIME-WAIT. */
bool conn_reuse_after_close(const struct flow_conn *c)
{
	enum ep_state o = c->rec.orig.state, r = c->rec.resp.state;

	return o == EP_TIME_WAIT || r == EP_TIME_WAIT || o == EP_CLOSED ||
	       r == EP_CLOSED;
}

/* Calculated window range and the time spent at a zero window. */
static void track_window(struct flow_conn *c, const struct flow_pkt *pk,
			 uint32_t calc)
{
	struct flow_dir *d = &c->d[pk->from];
	struct conn_dir *out = rec_dir(&c->rec, pk->from);

	if (pk->flags & TCP_RST)
		return;         /* an RST's window means nothing */
	if (!d->win_known || calc < out->win_min)
		out->win_min = calc;
	if (!d->win_known || calc > out->win_max)
		out->win_max = calc;
	d->win_known = true;
	d->win_calc = calc;
	if (pk->win == 0 && !d->zw_open) {
		d->zw_open = true;
		d->zw_since = pk->ts;
	} else if (pk->win != 0 && d->zw_open) {
		if (pk->ts > d->zw_since)
			out->zero_win_ns = ns_add(out->zero_win_ns,
						  ns_sub(pk->ts, d->zw_since));
		d->zw_open = false;
	}
}

static uint64_t *missed_of(struct flow_conn *c, int dir)
{
	return &rec_dir(&c->rec, dir)->missed_bytes;
}

static void drop_hole(struct flow_dir *d, unsigned i)
{
	memmove(&d->holes[i], &d->holes[i + 1],
		(d->nholes - i - 1) * sizeof(d->holes[0]));
	d->nholes--;
}

/* Bytes of a hole that will not be filled any more. */
static void count_missed(struct flow_conn *c, int dir, uint32_t n, bool gap)
{
	*missed_of(c, dir) += n;
	if (gap)
		zk_gap(c, dir);
}

static void add_hole(struct flow_conn *c, int dir, uint32_t l, uint32_t r)
{
	struct flow_dir *d = &c->d[dir];

	if (d->nholes == FLOW_HOLES_MAX) {
		/* out of slots: the oldest hole is given up as missed */
		count_missed(c, dir, d->holes[0].right - d->holes[0].left,
			     true);
		drop_hole(d, 0);
	}
	d->holes[d->nholes].left = l;
	d->holes[d->nholes].right = r;
	d->nholes++;
}

/* A segment [s, e) below the highest seq fills what it overlaps. */
static void fill_holes(struct flow_conn *c, int dir, uint32_t s, uint32_t e)
{
	struct flow_dir *d = &c->d[dir];

	for (unsigned i = 0; i < d->nholes;) {
		struct flow_hole *h = &d->holes[i];

		if (SEQ_LEQ(e, h->left) || SEQ_GEQ(s, h->right)) {
			i++;
		} else if (SEQ_LEQ(s, h->left) && SEQ_GEQ(e, h->right)) {
			drop_hole(d, i);
		} else if (SEQ_LEQ(s, h->left)) {
			h->left = e;
			i++;
		} else if (SEQ_GEQ(e, h->right)) {
			h->right = s;
			i++;
		} else {
			/* a split: keep the upper part, and the lower
			 * one too if there is a free slot */
			uint32_t l = h->left;

			h->left = e;
			if (d->nholes < FLOW_HOLES_MAX)
				add_hole(c, dir, l, s);
			else
				count_missed(c, dir, s - l, true);
			i++;
		}
	}
}

/*
 * The peer acked up to `ack`: what is still missing below it was
 * delivered without passing the capture point (Zeek's content gap).
 * Gaps revealed by a FIN are counted but get no 'g' letter, as in Zeek.
 */
static void ack_reveals_gaps(struct flow_conn *c, int dir, uint32_t ack,
			     bool fin)
{
	struct flow_dir *d = &c->d[dir];

	for (unsigned i = 0; i < d->nholes;) {
		struct flow_hole *h = &d->holes[i];

		if (SEQ_LEQ(h->right, ack)) {
			count_missed(c, dir, h->right - h->left, !fin);
			drop_hole(d, i);
		} else {
			if (SEQ_GT(ack, h->left)) {
				count_missed(c, dir, ack - h->left, !fin);
				h->left = ack;
			}
			i++;
		}
	}
	if (d->nxt_known && SEQ_GT(ack, d->snd_nxt)) {
		count_missed(c, dir, ack - d->snd_nxt, !fin);
		d->snd_nxt = ack;
	}
}

/* Sequence bookkeeping after the states moved: snd_nxt, acks, gaps. */
static void track_seq(struct flow_conn *c, const struct flow_pkt *pk)
{
	struct flow_dir *d = &c->d[pk->from];
	uint16_t f = pk->flags;
	uint32_t end = pk->seq + pk->len + !!(f & TCP_SYN) + !!(f & TCP_FIN);

	if (f & TCP_RST)
		return;         /* RST seqs and acks are not trusted */
	if (!d->nxt_known) {
		d->nxt_known = true;
		d->first_seq = pk->seq;
		d->snd_nxt = end;
	} else {
		if (SEQ_GT(pk->seq, d->snd_nxt))
			add_hole(c, pk->from, d->snd_nxt, pk->seq);
		else if (d->nholes && SEQ_GT(end, pk->seq))
			fill_holes(c, pk->from, pk->seq, end);
		d->snd_nxt = SEQ_GT(end, d->snd_nxt) ? end : d->snd_nxt;
	}
	if (!(f & TCP_ACK))
		return;
	if (!d->ack_known || SEQ_GT(pk->ack, d->hi_ack)) {
		d->hi_ack = pk->ack;
		d->ack_known = true;
	}
	ack_reveals_gaps(c, !pk->from, pk->ack, f & TCP_FIN);
}

/* Fields derived from the rest: brought up to date before the record is
 * shown (events, flow_table_foreach(), the final record). */
void conn_sync(struct flow_conn *c)
{
	const struct flow_dir *o = &c->d[D_ORIG], *r = &c->d[D_RESP];

	c->rec.fins_acked = (o->fin_seen || r->fin_seen) &&
			    (!o->fin_seen || o->fin_acked) &&
			    (!r->fin_seen || r->fin_acked);
	c->rec.conn_state = zk_conn_state(c);
}

/* No outcome yet: the handshake is still being made. */
static bool handshake_open(const struct flow_conn *c)
{
	enum handshake_outcome h = c->rec.handshake;

	return h == HS_PENDING || (h == HS_SIMULTANEOUS && !c->hs_done);
}

uint32_t conn_packet(struct flow_conn *c, const struct flow_pkt *pk,
		     struct flow_evq *q)
{
	struct flow_dir *d = &c->d[pk->from];
	struct conn_dir *out = rec_dir(&c->rec, pk->from);
	uint32_t calc, fl;
	bool rst_ok;

	if (pk->ts > c->rec.last_ns)
		c->rec.last_ns = pk->ts;
	if (flow_capture_dup(d, pk)) {
		out->analysis[AN_CAPTURE_DUP]++;
		return 1u << AN_CAPTURE_DUP; /* the same packet: counted once */
	}
	out->pkts++;
	out->bytes += pk->len;
	out->ip_bytes += pk->ip_len;
	d->seen = true;
	zk_packet(c, pk);
	/* the handshake is made of SYNs; most segments are not */
	if (pk->flags & TCP_SYN)
		hs_packet(c, pk, q);
	calc = hs_calc_window(c, pk);
	fl = flow_analyze(c, pk, calc);
	track_window(c, pk, calc);
	rst_ok = tcp_state_packet(c, pk, q);
	/* hs_after_state() acts only on a handshake still open */
	if (handshake_open(c))
		hs_after_state(c, pk, rst_ok, q);
	track_seq(c, pk);
	/* conn_sync() is left to whoever shows the record next (an event,
	 * a snapshot, the end): most segments are shown to nobody */
	return fl;
}

/*
 * Which list (and so which idle timeout) the connection belongs on.
 * Entries that have not shown a working two-way connection count as
 * half-open: a flood of spoofed SYNs, SYN-ACKs or stray ACKs lands
 * there and competes only with itself for max_half_open.
 */
enum flow_list conn_list(const struct flow_conn *c)
{
	const struct flow_dir *o = &c->d[D_ORIG], *r = &c->d[D_RESP];

	if (c->rst_closed || (o->fin_seen && r->fin_seen))
		return LIST_CLOSED;
	if (handshake_open(c))
		return (o->syn_seen && !r->seen) ? LIST_SYN : LIST_HALF;
	if (c->rec.handshake == HS_MIDSTREAM && !(o->seen && r->seen))
		return LIST_HALF;
	return LIST_OPEN;
}

/* A timeout fired on `list`: an unanswered SYN is now "unanswered". */
void conn_timeout(struct flow_conn *c, enum flow_list list)
{
	if (list == LIST_SYN && c->rec.handshake == HS_PENDING)
		c->rec.handshake = HS_UNANSWERED;
}

static enum close_kind close_kind(const struct flow_conn *c, enum flow_end why)
{
	enum handshake_outcome h = c->rec.handshake;
	int fins = c->d[D_ORIG].fin_seen + c->d[D_RESP].fin_seen;

	if (h == HS_REFUSED || h == HS_UNANSWERED || h == HS_ABORTED)
		return CLOSE_NONE;
	if (c->rst_closed)
		return CLOSE_RST;
	if (fins == 2)
		return CLOSE_FIN;
	if (fins == 1)
		return CLOSE_HALF;
	/* an RST that was not acceptable still ended the record's story */
	if (c->d[D_ORIG].rst_seen || c->d[D_RESP].rst_seen)
		return CLOSE_RST;
	switch (why) {
	case END_EVICTED:
		return CLOSE_EVICTED;
	case END_IDLE:
		return CLOSE_IDLE;
	default:
		return CLOSE_OPEN;
	}
}

/* Makes the record final before it is emitted. */
void conn_finalize(struct flow_conn *c, enum flow_end why)
{
	for (int dir = 0; dir < 2; dir++) {
		struct flow_dir *d = &c->d[dir];
		struct conn_dir *out = dir == D_ORIG ? &c->rec.orig
						     : &c->rec.resp;

		/* holes nobody filled by the end were missed */
		while (d->nholes) {
			count_missed(c, dir,
				     d->holes[0].right - d->holes[0].left,
				     false);
			drop_hole(d, 0);
		}
		if (d->zw_open && c->rec.last_ns > d->zw_since)
			out->zero_win_ns = ns_add(out->zero_win_ns,
						  ns_sub(c->rec.last_ns,
							 d->zw_since));
		d->zw_open = false;
	}
	/* A bare SYN the client itself gave up on and resent, with nothing
	 * back by the end: its own retransmission timer already judged it
	 * unanswered, even when the capture ends before our SYN timeout. */
	if (c->rec.handshake == HS_PENDING && c->rec.syn_retrans > 0 &&
	    !c->d[D_RESP].seen)
		c->rec.handshake = HS_UNANSWERED;
	c->rec.close = close_kind(c, why);
	conn_sync(c);
}
