/*
 * The handshake: SYN, SYN-ACK and ACK times, retransmission counts, what
 * each side negotiated (MSS, window scale, SACK, timestamps, ECN, TFO,
 * MPTCP), the calculated window and the outcome.
 *
 * iRTT follows Wireshark (tcp.analysis.initial_rtt): from the SYN to the
 * ACK that completes the handshake, where "the SYN" is the most recent
 * one sent before the SYN-ACK (Wireshark's ts_mru_syn; verified with
 * tshark 4.0.17: a SYN resent after 1 s and answered 10 ms later gives an
 * iRTT of 10.1 ms, not 1.01 s). Its halves use the same SYN, so
 * syn_synack_ns + synack_ack_ns == irtt_ns. Unlike Wireshark, an RST+ACK
 * answering the SYN does not set an iRTT: no handshake completed.
 */
#include "flow_int.h"

/* RFC 7323 2.3: a shift above 14 is used as 14. */
#define WSCALE_MAX 14

static void record_opts(struct flow_dir *d, struct conn_opts *o,
			const struct flow_pkt *pk)
{
	uint32_t present = pk->opt_present;
	bool synack = pk->flags & TCP_ACK;
	uint16_t ecn = pk->flags & (TCP_ECE | TCP_CWR);

	o->mss = (present & TCPOPT_HAS_MSS) ? (int32_t)pk->opt_mss : -1;
	o->wscale = -1;
	if (present & TCPOPT_HAS_WSCALE)
		o->wscale = (int8_t)(pk->opt_wscale > WSCALE_MAX
					     ? WSCALE_MAX
					     : pk->opt_wscale);
	d->wscale_opt = o->wscale;
	o->sack_ok = present & TCPOPT_HAS_SACKOK;
	o->ts = present & TCPOPT_HAS_TS;
	o->tfo = present & TCPOPT_HAS_TFO;
	o->mptcp = present & TCPOPT_HAS_MPTCP;
	/* RFC 3168 6.1.1: an ECN-setup SYN has ECE and CWR, the SYN-ACK
	 * ECE without CWR */
	o->ecn = synack ? ecn == TCP_ECE : ecn == (TCP_ECE | TCP_CWR);
}

/*
 * RFC 7323 2.2: scaling is in force only when both SYNs carried the
 * option. Until both SYNs were seen the scale stays unknown (-1), and
 * windows are taken as sent.
 */
static void resolve_scale(struct flow_conn *c)
{
	struct flow_dir *o = &c->d[D_ORIG], *r = &c->d[D_RESP];

	if (!o->syn_seen || !r->syn_seen)
		return;
	if (o->wscale_opt >= 0 && r->wscale_opt >= 0) {
		o->shift = o->wscale_opt;
		r->shift = r->wscale_opt;
	} else {
		o->shift = 0;
		r->shift = 0;
	}
}

/* The window this segment offers; SYN and SYN-ACK windows never scale. */
uint32_t hs_calc_window(const struct flow_conn *c, const struct flow_pkt *pk)
{
	int8_t shift = c->d[pk->from].shift;

	if ((pk->flags & TCP_SYN) || shift <= 0)
		return pk->win;
	return (uint32_t)pk->win << shift;
}

static void first_syn(struct flow_conn *c, int from, const struct flow_pkt *pk)
{
	struct flow_dir *d = &c->d[from];
	struct conn_dir *out = rec_dir(&c->rec, from);

	d->syn_seen = true;
	d->isn = pk->seq;
	d->syn_ns = pk->ts;
	out->isn = pk->seq;
	out->isn_seen = true;
	record_opts(d, &out->opts, pk);
	resolve_scale(c);
}

static void on_bare_syn(struct flow_conn *c, const struct flow_pkt *pk,
			struct flow_evq *q)
{
	struct flow_dir *d = &c->d[pk->from];

	if (pk->from == D_RESP) {
		/* RFC 9293 3.5: both sides sent a SYN (simultaneous open) */
		if (!d->syn_seen && c->d[D_ORIG].syn_seen &&
		    c->rec.handshake == HS_PENDING) {
			c->rec.handshake = HS_SIMULTANEOUS;
			first_syn(c, D_RESP, pk);
		}
		return;
	}
	if (!d->syn_seen) {
		first_syn(c, D_ORIG, pk);
		c->rec.syn_ns = pk->ts;
		flow_evq_push(q, FLOW_EV_SYN, D_ORIG);
	} else if (pk->seq == d->isn) {
		c->rec.syn_retrans++;
		if (!c->synack_seen)
			d->syn_ns = pk->ts;     /* the SYN the answer is to */
	}
}

static void on_synack(struct flow_conn *c, const struct flow_pkt *pk,
		      struct flow_evq *q)
{
	struct flow_dir *o = &c->d[D_ORIG], *r = &c->d[D_RESP];

	if (pk->from != D_RESP)
		return;         /* the orig's half of a simultaneous open */
	/* 7.2: only a SYN-ACK that acks the SYN we saw answers it */
	if (o->syn_seen &&
	    !(SEQ_GT(pk->ack, o->isn) && SEQ_LEQ(pk->ack, o->snd_nxt)))
		return;
	if (!r->syn_seen)
		first_syn(c, D_RESP, pk);
	if (!c->synack_seen) {
		c->synack_seen = true;
		c->rec.synack_ns = pk->ts;
		c->synack_ack = pk->ack;
		if (o->syn_seen && pk->ts >= o->syn_ns)
			c->rec.syn_synack_ns = ns_sub(pk->ts, o->syn_ns);
		flow_evq_push(q, FLOW_EV_SYNACK, D_RESP);
	} else if (pk->seq == r->isn) {
		c->rec.synack_retrans++;
	}
}

/* Records SYNs and SYN-ACKs; runs before the analysis and the states. */
void hs_packet(struct flow_conn *c, const struct flow_pkt *pk,
	       struct flow_evq *q)
{
	uint16_t f = pk->flags;

	if (!(f & TCP_SYN) || (f & TCP_RST))
		return;
	if (f & TCP_ACK)
		on_synack(c, pk, q);
	else
		on_bare_syn(c, pk, q);
}

static void complete(struct flow_conn *c, const struct flow_pkt *pk,
		     struct flow_evq *q)
{
	const struct flow_dir *o = &c->d[D_ORIG];
	int64_t syn = o->syn_ns, synack = c->rec.synack_ns;

	c->hs_done = true;
	c->rec.ack_ns = pk->ts;
	if (c->rec.handshake == HS_PENDING) {
		c->rec.handshake = HS_ESTABLISHED;
		if (o->syn_seen && pk->ts >= syn)
			c->rec.irtt_ns = ns_sub(pk->ts, syn);
		if (c->synack_seen && pk->ts >= synack)
			c->rec.synack_ack_ns = ns_sub(pk->ts, synack);
	}
	flow_evq_push(q, FLOW_EV_ESTABLISHED, pk->from);
}

/*
 * The orig's ACK that completes the handshake: it acks the SYN-ACK. When
 * the SYN-ACK was not captured and the responder was seen, it must at
 * least have acked the SYN. When the responder was not seen at all (a
 * capture of one direction only, as asymmetric routing gives), the
 * client's ACK after its SYN is the evidence that a SYN-ACK reached it,
 * and Wireshark takes that ACK for the iRTT too.
 */
static bool completes(const struct flow_conn *c, const struct flow_pkt *pk)
{
	const struct flow_dir *o = &c->d[D_ORIG], *r = &c->d[D_RESP];

	if (c->rec.handshake != HS_PENDING || pk->from != D_ORIG ||
	    !(pk->flags & TCP_ACK) || (pk->flags & (TCP_SYN | TCP_RST)))
		return false;
	if (r->syn_seen)
		return SEQ_GT(pk->ack, r->isn);
	if (!o->syn_seen)
		return false;
	if (c->rec.resp.pkts == 0)
		return true;
	return r->ack_known && SEQ_GT(r->hi_ack, o->isn);
}

/* Runs after the endpoint states moved: completion and RST outcomes. */
void hs_after_state(struct flow_conn *c, const struct flow_pkt *pk,
		    bool rst_ok, struct flow_evq *q)
{
	enum handshake_outcome h = c->rec.handshake;
	bool open = h == HS_PENDING || (h == HS_SIMULTANEOUS && !c->hs_done);

	if (completes(c, pk)) {
		complete(c, pk, q);
	} else if (h == HS_SIMULTANEOUS && !c->hs_done &&
		   c->rec.orig.state == EP_ESTABLISHED &&
		   c->rec.resp.state == EP_ESTABLISHED) {
		complete(c, pk, q);
	} else if (rst_ok && open) {
		/* an RST before the handshake completed: the answer to the
		 * SYN (refused), or an abort of an answered attempt */
		if (pk->from == D_RESP && !c->synack_seen &&
		    c->d[D_ORIG].syn_seen) {
			c->rec.handshake = HS_REFUSED;
			flow_evq_push(q, FLOW_EV_REFUSED, D_RESP);
		} else {
			c->rec.handshake = HS_ABORTED;
		}
	}
}
