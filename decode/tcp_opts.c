/*
 * TCP options (RFC 9293 3.1 and 3.2): walked once, in wire order, into a
 * list of what stood there and a summary of the values that were sound.
 * A length byte that cannot be trusted stops the walk, since every later
 * option boundary would be a guess; a length that is merely wrong for its
 * kind is flagged and the walk goes on by it, like tshark does.
 */
#include <stddef.h>
#include <string.h>

#include "decode_internal.h"

#define TCP_FIXED_LEN 20
#define TFO_EXP_MAGIC 0xF989    /* RFC 7413 4.1.1: pre-assignment kind 254 */

/* RFC 7413 4.1.1: cookies are 4 to 16 bytes, in practice even-sized. */
static bool tfo_cookie_len_ok(uint32_t n)
{
	return n == 0 || (n >= 4 && n <= 16 && n % 2 == 0);
}

static void opt_len_bad(struct tcp_opt *e, struct decoded_packet *pkt,
			enum decode_anomaly a)
{
	e->bad = 1;
	decode_anom(pkt, a);
}

/* True for the first sound option of its kind; later ones are duplicates. */
static bool opt_first(struct tcp_opts *o, uint32_t bit,
		      struct decoded_packet *pkt)
{
	if (o->present & bit) {
		decode_anom(pkt, ANOM_TCP_OPT_DUPLICATE);
		return false;
	}
	o->present |= bit;
	return true;
}

/* RFC 2018 3: 8 bytes per block after kind and length, 1 to 4 blocks. */
static void opt_sack(struct tcp_opts *o, struct tcp_opt *e, struct cursor *v,
		     struct decoded_packet *pkt)
{
	if (e->len < 10 || e->len > 34 || (e->len - 2) % 8 != 0) {
		opt_len_bad(e, pkt, ANOM_TCP_OPT_SACK_LEN);
		return;
	}
	if (o->present & TCPOPT_HAS_SACK)
		return;
	o->present |= TCPOPT_HAS_SACK;
	o->sack_count = (uint8_t)((e->len - 2) / 8);
	for (unsigned i = 0; i < o->sack_count; i++) {
		o->sack[i].left = cur_be32(v);
		o->sack[i].right = cur_be32(v);
	}
}

/*
 * RFC 7413 4.1.1: kind 34 carries the cookie after 2 bytes; the
 * experimental kind 254 after a 2-byte magic (`hdr` is 2 or 4).
 */
static void opt_tfo(struct tcp_opts *o, struct tcp_opt *e, uint32_t hdr,
		    struct decoded_packet *pkt)
{
	uint32_t cookie = e->len - hdr;

	if (!tfo_cookie_len_ok(cookie)) {
		opt_len_bad(e, pkt, ANOM_TCP_OPT_TFO_LEN);
		return;
	}
	if (!opt_first(o, TCPOPT_HAS_TFO, pkt))
		return;
	o->tfo_cookie_len = (uint8_t)cookie;
	o->tfo_off = (uint8_t)(e->off + hdr);
}

/* Kinds whose value is fixed-size or tiny; false when the kind is other. */
static bool opt_fixed(struct tcp_opts *o, struct tcp_opt *e,
		      struct cursor *v, struct decoded_packet *pkt)
{
	switch (e->kind) {
	case TCPOPT_MSS:        /* RFC 9293 3.2 */
		if (e->len != 4)
			opt_len_bad(e, pkt, ANOM_TCP_OPT_MSS_LEN);
		else if (opt_first(o, TCPOPT_HAS_MSS, pkt))
			o->mss = cur_be16(v);
		return true;
	case TCPOPT_WSCALE:     /* RFC 7323 2.2 */
		if (e->len != 3) {
			opt_len_bad(e, pkt, ANOM_TCP_OPT_WSCALE_LEN);
		} else if (opt_first(o, TCPOPT_HAS_WSCALE, pkt)) {
			o->wscale = cur_u8(v);
			/* RFC 7323 2.3: a shift above 14 is used as 14. */
			if (o->wscale > 14)
				decode_anom(pkt, ANOM_TCP_OPT_WSCALE_LARGE);
		}
		return true;
	case TCPOPT_SACKOK:     /* RFC 2018 2 */
		if (e->len != 2)
			opt_len_bad(e, pkt, ANOM_TCP_OPT_SACKOK_LEN);
		else
			(void)opt_first(o, TCPOPT_HAS_SACKOK, pkt);
		return true;
	case TCPOPT_TS:         /* RFC 7323 3.2 */
		if (e->len != 10) {
			opt_len_bad(e, pkt, ANOM_TCP_OPT_TS_LEN);
		} else if (opt_first(o, TCPOPT_HAS_TS, pkt)) {
			o->tsval = cur_be32(v);
			o->tsecr = cur_be32(v);
		}
		return true;
	case TCPOPT_MD5:        /* RFC 2385 3.0 */
		if (e->len != 18)
			opt_len_bad(e, pkt, ANOM_TCP_OPT_MD5_LEN);
		else
			o->present |= TCPOPT_HAS_MD5;
		return true;
	case TCPOPT_UTO:        /* RFC 5482 3: G bit, then 15-bit timeout */
		if (e->len != 4) {
			opt_len_bad(e, pkt, ANOM_TCP_OPT_UTO_LEN);
		} else if (opt_first(o, TCPOPT_HAS_UTO, pkt)) {
			uint16_t w = cur_be16(v);

			o->uto_granularity = (uint8_t)(w >> 15);
			o->uto_timeout = w & 0x7fff;
		}
		return true;
	default:
		return false;
	}
}

/* Parses one option's value (the bytes after kind and length) into `o`. */
static void opt_value(struct tcp_opts *o, struct tcp_opt *e, struct cursor *v,
		      struct decoded_packet *pkt)
{
	if (opt_fixed(o, e, v, pkt))
		return;
	switch (e->kind) {
	case TCPOPT_SACK:
		opt_sack(o, e, v, pkt);
		return;
	case TCPOPT_TFO:
		opt_tfo(o, e, 2, pkt);
		return;
	case TCPOPT_AO:         /* RFC 5925 2.2: KeyID, RNextKeyID, MAC */
		if (e->len < 4) {
			opt_len_bad(e, pkt, ANOM_TCP_OPT_AO_LEN);
		} else if (!(o->present & TCPOPT_HAS_AO)) {
			o->present |= TCPOPT_HAS_AO;
			o->ao_keyid = cur_u8(v);
			o->ao_rnextkeyid = cur_u8(v);
		}
		return;
	case TCPOPT_MPTCP:      /* RFC 8684 3: subtype in the high nibble */
		if (e->len < 3) {
			opt_len_bad(e, pkt, ANOM_TCP_OPT_MPTCP_LEN);
		} else if (!(o->present & TCPOPT_HAS_MPTCP)) {
			o->present |= TCPOPT_HAS_MPTCP;
			o->mptcp_subtype = (cur_u8(v) >> 4) & 0x0f;
		}
		return;
	case TCPOPT_EXP:
		/* RFC 6994: shared experimental kinds carry a 16-bit ExID. */
		if (e->len >= 4 && cur_be16(v) == TFO_EXP_MAGIC) {
			opt_tfo(o, e, 4, pkt);
			return;
		}
		o->present |= TCPOPT_HAS_UNKNOWN;
		return;
	default:
		o->present |= TCPOPT_HAS_UNKNOWN;
		return;
	}
}

/*
 * An option that runs past `len` is left out of the list, so every listed
 * option lies wholly inside the captured bytes and a consumer may read it.
 * It is an overrun when it also runs past the header (`hdr_len`); otherwise
 * the snaplen cut it, which the caller reports as a truncated header.
 */
static int opt_cut(size_t end, size_t hdr_len, struct decoded_packet *pkt)
{
	if (end > hdr_len)
		decode_anom(pkt, ANOM_TCP_OPT_OVERRUN);
	return -1;
}

/*
 * Zeroes the summary. The list and the SACK blocks are left alone: only
 * their first `count` and `sack_count` entries mean anything, and every
 * one of those is written by the walk.
 */
static void opts_clear(struct tcp_opts *o)
{
	memset(o, 0, offsetof(struct tcp_opts, sack));
	memset(&o->tsval, 0, offsetof(struct tcp_opts, list) -
				     offsetof(struct tcp_opts, tsval));
}

static void opt_entry(struct tcp_opts *o, uint8_t kind, uint8_t len,
		      uint8_t off)
{
	struct tcp_opt *e = &o->list[o->count++];

	e->kind = kind;
	e->len = len;
	e->off = off;
	e->bad = 0;
}

/* The lists the walk below makes of the two layouts opts_common() knows. */
static const struct tcp_opt nop_nop_ts_list[] = {
	{ TCPOPT_NOP, 1, TCP_FIXED_LEN, 0 },
	{ TCPOPT_NOP, 1, TCP_FIXED_LEN + 1, 0 },
	{ TCPOPT_TS, 10, TCP_FIXED_LEN + 2, 0 },
};
static const struct tcp_opt linux_syn_list[] = {
	{ TCPOPT_MSS, 4, TCP_FIXED_LEN, 0 },
	{ TCPOPT_SACKOK, 2, TCP_FIXED_LEN + 4, 0 },
	{ TCPOPT_TS, 10, TCP_FIXED_LEN + 6, 0 },
	{ TCPOPT_NOP, 1, TCP_FIXED_LEN + 16, 0 },
	{ TCPOPT_WSCALE, 3, TCP_FIXED_LEN + 17, 0 },
};

/*
 * The two layouts nearly every segment carries: NOP, NOP, timestamps on
 * each segment of a connection that negotiated them (RFC 7323 appendix
 * A), and MSS, SACK-permitted, timestamps, NOP, window scale on a Linux
 * SYN or SYN-ACK. Every byte that decides the walk is compared, so what
 * this returns is exactly what the walk below would give: the same list,
 * the same summary, and no anomaly (a shift above 14 is left to the walk,
 * which flags it). False when the bytes are anything else.
 */
static bool opts_common(const uint8_t *b, size_t len, struct tcp_opts *o)
{
	static const uint8_t nop_nop_ts[] = { TCPOPT_NOP, TCPOPT_NOP,
					      TCPOPT_TS, 10 };

	/* a memcmp() of 4 bytes is one compare; four byte tests are four */
	if (len == 12 && memcmp(b, nop_nop_ts, sizeof(nop_nop_ts)) == 0) {
		o->present = TCPOPT_HAS_TS;
		o->tsval = ld_be32(b + 4);
		o->tsecr = ld_be32(b + 8);
		memcpy(o->list, nop_nop_ts_list, sizeof(nop_nop_ts_list));
		o->count = 3;
		return true;
	}
	if (len == 20 && b[0] == TCPOPT_MSS && b[1] == 4 &&
	    b[4] == TCPOPT_SACKOK && b[5] == 2 && b[6] == TCPOPT_TS &&
	    b[7] == 10 && b[16] == TCPOPT_NOP && b[17] == TCPOPT_WSCALE &&
	    b[18] == 3 && b[19] <= 14) {
		o->present = TCPOPT_HAS_MSS | TCPOPT_HAS_SACKOK |
			     TCPOPT_HAS_TS | TCPOPT_HAS_WSCALE;
		o->mss = ld_be16(b + 2);
		o->tsval = ld_be32(b + 8);
		o->tsecr = ld_be32(b + 12);
		o->wscale = b[19];
		memcpy(o->list, linux_syn_list, sizeof(linux_syn_list));
		o->count = 5;
		return true;
	}
	return false;
}

/* The walk itself, for every layout opts_common() does not know. */
DECODE_NOINLINE
static int opts_walk_all(const uint8_t *opts, size_t len, size_t hdr_len,
			 struct tcp_opts *out, struct decoded_packet *pkt)
{
	struct cursor cur, val;
	struct tcp_opt *e;
	uint8_t kind, olen;
	size_t at;

	/*
	 * RFC 9293 3.1: a 4-bit data offset leaves at most 40 option bytes,
	 * which also bounds list[] (each entry takes at least one byte).
	 */
	if (len > TCP_OPT_MAX)
		len = TCP_OPT_MAX;
	cur = cur_make(opts, len);
	val = cur_make(NULL, 0);
	while (cur_left(&cur) > 0) {
		at = cur.pos;
		kind = cur_u8(&cur);
		/* RFC 9293 3.2: EOL and NOP are single bytes; EOL ends all. */
		olen = 1;
		if (kind != TCPOPT_EOL && kind != TCPOPT_NOP) {
			olen = cur_u8(&cur);
			if (cur.bad)
				return opt_cut(at + 2, hdr_len, pkt);
			if (olen >= 2)
				val = cur_sub(&cur, (size_t)olen - 2);
			if (cur.bad)
				return opt_cut(at + olen, hdr_len, pkt);
		}
		e = &out->list[out->count];
		opt_entry(out, kind, olen, (uint8_t)(TCP_FIXED_LEN + at));
		if (kind == TCPOPT_EOL) {
			out->present |= TCPOPT_HAS_EOL;
			return 0;
		}
		if (kind == TCPOPT_NOP)
			continue;
		/*
		 * The length counts the kind and length bytes themselves;
		 * below 2 the next option cannot be found.
		 */
		if (olen < 2) {
			opt_len_bad(e, pkt, ANOM_TCP_OPT_LEN_BAD);
			return -1;
		}
		opt_value(out, e, &val, pkt);
	}
	return 0;
}

int tcp_opts_walk(const uint8_t *opts, size_t len, size_t hdr_len,
		  struct tcp_opts *out, struct decoded_packet *pkt)
{
	opts_clear(out);
	if (opts_common(opts, len, out))
		return 0;
	return opts_walk_all(opts, len, hdr_len, out, pkt);
}

int tcp_opts_parse(const uint8_t *opts, size_t len, struct tcp_opts *out,
		   struct decoded_packet *pkt)
{
	return tcp_opts_walk(opts, len, len, out, pkt);
}
