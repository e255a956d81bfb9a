/*
 * The connection key and its hash.
 *
 * Both directions of a connection must find the same entry, so the two
 * (address, port) endpoints are put in a canonical order before hashing.
 * The hash is keyed (SipHash-1-3) with a seed drawn at start-up: with a
 * fixed, public hash an attacker could pick spoofed tuples that all land
 * in one bucket and turn every lookup into a list walk.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef _WIN32
#include <process.h>
#define flow_getpid() ((uint64_t)_getpid())
#else
#include <unistd.h>
#define flow_getpid() ((uint64_t)getpid())
#endif

#include "flow_int.h"

/* -1, 0 or 1 as endpoint (a, pa) sorts before, with or after (b, pb). */
static int endpoint_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b,
			uint16_t pb, size_t alen)
{
	int r = memcmp(a, b, alen);

	if (r != 0)
		return r < 0 ? -1 : 1;
	if (pa != pb)
		return pa < pb ? -1 : 1;
	return 0;
}

/*
 * Fills `k` from the packet. Returns true when the packet's source is the
 * key's lo endpoint (also when both endpoints are equal, e.g. a LAND
 * packet: every packet of it then counts as one direction).
 */
bool flow_key_build(const struct decoded_packet *p, struct flow_key *k)
{
	size_t alen = p->ip.version == 4 ? 4 : 16;
	uint16_t sp = p->tcp.sport, dp = p->tcp.dport;
	bool src_lo;

	/* Zero first: padding and the unused tail of an IPv4 address are
	 * hashed and compared as bytes. */
	memset(k, 0, sizeof(*k));
	k->ip_version = p->ip.version;
	k->vlan_count = p->vlan_count < 2 ? p->vlan_count : 2;
	for (unsigned i = 0; i < k->vlan_count; i++)
		k->vlan[i] = p->vlan[i];

	src_lo = endpoint_cmp(p->ip.src, sp, p->ip.dst, dp, alen) <= 0;
	memcpy(k->lo_addr, src_lo ? p->ip.src : p->ip.dst, alen);
	memcpy(k->hi_addr, src_lo ? p->ip.dst : p->ip.src, alen);
	k->lo_port = src_lo ? sp : dp;
	k->hi_port = src_lo ? dp : sp;
	return src_lo;
}

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND(v0, v1, v2, v3)                                         \
	do {                                                             \
		v0 += v1;                                                \
		v1 = ROTL64(v1, 13);                                     \
		v1 ^= v0;                                                \
		v0 = ROTL64(v0, 32);                                     \
		v2 += v3;                                                \
		v3 = ROTL64(v3, 16);                                     \
		v3 ^= v2;                                                \
		v0 += v3;                                                \
		v3 = ROTL64(v3, 21);                                     \
		v3 ^= v0;                                                \
		v2 += v1;                                                \
		v1 = ROTL64(v1, 17);                                     \
		v1 ^= v2;                                                \
		v2 = ROTL64(v2, 32);                                     \
	} while (0)

static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/*
 * SipHash (Aumasson and Bernstein, 2012) with key (k0, k1), `c` rounds per
 * message block and `d` finalization rounds.
 */
static uint64_t siphash(const uint8_t *in, size_t len, uint64_t k0,
			uint64_t k1, int c, int d)
{
	uint64_t v0 = UINT64_C(0x736f6d6570736575) ^ k0;
	uint64_t v1 = UINT64_C(0x646f72616e646f6d) ^ k1;
	uint64_t v2 = UINT64_C(0x6c7967656e657261) ^ k0;
	uint64_t v3 = UINT64_C(0x7465646279746573) ^ k1;
	uint64_t b = (uint64_t)len << 56;
	size_t full = len - len % 8;

	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = load_le64(in + i);

		v3 ^= m;
		for (int r = 0; r < c; r++)
			SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (size_t i = 0; i < len % 8; i++)
		b |= (uint64_t)in[full + i] << (8 * i);
	v3 ^= b;
	for (int r = 0; r < c; r++)
		SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < d; r++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-2-4, the reference variant (its published vectors test the
 * code both variants share). */
uint64_t flow_siphash24(const void *data, size_t len, uint64_t k0,
			uint64_t k1)
{
	return siphash(data, len, k0, k1, 2, 4);
}

/*
 * Keys hash with SipHash-1-3, the variant Rust's and CPython's hash tables
 * use against hash flooding: keyed all the same, at half the rounds of
 * 2-4, on the per-packet path. Only the bytes that can differ go in: an
 * IPv4 key hashes 20 bytes instead of the whole 40-byte struct.
 */
uint64_t flow_key_hash(const struct flow_key *k, uint64_t k0, uint64_t k1)
{
	uint8_t buf[sizeof(*k)];
	size_t alen = k->ip_version == 4 ? 4 : 16, n = 0;

	memcpy(buf + n, k->lo_addr, alen);
	n += alen;
	memcpy(buf + n, k->hi_addr, alen);
	n += alen;
	memcpy(buf + n, &k->lo_port, sizeof(k->lo_port));
	n += sizeof(k->lo_port);
	memcpy(buf + n, &k->hi_port, sizeof(k->hi_port));
	n += sizeof(k->hi_port);
	memcpy(buf + n, k->vlan, sizeof(k->vlan));
	n += sizeof(k->vlan);
	buf[n++] = k->vlan_count;
	buf[n++] = k->ip_version;
	return siphash(buf, n, k0, k1, 1, 3);
}

/*
 * The one place flow/ touches the outside world: a random seed, read once
 * when a table is created. Where /dev/urandom is missing (Windows, a
 * chroot), time ^ pid is a weak but non-constant fallback.
 */
uint64_t flow_seed_draw(void)
{
	uint64_t seed = 0;
	FILE *f = fopen("/dev/urandom", "rb");

	if (f) {
		size_t got = fread(&seed, 1, sizeof(seed), f);

		fclose(f);
		if (got == sizeof(seed))
			return seed;
	}
	return (uint64_t)time(NULL) ^ (flow_getpid() << 32) ^
	       (uint64_t)clock();
}
