/*
 * The sketches: HyperLogLog within its error bound, space-saving holding
 * every heavy hitter, linear counting of ports; and the keyed hash they
 * all read, which must stay SipHash-1-3 exactly.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "detect_int.h"
#include "frames.h"

/* the heavy hitters: 10.9.9.101 .. 103 */
#define DT_HH(k) (0x0a090965u + (uint32_t)(k))

static const struct dkey_hash key = { 0x0123456789abcdefULL,
				      0xfedcba9876543210ULL };

static struct detect_addr v4(uint32_t ip)
{
	struct detect_addr a;

	memset(&a, 0, sizeof(a));
	a.version = 4;
	a.addr[0] = (uint8_t)(ip >> 24);
	a.addr[1] = (uint8_t)(ip >> 16);
	a.addr[2] = (uint8_t)(ip >> 8);
	a.addr[3] = (uint8_t)ip;
	return a;
}

static double hll_of_distinct(uint32_t n, uint32_t repeats)
{
	static struct hll h;

	hll_reset(&h);
	for (uint32_t r = 0; r < repeats; r++) {
		for (uint32_t i = 0; i < n; i++) {
			struct detect_addr a = v4(0x0a000000u + i * 7919u);
			hll_add(&h, dhash(&key, &a, sizeof(a)));
		}
	}
	return hll_estimate(&h);
}

/* three standard errors: 3 * 1.04 / sqrt(1024) */
#define HLL_BOUND (3.0 * 1.04 / 32.0)

START_TEST(hll_estimates_1e5_distinct_sources_within_three_standard_errors)
{
	double e = hll_of_distinct(100000, 1);

	ck_assert_msg(fabs(e - 1e5) / 1e5 < HLL_BOUND, "estimate %.0f", e);
}
END_TEST

START_TEST(hll_estimates_1e6_distinct_sources_within_three_standard_errors)
{
	double e = hll_of_distinct(1000000, 1);

	ck_assert_msg(fabs(e - 1e6) / 1e6 < HLL_BOUND, "estimate %.0f", e);
}
END_TEST

START_TEST(hll_counts_a_repeated_source_once)
{
	double one = hll_of_distinct(1, 1000);
	double small = hll_of_distinct(200, 50);

	ck_assert_msg(one > 0.5 && one < 1.5, "estimate %.2f", one);
	ck_assert_msg(fabs(small - 200) < 10, "estimate %.1f", small);
}
END_TEST

START_TEST(hll_of_nothing_is_zero)
{
	static struct hll h;

	hll_reset(&h);
	ck_assert(hll_estimate(&h) == 0.0);
}
END_TEST

START_TEST(topk_holds_every_source_above_n_over_k)
{
	struct topk t;
	struct detect_source out[TOPK_SLOTS];
	uint64_t n = 0;

	topk_reset(&t);
	/* 3 heavy hitters, 1/6 of the updates each, among 20000 one-off
	 * sources, interleaved */
	for (uint32_t i = 0; i < 20000; i++) {
		struct detect_addr a = v4(0xc0000000u + i);
		struct detect_addr h = v4(DT_HH(i % 3));
		topk_add(&t, &a, 1);
		topk_add(&t, &h, 1);
		n += 2;
	}
	unsigned got = topk_top(&t, out, TOPK_SLOTS);
	ck_assert_uint_eq(got, TOPK_SLOTS);
	for (unsigned k = 0; k < 3; k++) {
		bool found = false;
		struct detect_addr h = v4(DT_HH(k));
		for (unsigned i = 0; i < 3; i++)
			if (memcmp(&out[i].addr, &h, sizeof(h)) == 0)
				found = true;
		ck_assert_msg(found, "heavy hitter %u not among the top 3", k);
	}
	/* the sure counts: never above the true 6667, and within
	 * N / TOPK_SLOTS of it */
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_le(out[i].count, 6667);
		ck_assert_uint_ge(out[i].count, 6667 - n / TOPK_SLOTS);
	}
}
END_TEST

START_TEST(topk_lists_the_largest_counts_first)
{
	struct topk t;
	struct detect_source out[3];

	topk_reset(&t);
	for (uint32_t k = 1; k <= 3; k++) {
		struct detect_addr a = v4(k);
		topk_add(&t, &a, k * 10);
	}
	ck_assert_uint_eq(topk_top(&t, out, 3), 3);
	ck_assert_uint_eq(out[0].count, 30);
	ck_assert_uint_eq(out[1].count, 20);
	ck_assert_uint_eq(out[2].count, 10);
	ck_assert_uint_eq(out[0].addr.addr[3], 3);
}
END_TEST

START_TEST(lcount_counts_a_thousand_ports_within_five_percent)
{
	struct lcount l;

	lcount_reset(&l);
	for (uint16_t p = 1; p <= 1000; p++)
		for (int r = 0; r < 3; r++)
			lcount_add(&l, dhash(&key, &p, sizeof(p)));
	double e = lcount_estimate(&l);
	ck_assert_msg(fabs(e - 1000) < 50, "estimate %.1f", e);
}
END_TEST

/* SipHash-1-3 one byte at a time, as its paper states it: what dhash's
 * word-at-a-time copies for fixed key sizes must agree with. */
static uint64_t rol(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = rol(v[1], 13); v[1] ^= v[0]; v[0] = rol(v[0], 32);
	v[2] += v[3]; v[3] = rol(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = rol(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = rol(v[1], 17); v[1] ^= v[2]; v[2] = rol(v[2], 32);
}

static void sip_compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	v[0] ^= m;
}

static uint64_t sip13_bytewise(const struct dkey_hash *k, const uint8_t *p,
			       size_t len)
{
	uint64_t v[4] = { k->k0 ^ 0x736f6d6570736575ULL,
			  k->k1 ^ 0x646f72616e646f6dULL,
			  k->k0 ^ 0x6c7967656e657261ULL,
			  k->k1 ^ 0x7465646279746573ULL };
	uint64_t m = 0;

	for (size_t i = 0; i < len; i++) {
		m |= (uint64_t)p[i] << (8 * (i % 8));
		if (i % 8 == 7) {
			sip_compress(v, m);
			m = 0;
		}
	}
	/* the last word: the bytes left over, the length in its top byte */
	sip_compress(v, m | (uint64_t)len << 56);
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

START_TEST(dhash_is_siphash13_on_published_vectors)
{
	/* the zero key's values in the digest-sip_hash crate's tests */
	static const struct dkey_hash zero = { 0, 0 };

	ck_assert_uint_eq(dhash(&zero, "", 0), 0xd1fba762150c532cULL);
	ck_assert_uint_eq(dhash(&zero, "siphash", 7), 0x8264ceeccb16bcbeULL);
	ck_assert_uint_eq(dhash(&zero, "digest-sip_hash", 15),
			  0xce31007e34130c0aULL);
}
END_TEST

START_TEST(dhash_agrees_with_bytewise_siphash_at_every_length_and_offset)
{
	uint8_t buf[8 + 64];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	/* 2, 17, 36 and 44 (a port, an address, a table key, a fingerprint)
	 * take the fixed-size copies, at any alignment */
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 64; len++)
			ck_assert_msg(dhash(&key, buf + off, len) ==
				      sip13_bytewise(&key, buf + off, len),
				      "length %zu at offset %zu", len, off);
}
END_TEST

static Suite *sketch_suite(void)
{
	Suite *s = suite_create("detect_sketch");
	TCase *th = tcase_create("hll");
	TCase *tt = tcase_create("topk");
	TCase *tk = tcase_create("keyed_hash");

	tcase_add_test(th,
		hll_estimates_1e5_distinct_sources_within_three_standard_errors);
	tcase_add_test(th,
		hll_estimates_1e6_distinct_sources_within_three_standard_errors);
	tcase_add_test(th, hll_counts_a_repeated_source_once);
	tcase_add_test(th, hll_of_nothing_is_zero);
	tcase_set_timeout(th, 60);
	tcase_add_test(tt, topk_holds_every_source_above_n_over_k);
	tcase_add_test(tt, topk_lists_the_largest_counts_first);
	tcase_add_test(tt, lcount_counts_a_thousand_ports_within_five_percent);
	tcase_add_test(tk, dhash_is_siphash13_on_published_vectors);
	tcase_add_test(tk,
		dhash_agrees_with_bytewise_siphash_at_every_length_and_offset);
	suite_add_tcase(s, tk);
	suite_add_tcase(s, th);
	suite_add_tcase(s, tt);
	return s;
}

int main(void)
{
	return frames_run(sketch_suite());
}
