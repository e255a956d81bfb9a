/*
 * Two small memories of recent traffic, both fixed in size:
 *
 *   the half-open set   conn ids whose server endpoint is in SYN-RECEIVED,
 *                       so each leaves the gauge exactly once
 *   fingerprints        recent SYNs and SYN-ACKs (addresses, ports,
 *                       sequence number), direct-mapped: a resent copy is
 *                       told from a new attempt, a reply is matched to the
 *                       SYN it answers, and the SYN's options are kept for
 *                       the cookie test
 */
#include <string.h>

#include "detect_int.h"

/* splitmix64's finaliser */
uint64_t mix64(uint64_t z)
{
	z += UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Half-open set: linear probing over conn ids, backward-shift delete. */

bool ho_insert(struct detect *d, uint64_t id)
{
	uint32_t i = (uint32_t)mix64(id) & d->ho_mask;

	for (; d->ho[i]; i = (i + 1) & d->ho_mask)
		if (d->ho[i] == id)
			return false;
	if (d->ho_count >= d->cfg.max_half_open) {
		d->ho_untracked++;
		return false;
	}
	d->ho[i] = id;
	d->ho_count++;
	return true;
}

bool ho_remove(struct detect *d, uint64_t id)
{
	uint32_t i = (uint32_t)mix64(id) & d->ho_mask, j;

	for (; d->ho[i] != id; i = (i + 1) & d->ho_mask)
		if (!d->ho[i])
			return false;
	/* shift back every later entry of the run that may sit at i */
	for (j = (i + 1) & d->ho_mask; d->ho[j]; j = (j + 1) & d->ho_mask) {
		uint32_t home = (uint32_t)mix64(d->ho[j]) & d->ho_mask;
		/* j's home lies cyclically in (i, j]: it must stay */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		d->ho[i] = d->ho[j];
		i = j;
	}
	d->ho[i] = 0;
	d->ho_count--;
	return true;
}

/* Recent SYN and SYN-ACK fingerprints */

void fpkey_make(struct fpkey *k, uint8_t version, const uint8_t *src,
		       const uint8_t *dst, uint16_t sport, uint16_t dport,
		       uint32_t seq, bool synack)
{
	size_t n = version == 6 ? 16 : 4;

	memset(k, 0, sizeof(*k));
	memcpy(k->src, src, n);
	memcpy(k->dst, dst, n);
	k->sport = sport;
	k->dport = dport;
	k->seq = seq;
	k->synack = synack;
	k->version = version;
}

static uint32_t ms_of(int64_t ns)
{
	return (uint32_t)(uint64_t)(ns / 1000000);
}

/*
 * A segment with the same addresses, ports and sequence number as one
 * seen at least 250 ms before is its sender's retransmission (RFC 6298
 * starts the timer at 1 s; Linux never goes below 200 ms). The same
 * segment repeated sooner is a tool resending one packet: a new attempt.
 */
enum fp_result fp_check(struct detect *d, const struct fpkey *k,
			       int64_t ts, uint8_t info)
{
	uint64_t h = dhash(&d->hk, k, sizeof(*k));
	struct synfp *s = &d->fp[h & d->fp_mask];
	uint32_t tag = (uint32_t)(h >> 32) | 1u, now = ms_of(ts);

	if (s->tag == tag) {
		uint32_t dt = now - s->t_ms;
		s->t_ms = now;
		return dt >= 250 ? FP_RETX : FP_NEW;
	}
	s->tag = tag;
	s->t_ms = now;
	s->info = info;
	return FP_NEW;
}

const struct synfp *fp_find(const struct detect *d,
				   const struct fpkey *k)
{
	uint64_t h = dhash(&d->hk, k, sizeof(*k));
	const struct synfp *s = &d->fp[h & d->fp_mask];

	return s->tag == ((uint32_t)(h >> 32) | 1u) ? s : NULL;
}

