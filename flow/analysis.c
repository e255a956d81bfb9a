/*
 * Wireshark's TCP analysis flags (ANCHORS 5.1, 5.2), counted per
 * direction. The checks, their order and their early exits follow
 * tcp_analyze_sequence_number(); where the user guide, Wireshark's
 * current source and tshark 4.0.17 disagree, hand-made captures and the
 * tcpdump corpus were run through tshark 4.0.17 and this file follows
 * what it printed:
 *
 *  - the spurious-retransmission test comes before fast retransmission
 *    and out-of-order, and does not need seq < nextseq (a segment below
 *    the peer's last ACK but above nextseq is "spurious" and "lost");
 *  - window comparisons (duplicate ACK, window update) use the window
 *    value as sent; "window full" uses the calculated window, and an
 *    exact fill only;
 *  - the first ACK after a SYN-ACK with the same raw window is a
 *    "duplicate ACK" in tshark too;
 *  - "ACKed unseen segment" has two cases (see ack_unseen()).
 *
 * Deliberate differences from tshark 4.0.17:
 *  - the out-of-order threshold is the iRTT when known, else 3 ms, as
 *    ANCHORS 5.2 and current Wireshark have it; tshark 4.0.17 uses 3 ms
 *    always (a segment 5 ms late with a 10 ms iRTT is out-of-order here,
 *    a retransmission there);
 *  - capture duplicates (the same IPv4 packet captured twice) are counted
 *    as AN_CAPTURE_DUP and take no further part in the analysis; tshark
 *    4.0 calls them retransmissions (or duplicate ACKs), which inflates
 *    loss figures on captures taken on "any" or on both sides of a
 *    bridge;
 *  - "known" flags instead of Wireshark's "0 means unknown", so a
 *    sequence number that happens to be 0 is not mistaken for "unset".
 */
#include "flow_int.h"

#define BIT(a) (1u << (a))
#define FAST_RETRANS_WINDOW_NS (20 * NS_PER_MS)
#define OOO_DEFAULT_NS (3 * NS_PER_MS)

/*
 * A capture duplicate is the previous segment of this direction arriving
 * again: same IPv4 id, seq, ack, length, flags and window. A real
 * retransmission carries a new IP id. An id of 0 (some stacks send it on
 * every DF packet) proves nothing, and IPv6 has no id: both go through
 * the normal analysis.
 */
bool flow_capture_dup(struct flow_dir *d, const struct flow_pkt *pk)
{
	bool dup = d->last.valid && pk->ip_version == 4 && pk->ip_id != 0 &&
		   d->last.ip_id == pk->ip_id && d->last.seq == pk->seq &&
		   d->last.ack == pk->ack && d->last.len == pk->len &&
		   d->last.flags == pk->flags && d->last.win == pk->win;

	if (!dup) {
		d->last.valid = pk->ip_version == 4;
		d->last.ip_id = pk->ip_id;
		d->last.seq = pk->seq;
		d->last.ack = pk->ack;
		d->last.len = pk->len;
		d->last.flags = pk->flags;
		d->last.win = pk->win;
	}
	return dup;
}

/* Index of the lowest set bit of a non-zero x. */
static unsigned lowest_bit(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned)__builtin_ctz(x);
#else
	unsigned n = 0;

	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
#endif
}

static bool no_syn_fin_rst(uint16_t f)
{
	return !(f & (TCP_SYN | TCP_FIN | TCP_RST));
}

/*
 * The flags below are worked out with & rather than &&: the operands are
 * plain flags and fields already at hand, and one combined test (or
 * none: a flag bit made from a comparison) predicts better than a chain
 * of branches whose outcome changes from one segment to the next.
 */
#define FLAG_IF(cond, a) ((uint32_t)((cond) != 0) << (a))

/*
 * A pure ACK at nextseq that repeats the last ack: window update,
 * keep-alive ACK, zero window probe ACK or duplicate ACK. Apart from
 * window_checks() because it is rare, so the other segments skip these
 * four checks with one test.
 */
static uint32_t repeat_checks(struct ws_dir *fwd, const struct ws_dir *rev,
			      const struct flow_pkt *pk, uint32_t fl)
{
	bool same_win = fwd->win_known && pk->win == fwd->win_raw;

	if (pk->win != 0 && fwd->win_known && !same_win)
		fl |= BIT(AN_WINDOW_UPDATE);
	if (pk->win != 0 && same_win && (rev->lastflags & BIT(AN_KEEP_ALIVE)))
		return fl | BIT(AN_KEEP_ALIVE_ACK);
	if (pk->win == 0 && same_win &&
	    (rev->lastflags & BIT(AN_ZERO_WINDOW_PROBE)))
		return fl | BIT(AN_ZERO_WINDOW_PROBE_ACK);
	if (pk->win != 0 && same_win) {
		fwd->dupacknum = fwd->dupacknum < 0 ? 1 : fwd->dupacknum + 1;
		fl |= BIT(AN_DUP_ACK);
	}
	return fl;
}

/*
 * The window checks that end with "finished_fwd" in Wireshark: zero
 * window probe, zero window, lost segment, keep-alive, window update,
 * window full, keep-alive ACK, zero window probe ACK, duplicate ACK.
 * `same_ack`: an ACK carrying the ack this direction sent last.
 */
static uint32_t window_checks(struct ws_dir *fwd, const struct ws_dir *rev,
			      const struct flow_pkt *pk, int32_t rel,
			      bool same_ack, bool rev_scale_known)
{
	bool quiet = no_syn_fin_rst(pk->flags);
	bool known = fwd->nextseq_known;
	bool at_next = known & (rel == 0);
	uint32_t fl;

	/* ZWP: one byte at nextseq while the peer's window is closed */
	if ((pk->len == 1) & at_next & rev->win_known & (rev->win_raw == 0))
		return BIT(AN_ZERO_WINDOW_PROBE);
	fl = FLAG_IF((pk->win == 0) & quiet, AN_ZERO_WINDOW);
	/* ahead of nextseq or behind it: seldom */
	if (known & (rel != 0)) {
		fl |= FLAG_IF((rel > 0) & !(pk->flags & TCP_RST),
			      AN_LOST_SEGMENT);
		/* SYN/FIN/RST segments are never keep-alives (the code;
		 * the user guide says the opposite) */
		fl |= FLAG_IF((rel == -1) & (pk->len <= 1) & quiet,
			      AN_KEEP_ALIVE);
	}
	/* exactly reaching the edge counts; going past it does not. The
	 * rare part is tested first: the rest holds for most data. */
	if (pk->seq + pk->len == rev->lastack + rev->win_calc)
		fl |= FLAG_IF((pk->len > 0) & rev_scale_known &
				      rev->lastack_known & quiet,
			      AN_WINDOW_FULL);
	if ((pk->len == 0) & at_next & same_ack & quiet)
		fl = repeat_checks(fwd, rev, pk, fl);
	return fl;
}

/*
 * "ACKed unseen segment": the ack passes the highest contiguous seq the
 * peer was seen to send (maxseqtobeacked). Two cases, as tshark 4.0.17
 * behaves (fitted on hand-made captures and on the tcpdump corpus; the
 * user guide's one-line rule and Wireshark's current source both differ):
 *  - a hole inside what the peer sent (maxseqtobeacked < nextseq): flag,
 *    and move maxseqtobeacked up to nextseq so the hole is reported once;
 *  - the ack passes everything the peer sent: flag only if the peer's
 *    dup-ACK counter is 0, and then set it to -1, so an ACK stream racing
 *    ahead of a silent peer is reported once, until the peer's own ack
 *    moves again. A counter already counting dup ACKs is left alone (so
 *    a fast retransmission they call for is still seen as one).
 */
static uint32_t ack_unseen(struct ws_dir *rev, const struct flow_pkt *pk)
{
	if (!(pk->flags & TCP_ACK) || !rev->mstba_known ||
	    !SEQ_GT(pk->ack, rev->mstba))
		return 0;
	if (rev->nextseq_known && SEQ_LT(rev->mstba, rev->nextseq)) {
		rev->mstba = rev->nextseq;
		return BIT(AN_ACK_UNSEEN);
	}
	if (rev->dupacknum != 0)
		return 0;       /* reported already, or dup ACKs are counting */
	rev->dupacknum = -1;
	return BIT(AN_ACK_UNSEEN);
}

/*
 * A segment below nextseq: fast retransmission, out-of-order or
 * retransmission (the keep-alive and the spurious cases were ruled out).
 */
static uint32_t resend_kind(const struct ws_dir *fwd, const struct ws_dir *rev,
			    const struct flow_pkt *pk, uint32_t seg_end,
			    int64_t irtt_ns)
{
	int64_t dt, thres;

	/* >= 2 dup ACKs from the peer for this seq, the last < 20 ms ago */
	dt = ns_sub(pk->ts, rev->lastack_ns);
	if (rev->dupacknum >= 2 && rev->lastack_known &&
	    rev->lastack == pk->seq && dt >= 0 && dt < FAST_RETRANS_WINDOW_NS)
		return BIT(AN_FAST_RETRANS);
	/* close behind the segment that set nextseq: iRTT, else 3 ms
	 * (ANCHORS 5.2; tshark 4.0.17 always uses 3 ms, see the top) */
	thres = irtt_ns > 0 ? irtt_ns : OOO_DEFAULT_NS;
	dt = ns_sub(pk->ts, fwd->nextseq_ns);
	if (dt >= 0 && dt < thres && fwd->nextseq != seg_end)
		return BIT(AN_OUT_OF_ORDER);
	return BIT(AN_RETRANS);
}

/*
 * Segments that carry data or SYN/FIN but do not advance nextseq.
 * Precedence (as in tshark 4.0.17): keep-alive, spurious, fast
 * retransmission, out-of-order, retransmission. `rel` is where the
 * segment starts against nextseq, `seg_end` the seq after it (SYN and
 * FIN count one). The two rare conditions are tested first; whether a
 * segment carries data, tested after them, is a coin toss.
 */
static uint32_t resend_checks(const struct ws_dir *fwd,
			      const struct ws_dir *rev,
			      const struct flow_pkt *pk, int32_t rel,
			      uint32_t fl, uint32_t seg_end,
			      const struct conn_record *rec)
{
	bool synfin = pk->flags & (TCP_SYN | TCP_FIN);
	/* more than one byte starting just below nextseq is new data after
	 * a zero window probe that was not ACKed */
	bool not_adv = fwd->nextseq_known & (rel < 0) &
		       !((pk->len > 1) & (rel == -1));
	bool spurious = (pk->len > 0) & rev->lastack_known &
			SEQ_LEQ(pk->seq + pk->len, rev->lastack);

	if (!(not_adv | spurious))
		return 0;
	if (((pk->len == 0) & !synfin) | ((fl & BIT(AN_KEEP_ALIVE)) != 0))
		return 0;
	if (spurious)
		return BIT(AN_SPURIOUS_RETRANS);
	return resend_kind(fwd, rev, pk, seg_end, rec->irtt_ns);
}

/* What this segment leaves behind for the next one (5.1). */
static void remember(struct ws_dir *fwd, const struct flow_pkt *pk,
		     uint32_t fl, uint32_t seg_end, uint32_t calc_win)
{
	bool zwp = fl & BIT(AN_ZERO_WINDOW_PROBE);

	/* a zero window probe does not move nextseq */
	if (!zwp && (!fwd->nextseq_known || SEQ_GT(seg_end, fwd->nextseq))) {
		fwd->nextseq = seg_end;
		fwd->nextseq_known = true;
		fwd->nextseq_ns = pk->ts;
	}
	if (!zwp && fwd->nextseq_known &&
	    (!fwd->mstba_known || pk->seq == fwd->mstba)) {
		fwd->mstba = fwd->nextseq;
		fwd->mstba_known = true;
	}
	fwd->win_raw = pk->win;
	fwd->win_calc = calc_win;
	fwd->win_known = true;
	if (pk->flags & TCP_ACK) {
		fwd->lastack = pk->ack;
		fwd->lastack_known = true;
	}
	fwd->lastack_ns = pk->ts;
	fwd->lastflags = fl;
}

/*
 * Analyses one segment; counts its flags in the sender's direction and
 * returns them as a bit set (bit n = enum flow_analysis n).
 */
uint32_t flow_analyze(struct flow_conn *c, const struct flow_pkt *pk,
		      uint32_t calc_win)
{
	struct ws_dir *fwd = &c->d[pk->from].ws, *rev = &c->d[!pk->from].ws;
	struct conn_dir *out = rec_dir(&c->rec, pk->from);
	bool rev_scale_known = c->d[!pk->from].shift >= 0;
	bool ack = pk->flags & TCP_ACK;
	bool same_ack = ack & fwd->lastack_known & (pk->ack == fwd->lastack);
	uint32_t seg_end = pk->seq + pk->len +
			   ((pk->flags & (TCP_SYN | TCP_FIN)) != 0);
	/* where the segment starts against nextseq (meaningless while
	 * nextseq is not known) */
	int32_t rel = SEQ_DIFF(pk->seq, fwd->nextseq);
	uint32_t fl;

	fl = window_checks(fwd, rev, pk, rel, same_ack, rev_scale_known);
	/* Wireshark's "finished_fwd": a new ack restarts the dup count */
	if (ack && !same_ack)
		fwd->dupacknum = 0;
	fl |= ack_unseen(rev, pk);
	fl |= resend_checks(fwd, rev, pk, rel, fl, seg_end, &c->rec);
	remember(fwd, pk, fl, seg_end, calc_win);
	/* most segments carry no flag at all */
	for (uint32_t rest = fl; rest; rest &= rest - 1)
		out->analysis[lowest_bit(rest)]++;
	return fl;
}
