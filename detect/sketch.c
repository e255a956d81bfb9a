/*
 * Fixed-size sketches of who sends the SYNs: a HyperLogLog for how many
 * distinct sources, space-saving counters for which ones send the most,
 * and a linear-counting bitmap for how many ports one scanner touched.
 * Their size never depends on the traffic, which is the point: a flood
 * of ten million spoofed sources costs what one source costs.
 *
 * Every input is hashed with a key drawn at creation (SipHash-1-3), so a
 * sender cannot choose addresses that pile into one register or bucket.
 */
#include <math.h>
#include <string.h>

#include "detect_int.h"

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

/* The first n (at most 8) bytes at p as a little-endian word. */
static inline uint64_t rdle(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the host's order already: one load, of any alignment */
	memcpy(&v, p, n);
#else
	for (size_t i = n; i-- > 0;)
		v = (v << 8) | p[i];
#endif
	return v;
}

#define SIPROUND                                                          \
	do {                                                              \
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                    \
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                    \
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); \
	} while (0)

#if defined(__GNUC__) || defined(__clang__)
#define SIP_INLINE static inline __attribute__((always_inline))
#else
#define SIP_INLINE static inline
#endif

/* SipHash-1-3 (Aumasson and Bernstein): one round per word, three to
 * finish, as Rust's default hasher uses for hash tables. Inlined where
 * len is a constant, so the loops unroll and the tail is one load. */
SIP_INLINE uint64_t sip13(const struct dkey_hash *k, const uint8_t *p,
			  size_t len)
{
	uint64_t v0 = k->k0 ^ UINT64_C(0x736f6d6570736575);
	uint64_t v1 = k->k1 ^ UINT64_C(0x646f72616e646f6d);
	uint64_t v2 = k->k0 ^ UINT64_C(0x6c7967656e657261);
	uint64_t v3 = k->k1 ^ UINT64_C(0x7465646279746573);
	uint64_t b = (uint64_t)len << 56, m;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		m = rdle(p + i, 8);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	b |= rdle(p + i, len - i);
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t dhash(const struct dkey_hash *k, const void *data, size_t len)
{
	/* detect/ hashes a few fixed-size keys on every SYN and flow event:
	 * a copy for each of their sizes takes half the instructions the
	 * loop over any length does */
	switch (len) {
	case sizeof(struct dkey):
		return sip13(k, data, sizeof(struct dkey));
	case sizeof(struct fpkey):
		return sip13(k, data, sizeof(struct fpkey));
	case sizeof(struct detect_addr):
		return sip13(k, data, sizeof(struct detect_addr));
	case sizeof(uint16_t):
		return sip13(k, data, sizeof(uint16_t));
	default:
		return sip13(k, data, len);
	}
}

void hll_reset(struct hll *h)
{
	memset(h->reg, 0, sizeof(h->reg));
}

/* Leading zeros of a non-zero 64-bit value. */
static unsigned clz64(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned)__builtin_clzll(v);
#else
	unsigned n = 0;

	while (!(v & (UINT64_C(1) << 63))) {
		v <<= 1;
		n++;
	}
	return n;
#endif
}

void hll_add(struct hll *h, uint64_t hash)
{
	uint32_t idx = (uint32_t)(hash >> (64 - HLL_P));
	/* the rank of the first 1 bit in the rest; the sentinel bit caps it
	 * at 64 - HLL_P + 1 */
	uint64_t rest = (hash << HLL_P) | (UINT64_C(1) << (HLL_P - 1));
	uint8_t rank = (uint8_t)(clz64(rest) + 1);

	if (rank > h->reg[idx])
		h->reg[idx] = rank;
}

/* 2^-r for every rank a register can hold (at most 64 - HLL_P + 1): the
 * estimate runs over every register of every entity evaluated, and the
 * table holds the very values ldexp(1.0, -r) gives, without a call each. */
static const double inv_pow2[66] = {
	0x1p-0, 0x1p-1, 0x1p-2, 0x1p-3, 0x1p-4, 0x1p-5, 0x1p-6, 0x1p-7, 0x1p-8,
	0x1p-9, 0x1p-10, 0x1p-11, 0x1p-12, 0x1p-13, 0x1p-14, 0x1p-15, 0x1p-16,
	0x1p-17, 0x1p-18, 0x1p-19, 0x1p-20, 0x1p-21, 0x1p-22, 0x1p-23, 0x1p-24,
	0x1p-25, 0x1p-26, 0x1p-27, 0x1p-28, 0x1p-29, 0x1p-30, 0x1p-31, 0x1p-32,
	0x1p-33, 0x1p-34, 0x1p-35, 0x1p-36, 0x1p-37, 0x1p-38, 0x1p-39, 0x1p-40,
	0x1p-41, 0x1p-42, 0x1p-43, 0x1p-44, 0x1p-45, 0x1p-46, 0x1p-47, 0x1p-48,
	0x1p-49, 0x1p-50, 0x1p-51, 0x1p-52, 0x1p-53, 0x1p-54, 0x1p-55, 0x1p-56,
	0x1p-57, 0x1p-58, 0x1p-59, 0x1p-60, 0x1p-61, 0x1p-62, 0x1p-63, 0x1p-64,
	0x1p-65,
};
_Static_assert(64 - HLL_P + 1 < 66, "a rank beyond inv_pow2[]");

double hll_estimate(const struct hll *h)
{
	const double m = HLL_M;
	double sum = 0.0;
	unsigned zeros = 0;

	for (unsigned i = 0; i < HLL_M; i++) {
		sum += inv_pow2[h->reg[i]];
		zeros += h->reg[i] == 0;
	}
	double e = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;
	/* small range: linear counting is the better estimate while
	 * registers are still empty (Flajolet et al., section 4) */
	if (e <= 2.5 * m && zeros)
		e = m * log(m / (double)zeros);
	return e;
}

void topk_reset(struct topk *t)
{
	memset(t, 0, sizeof(*t));
}

static bool addr_eq(const struct detect_addr *a, const struct detect_addr *b)
{
	return a->version == b->version &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

void topk_add(struct topk *t, const struct detect_addr *key, uint64_t inc)
{
	unsigned min = 0;

	for (unsigned i = 0; i < t->n; i++) {
		if (addr_eq(&t->e[i].key, key)) {
			t->e[i].count += inc;
			return;
		}
		if (t->e[i].count < t->e[min].count)
			min = i;
	}
	if (t->n < TOPK_SLOTS) {
		t->e[t->n].key = *key;
		t->e[t->n].count = inc;
		t->e[t->n].err = 0;
		t->n++;
		return;
	}
	/* the newcomer takes the smallest counter, inheriting its count as
	 * the bound of its own overestimate */
	t->e[min].key = *key;
	t->e[min].err = t->e[min].count;
	t->e[min].count += inc;
}

/* What a key is sure to have: its count less the overestimate it
 * inherited. A key that only took over a slot shows its own updates,
 * not the slot's history. */
static uint64_t sure(const struct topk_entry *e)
{
	return e->count - e->err;
}

unsigned topk_top(const struct topk *t, struct detect_source *out,
		  unsigned max)
{
	bool taken[TOPK_SLOTS] = { false };
	unsigned n = 0;

	while (n < max && n < t->n) {
		int best = -1;
		for (unsigned i = 0; i < t->n; i++) {
			if (taken[i])
				continue;
			if (best < 0 || sure(&t->e[i]) > sure(&t->e[best]) ||
			    (sure(&t->e[i]) == sure(&t->e[best]) &&
			     memcmp(t->e[i].key.addr, t->e[best].key.addr,
				    16) < 0))
				best = (int)i;
		}
		taken[best] = true;
		out[n].addr = t->e[best].key;
		out[n].count = sure(&t->e[best]);
		n++;
	}
	return n;
}

void topk16_reset(struct topk16 *t)
{
	memset(t, 0, sizeof(*t));
}

void topk16_add(struct topk16 *t, uint16_t key)
{
	unsigned min = 0;

	for (unsigned i = 0; i < TOPK_SLOTS; i++) {
		if (!t->e[i].used) {
			t->e[i].used = true;
			t->e[i].key = key;
			t->e[i].count = 1;
			return;
		}
		if (t->e[i].key == key) {
			t->e[i].count++;
			return;
		}
		if (t->e[i].count < t->e[min].count)
			min = i;
	}
	t->e[min].key = key;
	t->e[min].count++;
}

uint64_t topk16_max(const struct topk16 *t)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < TOPK_SLOTS; i++)
		if (t->e[i].used && t->e[i].count > m)
			m = t->e[i].count;
	return m;
}

void lcount_reset(struct lcount *l)
{
	memset(l, 0, sizeof(*l));
}

void lcount_add(struct lcount *l, uint64_t hash)
{
	unsigned bit = (unsigned)(hash >> 54) % LCOUNT_BITS;

	l->bits[bit / 64] |= UINT64_C(1) << (bit % 64);
}

static unsigned popcount64(uint64_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

double lcount_estimate(const struct lcount *l)
{
	unsigned set = 0;

	for (unsigned i = 0; i < LCOUNT_BITS / 64; i++)
		set += popcount64(l->bits[i]);
	unsigned zeros = LCOUNT_BITS - set;
	if (!zeros)
		zeros = 1;      /* saturated: the largest value it can tell */
	return LCOUNT_BITS * log((double)LCOUNT_BITS / zeros);
}
