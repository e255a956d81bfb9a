/*
 * Each endpoint's RFC 9293 state (3.3.2), inferred from the wire the way
 * ANCHORS 7.2 describes. An endpoint moves only on evidence: what it sent
 * itself, or an ACK that proves a segment reached the other side. A
 * segment the observer saw is not yet a segment the peer received.
 *
 *   X = the endpoint, P = its peer; "P acks X's FIN" = ack >= FIN + 1.
 *
 *   UNKNOWN ----X sends a bare SYN------------------------> SYN-SENT
 *   UNKNOWN, SYN-SENT --X sends a SYN-ACK acking P's SYN--> SYN-RECEIVED
 *   SYN-SENT --P's SYN-ACK acks X's SYN, or X sends an ACK-> ESTABLISHED
 *   SYN-RECEIVED --P acks X's SYN-------------------------> ESTABLISHED
 *   UNKNOWN --X acks the seq space P was seen to use------> ESTABLISHED
 *                                            (picked up midstream)
 *
 *   ESTABLISHED --X sends FIN--> FIN-WAIT-1 --P acks X's FIN--> FIN-WAIT-2
 *        |                           |                            |
 *        | X acks P's FIN            | X acks P's FIN, or P's     | X acks
 *        v                           v FIN does not ack X's       v P's FIN
 *   CLOSE-WAIT                    CLOSING --P acks X's FIN--> TIME-WAIT
 *        | X sends FIN
 *        v
 *   LAST-ACK --P acks X's FIN--> CLOSED
 *
 *   any state --an acceptable RST from either side--> CLOSED (both)
 *
 * TIME-WAIT lasts 2 MSL on the host; the observer cannot see it end, so an
 * endpoint stays in TIME-WAIT until its record is emitted.
 */
#include "flow_int.h"

static enum ep_state *state_of(struct flow_conn *c, int d)
{
	return &rec_dir(&c->rec, d)->state;
}

static enum ep_state get_state(const struct flow_conn *c, int d)
{
	return rec_dir_c(&c->rec, d)->state;
}

static enum flow_side side_of(int d)
{
	return d == D_ORIG ? SIDE_ORIG : SIDE_RESP;
}

static void enter(struct flow_conn *c, int d, enum ep_state s)
{
	*state_of(c, d) = s;
	if (s == EP_TIME_WAIT && c->rec.time_wait == SIDE_NONE)
		c->rec.time_wait = side_of(d);
}

/*
 * RFC 9293 3.10.7.3: an endpoint in SYN-SENT accepts an RST only with an
 * ACK of its SYN. Otherwise 3.10.7.4 and RFC 5961 3.2: the RST's seq must
 * fall in the receiver's window [RCV.NXT, RCV.NXT + RCV.WND). RFC 5961
 * resets only on an exact RCV.NXT and answers the rest of the window with
 * a challenge ACK; the observer does not know RCV.NXT exactly (segments in
 * flight), so it takes the whole window, estimated by the highest ack the
 * receiver sent and its last window, or an exact match with the sender's
 * next sequence number. With nothing to judge by, the RST is accepted.
 */
bool tcp_rst_acceptable(const struct flow_conn *c, const struct flow_pkt *pk)
{
	const struct flow_dir *snd = &c->d[pk->from];
	const struct flow_dir *rcv = &c->d[!pk->from];
	uint32_t wnd;

	if (get_state(c, !pk->from) == EP_SYN_SENT)
		return (pk->flags & TCP_ACK) && SEQ_GT(pk->ack, rcv->isn) &&
		       SEQ_LEQ(pk->ack, rcv->snd_nxt);
	if (rcv->ack_known) {
		wnd = rcv->win_known && rcv->win_calc > 0 ? rcv->win_calc : 1;
		if (SEQ_GEQ(pk->seq, rcv->hi_ack) &&
		    SEQ_LT(pk->seq, rcv->hi_ack + wnd))
			return true;
	}
	if (snd->nxt_known && pk->seq == snd->snd_nxt)
		return true;
	return !rcv->ack_known && !snd->nxt_known;
}

static bool on_rst(struct flow_conn *c, const struct flow_pkt *pk,
		   struct flow_evq *q)
{
	struct flow_dir *snd = &c->d[pk->from];
	bool ok = tcp_rst_acceptable(c, pk);
	bool first_rst = !c->d[0].rst_seen && !c->d[1].rst_seen;

	if (!snd->rst_seen)
		flow_evq_push(q, FLOW_EV_RST, pk->from);
	snd->rst_seen = true;
	/* rst_by names the RST that closed it, else the first one seen */
	if (first_rst || (ok && !c->rec.rst_in_window)) {
		c->rec.rst_by = side_of(pk->from);
		c->rec.rst_in_window = ok;
	}
	if (ok) {
		enter(c, D_ORIG, EP_CLOSED);
		enter(c, D_RESP, EP_CLOSED);
		c->rst_closed = true;
	}
	return ok;
}

static void on_bare_syn(struct flow_conn *c, int s)
{
	if (get_state(c, s) == EP_UNKNOWN)
		enter(c, s, EP_SYN_SENT);
}

/* X's SYN-ACK is evidence only when it acks P's SYN (7.2: B SYN-RCVD). */
static void on_synack(struct flow_conn *c, const struct flow_pkt *pk)
{
	int s = pk->from, r = !s;
	const struct flow_dir *rcv = &c->d[r];
	enum ep_state ss = get_state(c, s), rs = get_state(c, r);

	if (rcv->syn_seen && !(SEQ_GT(pk->ack, rcv->isn) &&
			       SEQ_LEQ(pk->ack, rcv->snd_nxt)))
		return;
	if (ss == EP_UNKNOWN || ss == EP_SYN_SENT)
		enter(c, s, EP_SYN_RECEIVED);
	if (rs == EP_SYN_SENT || rs == EP_SYN_RECEIVED)
		enter(c, r, EP_ESTABLISHED);
}

/* Midstream: X acks within the seq space P was seen to use. */
static bool acks_seen_space(const struct flow_dir *peer, uint32_t ack)
{
	return peer->nxt_known && SEQ_GEQ(ack, peer->first_seq) &&
	       SEQ_LEQ(ack, peer->snd_nxt);
}

/* A non-SYN ACK from X: the handshake's third step, or a pickup. */
static void on_ack_sync(struct flow_conn *c, const struct flow_pkt *pk)
{
	int s = pk->from, r = !s;
	const struct flow_dir *rcv = &c->d[r];
	bool acks_syn = rcv->syn_seen && SEQ_GT(pk->ack, rcv->isn);

	if (acks_syn && get_state(c, r) == EP_SYN_RECEIVED)
		enter(c, r, EP_ESTABLISHED);
	switch (get_state(c, s)) {
	case EP_SYN_SENT:
		/* sending an ACK means a SYN-ACK arrived, seen or not */
		if (!rcv->syn_seen || acks_syn)
			enter(c, s, EP_ESTABLISHED);
		break;
	case EP_UNKNOWN:
		if (acks_seen_space(rcv, pk->ack))
			enter(c, s, EP_ESTABLISHED);
		break;
	default:
		break;
	}
}

/* P's FIN reached X (X's ack covers it). */
static void fin_received(struct flow_conn *c, int x)
{
	switch (get_state(c, x)) {
	case EP_UNKNOWN:
	case EP_SYN_SENT:
	case EP_SYN_RECEIVED:
	case EP_ESTABLISHED:
		enter(c, x, EP_CLOSE_WAIT);
		break;
	case EP_FIN_WAIT_1:
		enter(c, x, EP_CLOSING);        /* its own FIN still unacked */
		break;
	case EP_FIN_WAIT_2:
		enter(c, x, EP_TIME_WAIT);
		break;
	default:
		break;
	}
}

/* X's own FIN was acked by P. */
static void fin_acked(struct flow_conn *c, int x)
{
	switch (get_state(c, x)) {
	case EP_FIN_WAIT_1:
		enter(c, x, EP_FIN_WAIT_2);
		break;
	case EP_CLOSING:
		enter(c, x, EP_TIME_WAIT);
		break;
	case EP_LAST_ACK:
		enter(c, x, EP_CLOSED);
		break;
	default:
		break;
	}
}

static void on_ack(struct flow_conn *c, const struct flow_pkt *pk)
{
	struct flow_dir *rcv = &c->d[!pk->from];

	if (!(pk->flags & TCP_SYN))
		on_ack_sync(c, pk);
	if (rcv->fin_seen && !rcv->fin_acked &&
	    SEQ_GEQ(pk->ack, rcv->fin_seq + 1)) {
		rcv->fin_acked = true;
		fin_acked(c, !pk->from);
		fin_received(c, pk->from);
	}
}

static void on_fin(struct flow_conn *c, const struct flow_pkt *pk,
		   struct flow_evq *q)
{
	int s = pk->from, r = !s;
	struct flow_dir *snd = &c->d[s];
	const struct flow_dir *rcv = &c->d[r];

	if (snd->fin_seen)
		return;                 /* a resent FIN changes nothing */
	snd->fin_seen = true;
	snd->fin_seq = pk->seq + pk->len;
	if (c->rec.active_closer == SIDE_NONE)
		c->rec.active_closer = side_of(s);
	flow_evq_push(q, FLOW_EV_FIN, s);
	switch (get_state(c, s)) {
	case EP_CLOSE_WAIT:
		enter(c, s, EP_LAST_ACK);
		break;
	case EP_UNKNOWN:
	case EP_SYN_SENT:
	case EP_SYN_RECEIVED:
	case EP_ESTABLISHED:
		enter(c, s, EP_FIN_WAIT_1);
		break;
	default:
		break;
	}
	/*
	 * Simultaneous close (RFC 9293 3.6, case 2): P's FIN is out and
	 * unacked, and X's FIN does not ack it. Each FIN then reaches an
	 * endpoint in FIN-WAIT-1, so both go to CLOSING.
	 */
	if (rcv->fin_seen && !rcv->fin_acked &&
	    get_state(c, r) == EP_FIN_WAIT_1 &&
	    get_state(c, s) == EP_FIN_WAIT_1) {
		enter(c, r, EP_CLOSING);
		enter(c, s, EP_CLOSING);
	}
}

/*
 * Moves the endpoint states for one segment. Returns true when it was an
 * acceptable RST (which closed both endpoints).
 */
bool tcp_state_packet(struct flow_conn *c, const struct flow_pkt *pk,
		      struct flow_evq *q)
{
	uint16_t f = pk->flags;

	if (f & TCP_RST)
		return on_rst(c, pk, q);        /* its ack is not trusted */
	if ((f & TCP_SYN) && (f & TCP_ACK))
		on_synack(c, pk);
	else if (f & TCP_SYN)
		on_bare_syn(c, pk->from);
	if (f & TCP_ACK)
		on_ack(c, pk);
	if (f & TCP_FIN)
		on_fin(c, pk, q);
	return false;
}
