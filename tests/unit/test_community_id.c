/* Unit tests for report/sha1.c and report/community_id.c: the FIPS 180-4 /
 * RFC 3174 SHA-1 vectors and the Community ID spec's published baseline
 * (corelight/community-id-spec, baseline/). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community_id.h"
#include "sha1.h"

static void hex(char out[41], const uint8_t d[SHA1_DIGEST_LEN])
{
	for (int i = 0; i < SHA1_DIGEST_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const struct {
	const char *msg;
	unsigned repeat;
	const char *digest;
} sha1_cases[] = {
	/* FIPS 180-4 examples (one block, empty, two blocks: 448 bits) */
	{ "abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	/* RFC 3174 7.3 TEST4: 640 bytes fed 8 at a time */
	{ "01234567", 80, "dea356a2cddd90c7a7ecedc5ebb563934f460452" },
	/* FIPS 180-4: one million 'a', fed 10 at a time */
	{ "aaaaaaaaaa", 100000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
};

START_TEST(sha1_matches_the_published_vectors)
{
	struct sha1_ctx c;
	uint8_t d[SHA1_DIGEST_LEN];
	char h[41];

	sha1_init(&c);
	for (unsigned i = 0; i < sha1_cases[_i].repeat; i++)
		sha1_update(&c, sha1_cases[_i].msg,
			    strlen(sha1_cases[_i].msg));
	sha1_final(&c, d);
	hex(h, d);
	ck_assert_str_eq(h, sha1_cases[_i].digest);
}
END_TEST

START_TEST(sha1_gives_the_same_digest_whatever_the_chunking)
{
	/* lengths around the 55/56/64-byte padding edges */
	uint8_t msg[200], whole[SHA1_DIGEST_LEN], parts[SHA1_DIGEST_LEN];

	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof(msg); len++) {
		struct sha1_ctx c;
		sha1(msg, len, whole);
		sha1_init(&c);
		for (size_t off = 0; off < len; off += 13)
			sha1_update(&c, msg + off, len - off < 13 ? len - off : 13);
		sha1_final(&c, parts);
		ck_assert_mem_eq(whole, parts, SHA1_DIGEST_LEN);
	}
}
END_TEST

static const uint8_t v4_a[4] = { 1, 2, 3, 4 }, v4_b[4] = { 5, 6, 7, 8 };
static const uint8_t v4_c[4] = { 128, 232, 110, 120 };
static const uint8_t v4_d[4] = { 66, 35, 250, 204 };
/* 2001:470:e5bf:dead:4957:2174:e82c:4887 */
static const uint8_t v6_a[16] = { 0x20, 0x01, 0x04, 0x70, 0xe5, 0xbf, 0xde,
	0xad, 0x49, 0x57, 0x21, 0x74, 0xe8, 0x2c, 0x48, 0x87 };
/* 2607:f8b0:400c:c03::1a */
static const uint8_t v6_b[16] = { 0x26, 0x07, 0xf8, 0xb0, 0x40, 0x0c, 0x0c,
	0x03, [15] = 0x1a };

static const struct {
	int version;
	const uint8_t *saddr, *daddr;
	uint8_t proto;
	uint16_t sport, dport, seed;
	const char *id;
} cid_cases[] = {
	/* baseline/README.md tables */
	{ 4, v4_a, v4_b, 6, 1122, 3344, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
	{ 4, v4_a, v4_b, 6, 1122, 3344, 1, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
	{ 4, v4_a, v4_b, 17, 1122, 3344, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
	{ 4, v4_a, v4_b, 132, 1122, 3344, 0, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=" },
	/* baseline_deflt.json and baseline_seed1.json */
	{ 4, v4_c, v4_d, 6, 34855, 80, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 4, v4_c, v4_d, 6, 34855, 80, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 6, v6_a, v6_b, 6, 63943, 25, 0, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 6, v6_a, v6_b, 6, 63943, 25, 1, "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
};

START_TEST(community_id_matches_the_spec_baseline_in_both_directions)
{
	char out[COMMUNITY_ID_MAX];
	struct community_id_flow f = {
		.ip_version = cid_cases[_i].version,
		.saddr = cid_cases[_i].saddr,
		.daddr = cid_cases[_i].daddr,
		.proto = cid_cases[_i].proto,
		.sport = cid_cases[_i].sport,
		.dport = cid_cases[_i].dport,
	};

	ck_assert_uint_eq(community_id_v1(out, cid_cases[_i].seed, &f), 30);
	ck_assert_str_eq(out, cid_cases[_i].id);
	/* the reply direction hashes to the same ID */
	f.saddr = cid_cases[_i].daddr;
	f.daddr = cid_cases[_i].saddr;
	f.sport = cid_cases[_i].dport;
	f.dport = cid_cases[_i].sport;
	community_id_v1(out, cid_cases[_i].seed, &f);
	ck_assert_str_eq(out, cid_cases[_i].id);
}
END_TEST

START_TEST(community_id_input_is_seed_addresses_proto_pad_ports)
{
	uint8_t in[COMMUNITY_ID_INPUT_MAX], d[SHA1_DIGEST_LEN];
	char h[41];
	/* given server-first, so the endpoints must be swapped */
	struct community_id_flow f = { 4, v4_b, v4_a, 6, 3344, 1122 };
	static const uint8_t want[16] = {
		0x00, 0x00,             /* seed 0 */
		1, 2, 3, 4, 5, 6, 7, 8, /* smaller address first */
		6, 0,                   /* TCP, padding */
		0x04, 0x62, 0x0d, 0x10, /* ports 1122, 3344 */
	};

	ck_assert_uint_eq(community_id_input(in, 0, &f), sizeof(want));
	ck_assert_mem_eq(in, want, sizeof(want));
	/* baseline/README.md "No base64-encoding" table */
	sha1(in, sizeof(want), d);
	hex(h, d);
	ck_assert_str_eq(h, "c026f7386ef200559e95a53276ed03fb5db908b3");
}
END_TEST

START_TEST(community_id_orders_equal_addresses_by_port)
{
	uint8_t in1[COMMUNITY_ID_INPUT_MAX], in2[COMMUNITY_ID_INPUT_MAX];
	struct community_id_flow f = { 4, v4_a, v4_a, 6, 80, 1024 };
	struct community_id_flow g = { 4, v4_a, v4_a, 6, 1024, 80 };
	size_t n = community_id_input(in1, 0x1234, &f);

	ck_assert_uint_eq(community_id_input(in2, 0x1234, &g), n);
	ck_assert_mem_eq(in1, in2, n);
	ck_assert_uint_eq(in1[0], 0x12);  /* seed big-endian */
	ck_assert_uint_eq(in1[1], 0x34);
	ck_assert_uint_eq(in1[12], 0);    /* port 80 first */
	ck_assert_uint_eq(in1[13], 80);
}
END_TEST

static Suite *community_id_suite(void)
{
	Suite *s = suite_create("community_id");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, sha1_matches_the_published_vectors, 0,
			    sizeof(sha1_cases) / sizeof(sha1_cases[0]));
	tcase_add_test(tc, sha1_gives_the_same_digest_whatever_the_chunking);
	tcase_add_loop_test(tc,
		community_id_matches_the_spec_baseline_in_both_directions, 0,
		sizeof(cid_cases) / sizeof(cid_cases[0]));
	tcase_add_test(tc, community_id_input_is_seed_addresses_proto_pad_ports);
	tcase_add_test(tc, community_id_orders_equal_addresses_by_port);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(community_id_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
