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

/*
 * Half-open set. Nearly every flow event asks it to remove the event's
 * conn id, mostly one it never held, so where the ids sit decides what
 * the question costs. While HO_PACKED ids or fewer are held (light
 * traffic: a few handshakes waiting for their last ACK), they are packed
 * unordered into the first slots, which stay in cache. More are spread
 * over the whole array (linear probing, backward-shift delete), and a
 * probe there is likely a cache miss; they stay spread until the set is
 * empty, when every slot is zero again, so a set that hovers around
 * HO_PACKED ids does not move them back and forth.
 */
#define HO_PACKED 8u

/* Whether id is held; *at is its slot, or where it would go. */
static bool ho_find(const struct detect *d, uint64_t id, uint32_t *at)
{
	uint32_t i;

	if (!d->ho_spread) {
		for (i = 0; i < d->ho_count && d->ho[i] != id; i++)
			;
		*at = i;
		return i < d->ho_count;
	}
	for (i = (uint32_t)mix64(id) & d->ho_mask; d->ho[i] && d->ho[i] != id;
	     i = (i + 1) & d->ho_mask)
		;
	*at = i;
	return d->ho[i] != 0;
}

/* The packed ids outgrew their slots (detect_create() gives the array
 * 16 at least). */
static void ho_spread(struct detect *d)
{
	uint64_t ids[HO_PACKED];
	uint32_t i;

	memcpy(ids, d->ho, sizeof(ids));
	memset(d->ho, 0, sizeof(ids));
	d->ho_spread = true;
	for (unsigned k = 0; k < HO_PACKED; k++) {
		ho_find(d, ids[k], &i);
		d->ho[i] = ids[k];
	}
}

bool ho_insert(struct detect *d, uint64_t id)
{
	uint32_t i;

	if (ho_find(d, id, &i))
		return false;
	if (d->ho_count >= d->cfg.max_half_open) {
		d->ho_untracked++;
		return false;
	}
	if (!d->ho_spread && d->ho_count == HO_PACKED) {
		ho_spread(d);
		ho_find(d, id, &i);
	}
	d->ho[i] = id;
	d->ho_count++;
	return true;
}

bool ho_remove(struct detect *d, uint64_t id)
{
	uint32_t i, j;

	if (!ho_find(d, id, &i))
		return false;
	d->ho_count--;
	if (!d->ho_spread) {
		/* the last packed id fills the hole */
		d->ho[i] = d->ho[d->ho_count];
		d->ho[d->ho_count] = 0;
		return true;
	}
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
	if (!d->ho_count)
		d->ho_spread = false;
	return true;
}

/* Recent SYN and SYN-ACK fingerprints */

/* fpkey_make() writes every field: no padding may hide among them */
_Static_assert(sizeof(struct fpkey) == 2 * 16 + 2 * 2 + 4 + 1 + 1 + 2,
	       "struct fpkey has padding");

void fpkey_make(struct fpkey *k, uint8_t version, const uint8_t *src,
		       const uint8_t *dst, uint16_t sport, uint16_t dport,
		       uint32_t seq, bool synack)
{
	/* every byte is hashed, so the unused address bytes and the padding
	 * are zeroed; a fixed size per version lets the copies inline */
	if (version == 6) {
		memcpy(k->src, src, 16);
		memcpy(k->dst, dst, 16);
	} else {
		memcpy(k->src, src, 4);
		memset(k->src + 4, 0, 12);
		memcpy(k->dst, dst, 4);
		memset(k->dst + 4, 0, 12);
	}
	k->sport = sport;
	k->dport = dport;
	k->seq = seq;
	k->synack = synack;
	k->version = version;
	memset(k->pad, 0, sizeof(k->pad));
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

