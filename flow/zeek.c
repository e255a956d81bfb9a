/*
 * Zeek's view of a connection: the endpoint states behind conn_state, the
 * conn_state rules and the history letters (ANCHORS 6.1 - 6.3). Kept apart
 * from the RFC 9293 states in tcp_state.c on purpose: Zeek moves an
 * endpoint on flags alone (any RST means RESET, any FIN means CLOSED), and
 * its labels must come out the way Zeek's would.
 *
 *   INACTIVE --SYN (orig)--------> SYN_SENT --SYN-ACK from resp--+
 *       |   --SYN+ACK (orig)-----> SYN_ACK_SENT                   |
 *       |   --SYN or SYN-ACK (resp)-----------------> ESTABLISHED <+
 *       |   --ACK after peer's SYN-ACK -------------> ESTABLISHED
 *       +---other segment------> PARTIAL
 *   any but RESET --FIN--> CLOSED        any --RST--> RESET
 *   (CLOSED ignores an RST once the peer has closed too)
 *
 * One deliberate difference: a segment with a bad checksum gets its 'c'
 * letter but is still processed. Zeek drops it, which with checksum
 * offloading (outgoing packets captured before the NIC fills the sum in)
 * would throw away one whole direction.
 */
#include <string.h>

#include "flow_int.h"

/* Zeek's TOO_LARGE_SEQ_DELTA: SYN/RST seqs that jump further are ignored */
#define ZK_TOO_LARGE (1 << 20)

enum {
	HIST_SYN = 1 << 0,
	HIST_FIN = 1 << 1,
	HIST_RST = 1 << 2,
	HIST_ACK = 1 << 3,
	HIST_DATA = 1 << 4,
	HIST_FIN_RST = 1 << 5,
	HIST_MULTI = 1 << 6,
};

void zk_init(struct flow_conn *c)
{
	for (int d = 0; d < 2; d++) {
		c->d[d].zk.state = ZKE_INACTIVE;
		c->d[d].zk.prev = ZKE_INACTIVE;
		for (int i = 0; i < ZKS__COUNT; i++)
			c->d[d].zk.thresh[i] = 1;
	}
}

/* Upper case for the originator, lower case for the responder. */
void zk_hist_add(struct flow_conn *c, char letter, int dir)
{
	size_t n = strlen(c->rec.history);

	if (n + 1 >= FLOW_HISTORY_MAX)
		return;         /* full: later letters are dropped */
	if (dir == D_RESP && letter >= 'A' && letter <= 'Z')
		letter = (char)(letter - 'A' + 'a');
	c->rec.history[n] = letter;
	c->rec.history[n + 1] = '\0';
}

/* Records `letter` the first time only; true if it was seen before. */
static bool check_history(struct flow_conn *c, int dir, uint16_t mask,
			  char letter)
{
	struct zk_dir *z = &c->d[dir].zk;

	if (z->hist_seen & mask)
		return true;
	z->hist_seen |= mask;
	zk_hist_add(c, letter, dir);
	return false;
}

/* Log-scale letters: the 1st, 10th, 100th, ... event adds one. */
static void scaled_history(struct flow_conn *c, int dir, enum zk_scaled w,
			   char letter)
{
	struct zk_dir *z = &c->d[dir].zk;

	if (++z->count[w] == z->thresh[w]) {
		zk_hist_add(c, letter, dir);
		z->thresh[w] *= 10;
	}
}

void zk_gap(struct flow_conn *c, int dir)
{
	scaled_history(c, dir, ZKS_GAP, 'G');
}

static void set_state(struct zk_dir *z, enum zk_ep st)
{
	if (z->state != st) {
		z->prev = z->state;
		z->state = st;
	}
}

/* SYN and FIN take one sequence number; an RST's payload takes none. */
static uint32_t seg_len(const struct flow_pkt *pk)
{
	uint32_t n = pk->len;

	if (pk->flags & TCP_SYN)
		n++;
	if (pk->flags & TCP_FIN)
		n++;
	if (pk->flags & TCP_RST)
		n -= pk->len;
	return n;
}

/* Zeek's init_endpoint(): where relative sequence numbers start. */
static void init_endpoint(struct zk_dir *z, const struct flow_pkt *pk,
			  uint32_t one_past)
{
	bool syn = pk->flags & TCP_SYN;

	switch (z->state) {
	case ZKE_INACTIVE:
		z->start = syn ? pk->seq : pk->seq - 1;
		/* a first non-SYN segment must not count as a resend */
		z->last = syn ? one_past : pk->seq;
		return;
	case ZKE_SYN_SENT:
	case ZKE_SYN_ACK_SENT:
		syn = syn && pk->seq != z->start;
		break;
	case ZKE_ESTABLISHED:
	case ZKE_PARTIAL:
		break;
	case ZKE_RESET:
		syn = syn && z->prev == ZKE_INACTIVE;
		break;
	default:
		syn = false;
		break;
	}
	if (syn) {
		z->start = pk->seq;
		z->last = one_past;
	}
}

/* ANCHORS 6.3: map the flags of one segment to its history letter. */
static void update_history(struct flow_conn *c, const struct flow_pkt *pk,
			   uint32_t rel)
{
	int dir = pk->from;
	struct zk_dir *z = &c->d[dir].zk;
	uint16_t f = pk->flags;
	int bits = !!(f & TCP_SYN) + !!(f & TCP_FIN) + !!(f & TCP_RST);

	if (bits == 0) {
		/* the common case: data or a bare ACK. The two take turns,
		 * so the letter is picked by arithmetic, not a branch; the
		 * one test left, whether the letter is new, seldom passes */
		bool data = pk->len != 0;
		bool ack = !data & ((f & TCP_ACK) != 0);
		uint16_t mask = (uint16_t)(data * HIST_DATA | ack * HIST_ACK);

		if (mask & ~z->hist_seen)
			check_history(c, dir, mask, data ? 'D' : 'A');
	} else if (bits > 1) {
		if ((f & TCP_FIN) && (f & TCP_RST))
			check_history(c, dir, HIST_FIN_RST, 'I');
		else
			check_history(c, dir, HIST_MULTI, 'Q');
	} else if (f & TCP_SYN) {
		char code = (f & TCP_ACK) ? 'H' : 'S';

		/* S and H share one slot: again only for a new seq */
		if (check_history(c, dir, HIST_SYN, code) && rel != z->last_syn)
			zk_hist_add(c, code, dir);
		z->last_syn = rel;
	} else if (f & TCP_FIN) {
		/* a FIN's number is at the end of its data */
		if (check_history(c, dir, HIST_FIN, 'F') &&
		    rel + pk->len != z->last_fin)
			zk_hist_add(c, 'F', dir);
		z->last_fin = rel + pk->len;
	} else {        /* RST */
		if (check_history(c, dir, HIST_RST, 'R') && rel != z->last_rst)
			zk_hist_add(c, 'R', dir);
		z->last_rst = rel;
	}
}

/* Zeek's update_last_seq(): a payload that does not advance is a 't'. */
static void update_last_seq(struct flow_conn *c, const struct flow_pkt *pk,
			    uint32_t one_past)
{
	struct zk_dir *z = &c->d[pk->from].zk;
	int32_t delta = SEQ_DIFF(one_past, z->last);

	if ((pk->flags & (TCP_SYN | TCP_RST)) &&
	    (delta > ZK_TOO_LARGE || delta < -ZK_TOO_LARGE))
		return;
	if ((pk->flags & TCP_FIN) && z->last == z->start + 1)
		z->last = one_past;     /* > 2 GB seen as SYN and FIN only */
	else if (z->state == ZKE_RESET)
		return;                 /* seqs after an RST are not trusted */
	else if (delta > 0)
		z->last = one_past;
	else if (pk->len > 0)
		scaled_history(c, pk->from, ZKS_RXMIT, 'T');
}

static void on_inactive(struct flow_conn *c, const struct flow_pkt *pk)
{
	int s = pk->from;
	struct zk_dir *e = &c->d[s].zk, *peer = &c->d[!s].zk;
	uint16_t f = pk->flags;

	if (f & TCP_SYN) {
		if (s == D_ORIG) {
			set_state(e, (f & TCP_ACK) ? ZKE_SYN_ACK_SENT
						   : ZKE_SYN_SENT);
		} else {
			/* a SYN-ACK, or a bare SYN (simultaneous open):
			 * both sides count as established. Zeek's
			 * SYN/SYN-ACK reversal cannot occur here, since
			 * a SYN-ACK sender is always made the responder. */
			if (peer->state == ZKE_SYN_SENT)
				set_state(peer, ZKE_ESTABLISHED);
			set_state(e, ZKE_ESTABLISHED);
		}
	}
	if (f & TCP_FIN)
		set_state(e, ZKE_CLOSED);
	if (f & TCP_RST)
		set_state(e, ZKE_RESET);
	if (e->state != ZKE_INACTIVE)
		return;
	if (s == D_RESP && pk->len == 0 && peer->state == ZKE_SYN_SENT)
		return;         /* an ACK before the SYN-ACK is not partial */
	if ((f & TCP_ACK) && peer->state == ZKE_ESTABLISHED)
		set_state(e, ZKE_ESTABLISHED);  /* SYN missed, SYN-ACK seen */
	else
		set_state(e, ZKE_PARTIAL);
}

static void on_established(struct flow_conn *c, const struct flow_pkt *pk)
{
	int s = pk->from;
	struct zk_dir *e = &c->d[s].zk, *peer = &c->d[!s].zk;
	uint16_t f = pk->flags;

	if ((f & TCP_SYN) && !(f & TCP_ACK) && e->state == ZKE_PARTIAL &&
	    peer->state == ZKE_INACTIVE)
		set_state(e, ZKE_SYN_SENT);             /* SYN_after_partial */
	if ((f & TCP_FIN) && !(f & TCP_RST)) {
		set_state(e, ZKE_CLOSED);
		/* the peer's FIN then RST was a normal close after all */
		if (peer->state == ZKE_RESET && peer->prev == ZKE_CLOSED)
			set_state(peer, ZKE_CLOSED);
	}
	if (f & TCP_RST)
		set_state(e, ZKE_RESET);
}

static void update_state(struct flow_conn *c, const struct flow_pkt *pk)
{
	struct zk_dir *e = &c->d[pk->from].zk;
	struct zk_dir *peer = &c->d[!pk->from].zk;

	switch (e->state) {
	case ZKE_INACTIVE:
		on_inactive(c, pk);
		break;
	case ZKE_SYN_SENT:
	case ZKE_SYN_ACK_SENT:
		if (pk->flags & TCP_FIN)
			set_state(e, ZKE_CLOSED);
		if (pk->flags & TCP_RST)
			set_state(e, ZKE_RESET);
		break;
	case ZKE_ESTABLISHED:
	case ZKE_PARTIAL:
		on_established(c, pk);
		break;
	case ZKE_CLOSED:
		/* after a full FIN exchange an RST changes nothing */
		if ((pk->flags & TCP_RST) && peer->state != ZKE_CLOSED)
			set_state(e, ZKE_RESET);
		break;
	case ZKE_RESET:
		break;
	}
}

/* One segment, in the order of Zeek's TCPSessionAdapter::Process(). */
void zk_packet(struct flow_conn *c, const struct flow_pkt *pk)
{
	int s = pk->from;
	struct zk_dir *e = &c->d[s].zk, *peer = &c->d[!s].zk;
	uint32_t one_past = pk->seq + seg_len(pk);

	if (pk->csum_bad)
		scaled_history(c, s, ZKS_CSUM, 'C');
	/* where the numbers start moves only with the first segment or a
	 * SYN */
	if (e->state == ZKE_INACTIVE || (pk->flags & TCP_SYN))
		init_endpoint(e, pk, one_past);
	update_history(c, pk, pk->seq - e->start);
	/* zero windows with or after an RST, or after the peer's FIN, are
	 * not interesting (Zeek's update_window) */
	if (pk->win == 0 && !(pk->flags & TCP_RST) &&
	    peer->state != ZKE_CLOSED && e->state != ZKE_RESET)
		scaled_history(c, s, ZKS_WIN0, 'W');
	update_last_seq(c, pk, one_past);
	/* without SYN, FIN or RST a segment moves only an endpoint that
	 * has sent nothing yet (see update_state()) */
	if (e->state == ZKE_INACTIVE ||
	    (pk->flags & (TCP_SYN | TCP_FIN | TCP_RST)))
		update_state(c, pk);
}

/* Zeek's RSTOS0 test: the whole history matches ^?S[^HAFGIQ]*R.* */
static bool history_is_syn_then_rst(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h))
			return false;
	}
	return false;
}

static bool zk_inactive(enum zk_ep s)
{
	return s == ZKE_INACTIVE || s == ZKE_PARTIAL;
}

/* ANCHORS 6.2: the first matching rule wins, in this order. */
enum zeek_state zk_conn_state(const struct flow_conn *c)
{
	enum zk_ep os = c->d[D_ORIG].zk.state, rs = c->d[D_RESP].zk.state;
	bool o_inact = zk_inactive(os), r_inact = zk_inactive(rs);
	bool no_bytes = c->rec.orig.bytes == 0 && c->rec.resp.bytes == 0;

	if (rs == ZKE_RESET) {
		if (os == ZKE_SYN_SENT || os == ZKE_SYN_ACK_SENT ||
		    (os == ZKE_RESET && no_bytes))
			return ZK_REJ;
		return o_inact ? ZK_RSTRH : ZK_RSTR;
	}
	if (os == ZKE_RESET) {
		if (!r_inact)
			return ZK_RSTO;
		return history_is_syn_then_rst(c->rec.history) ? ZK_RSTOS0
							       : ZK_OTH;
	}
	if (os == ZKE_CLOSED && rs == ZKE_CLOSED)
		return ZK_SF;
	if (os == ZKE_CLOSED)
		return r_inact ? ZK_SH : ZK_S2;
	if (rs == ZKE_CLOSED)
		return o_inact ? ZK_SHR : ZK_S3;
	if (os == ZKE_SYN_SENT && rs == ZKE_INACTIVE)
		return ZK_S0;
	if (os == ZKE_ESTABLISHED && rs == ZKE_ESTABLISHED)
		return ZK_S1;
	return ZK_OTH;
}
