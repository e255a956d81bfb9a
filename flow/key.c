/*
 * The connection key and its hash, and the segment the table takes from
 * a decoded packet (flow_seg_build()).
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

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * Fills `k` from the packet. Returns true when the packet's source is the
 * key's lo endpoint (also when both endpoints are equal, e.g. a LAND
 * packet: every packet of it then counts as one direction). Endpoints
 * sort by address bytes, then port.
 */
bool flow_key_build(const struct decoded_packet *p, struct flow_key *k)
{
	bool v4 = p->ip.version == 4;
	uint16_t sp = p->tcp.sport, dp = p->tcp.dport;
	bool src_lo;

	/* Zero first: padding and the unused tail of an IPv4 address are
	 * hashed and compared as bytes. */
	memset(k, 0, sizeof(*k));
	k->ip_version = p->ip.version;
	k->vlan_count = p->vlan_count < 2 ? p->vlan_count : 2;
	for (unsigned i = 0; i < k->vlan_count; i++)
		k->vlan[i] = p->vlan[i];

	if (v4) {
		/* address, then port, as one number: one comparison whose
		 * outcome (the direction) no branch has to guess */
		uint64_t s = (uint64_t)load_be32(p->ip.src) << 16 | sp;
		uint64_t d = (uint64_t)load_be32(p->ip.dst) << 16 | dp;

		src_lo = s <= d;
	} else {
		int r = memcmp(p->ip.src, p->ip.dst, 16);

		src_lo = r < 0 || (r == 0 && sp <= dp);
	}
	if (v4) {
		memcpy(k->lo_addr, src_lo ? p->ip.src : p->ip.dst, 4);
		memcpy(k->hi_addr, src_lo ? p->ip.dst : p->ip.src, 4);
	} else {
		memcpy(k->lo_addr, src_lo ? p->ip.src : p->ip.dst, 16);
		memcpy(k->hi_addr, src_lo ? p->ip.dst : p->ip.src, 16);
	}
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
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
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

static uint64_t load_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

/*
 * Keys hash with SipHash-1-3, the variant Rust's and CPython's hash tables
 * use against hash flooding: keyed all the same, at half the rounds of
 * 2-4, on the per-packet path. Only the fields that can differ go in, as
 * the little-endian message
 *
 *   lo_addr hi_addr lo_port hi_port vlan[0] vlan[1] vlan_count ip_version
 *
 * (addresses 4 bytes each for IPv4, 16 for IPv6: 18 or 42 bytes, the
 * version telling the two lengths apart), assembled straight into
 * SipHash's 64-bit message words m[0..n) and final block `b` instead of
 * being copied out and read back a byte at a time: for IPv4, 2 message
 * words and the final block. Inline, so that with n known the loop
 * unrolls and m[] stays in registers.
 */
static inline uint64_t sip13(const uint64_t *m, unsigned n, uint64_t b,
			     uint64_t k0, uint64_t k1)
{
	uint64_t v0 = UINT64_C(0x736f6d6570736575) ^ k0;
	uint64_t v1 = UINT64_C(0x646f72616e646f6d) ^ k1;
	uint64_t v2 = UINT64_C(0x6c7967656e657261) ^ k0;
	uint64_t v3 = UINT64_C(0x7465646279746573) ^ k1;

	for (unsigned i = 0; i < n; i++) {
		v3 ^= m[i];
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m[i];
	}
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t ports_word(uint16_t lo_port, uint16_t hi_port,
			   uint16_t vlan0, uint16_t vlan1)
{
	return (uint64_t)lo_port | (uint64_t)hi_port << 16 |
	       (uint64_t)vlan0 << 32 | (uint64_t)vlan1 << 48;
}

/* the final block: the length byte and the two trailing bytes */
static uint64_t final_block(uint64_t len, uint8_t version, uint8_t vlans)
{
	return len << 56 | (uint64_t)version << 8 | vlans;
}

uint64_t flow_key_hash(const struct flow_key *k, uint64_t k0, uint64_t k1)
{
	uint64_t m[5];

	if (k->ip_version == 4) {
		m[0] = load_le32(k->lo_addr) | load_le32(k->hi_addr) << 32;
		m[1] = ports_word(k->lo_port, k->hi_port, k->vlan[0],
				  k->vlan[1]);
		return sip13(m, 2, final_block(18, 4, k->vlan_count), k0, k1);
	}
	m[0] = load_le64(k->lo_addr);
	m[1] = load_le64(k->lo_addr + 8);
	m[2] = load_le64(k->hi_addr);
	m[3] = load_le64(k->hi_addr + 8);
	m[4] = ports_word(k->lo_port, k->hi_port, k->vlan[0], k->vlan[1]);
	return sip13(m, 5, final_block(42, k->ip_version, k->vlan_count), k0,
		     k1);
}

/* the inverse of load_le32() */
static void store_le32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	memcpy(p, &v, sizeof(v));
}

/*
 * flow_key_build() and flow_key_hash() in one: for IPv4 the message words
 * are made from the packet's fields in registers, so the hash does not
 * wait on the key's bytes being stored and read back.
 */
bool flow_key_build_hash(const struct decoded_packet *p, struct flow_key *k,
			 uint64_t k0, uint64_t k1, uint64_t *hash)
{
	if (p->ip.version != 4) {
		bool src_lo = flow_key_build(p, k);

		*hash = flow_key_hash(k, k0, k1);
		return src_lo;
	}
	/* flow_key_build()'s IPv4 case, keeping the values at hand */
	uint16_t sp = p->tcp.sport, dp = p->tcp.dport;
	uint64_t s = (uint64_t)load_be32(p->ip.src) << 16 | sp;
	uint64_t d = (uint64_t)load_be32(p->ip.dst) << 16 | dp;
	bool src_lo = s <= d;
	/*
	 * Source and destination trade places through a mask, not a
	 * branch: the direction is a coin toss, and compilers turn a swap
	 * written with ?: back into a branch.
	 */
	uint32_t swap = (uint32_t)src_lo - 1;
	uint32_t lo = (uint32_t)load_le32(p->ip.src);
	uint32_t hi = (uint32_t)load_le32(p->ip.dst);
	uint32_t addr_x = (lo ^ hi) & swap;
	uint16_t port_x = (uint16_t)((sp ^ dp) & swap);
	uint8_t vlans = p->vlan_count < 2 ? p->vlan_count : 2;
	uint64_t m[2];

	lo ^= addr_x;
	hi ^= addr_x;
	memset(k, 0, sizeof(*k));
	k->ip_version = 4;
	k->vlan_count = vlans;
	k->vlan[0] = vlans > 0 ? p->vlan[0] : 0;
	k->vlan[1] = vlans > 1 ? p->vlan[1] : 0;
	store_le32(k->lo_addr, lo);
	store_le32(k->hi_addr, hi);
	k->lo_port = sp ^ port_x;
	k->hi_port = dp ^ port_x;
	m[0] = lo | (uint64_t)hi << 32;
	m[1] = ports_word(k->lo_port, k->hi_port, k->vlan[0], k->vlan[1]);
	*hash = sip13(m, 2, final_block(18, 4, vlans), k0, k1);
	return src_lo;
}

static void fill_pkt(struct flow_pkt *pk, const struct decoded_packet *p,
		     int64_t ts)
{
	pk->ts = ts;
	pk->from = D_ORIG;
	pk->seq = p->tcp.seq;
	pk->ack = p->tcp.ack;
	pk->len = p->tcp.payload_len;
	pk->ip_len = p->ip.total_len;
	pk->flags = p->tcp.flags;
	pk->win = p->tcp.win;
	pk->ip_id = p->ip.id;
	pk->ip_version = p->ip.version;
	pk->csum_bad = p->tcp.csum == CSUM_BAD;
	pk->opt_present = p->tcp.opts.present;
	pk->opt_mss = p->tcp.opts.mss;
	pk->opt_wscale = p->tcp.opts.wscale;
	pk->opt_tsval = p->tcp.opts.tsval;
}

void flow_seg_build(struct flow_seg *s, const struct decoded_packet *p,
		    int64_t ts, uint64_t k0, uint64_t k1)
{
	s->tracked = p && (p->ip.version == 4 || p->ip.version == 6);
	if (!s->tracked)
		return;
	uint64_t hash;

	s->src_lo = flow_key_build_hash(p, &s->key, k0, k1, &hash);
	s->hash = (uint32_t)hash;
	s->sport = p->tcp.sport;
	s->dport = p->tcp.dport;
	fill_pkt(&s->pk, p, ts);
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
