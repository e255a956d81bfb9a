/* Unit tests for the Internet checksum and the TCP pseudo-headers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decode_internal.h"
#include "frames.h"

/*
 * IPv4 SYN 10.0.0.1:51234 -> 10.0.0.2:443 with MSS, SACK-permitted, TS,
 * NOP, WS; header checksum 0x67ca and TCP checksum 0xf06a, both confirmed
 * "correct" by tcpdump 4.99 and "Good" by tshark 4.0.
 */
static const uint8_t syn_v4[] = {
	0x45, 0x00, 0x00, 0x3c, 0xbe, 0xef, 0x40, 0x00, 0x40, 0x06, 0x67, 0xca,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
	0xc8, 0x22, 0x01, 0xbb, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xfa, 0xf0, 0xf0, 0x6a, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x0a, 0x0b, 0x0c, 0x0d,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/*
 * IPv6 PSH/ACK 2001:db8::2:443 -> 2001:db8::1:51234 carrying "hello" (an
 * odd length); TCP checksum 0x4058, confirmed by tcpdump and tshark.
 */
static const uint8_t psh_v6[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x19, 0x06, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x01, 0xbb, 0xc8, 0x22, 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0x56, 0x79,
	0x50, 0x18, 0xff, 0xff, 0x40, 0x58, 0x00, 0x00,
	0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* The checksum a sender would put in the field: the folded sum, negated. */
static uint16_t inet_checksum(const uint8_t *p, size_t len)
{
	return csum_fold(csum_add(0, p, len));
}

START_TEST(checksum_matches_the_rfc1071_example)
{
	/* RFC 1071 3: these eight bytes sum to 0xddf2 */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03,
				     0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(csum_fold(csum_add(0, b, sizeof(b))),
			  (uint16_t)~0xddf2);
	ck_assert_uint_eq(inet_checksum(b, sizeof(b)), 0x220d);
}
END_TEST

START_TEST(checksum_pads_an_odd_last_byte_with_zero)
{
	static const uint8_t one[] = { 0x01 };              /* 0x0100 */
	static const uint8_t three[] = { 0x12, 0x34, 0x56 }; /* 0x1234+0x5600 */

	ck_assert_uint_eq(inet_checksum(one, 1), 0xfeff);
	ck_assert_uint_eq(inet_checksum(three, 3), (uint16_t)~0x6834);
}
END_TEST

START_TEST(checksum_of_a_header_including_its_checksum_is_zero)
{
	uint8_t hdr[20];

	ck_assert_uint_eq(inet_checksum(syn_v4, 20), 0);
	memcpy(hdr, syn_v4, 20);
	hdr[10] = hdr[11] = 0;
	ck_assert_uint_eq(inet_checksum(hdr, 20), 0x67ca);
}
END_TEST

START_TEST(checksum_over_even_chunks_equals_one_pass)
{
	uint64_t sum = 0;

	for (size_t at = 0; at < sizeof(syn_v4); at += 6) {
		size_t n = sizeof(syn_v4) - at < 6 ? sizeof(syn_v4) - at : 6;

		sum = csum_add(sum, syn_v4 + at, n);
	}
	ck_assert_uint_eq(csum_fold(sum),
			  inet_checksum(syn_v4, sizeof(syn_v4)));
}
END_TEST

/* The largest frame libpcap hands out (256 KiB), every byte 0xff:
 * 131072 words of 0xffff, which sum past 2^32. */
#define BIG_FRAME (256 * 1024)

static uint8_t *big_frame_of_ones(void)
{
	uint8_t *b = malloc(BIG_FRAME);

	ck_assert_ptr_nonnull(b);
	memset(b, 0xff, BIG_FRAME);
	return b;
}

START_TEST(checksum_does_not_overflow_on_a_256k_frame)
{
	/* a lost carry past 2^32 would be off by one in ones' complement
	 * and give 0x0001 instead of 0 */
	size_t n = BIG_FRAME;
	uint8_t *b = big_frame_of_ones();

	ck_assert_uint_eq(inet_checksum(b, n), 0x0000);
	b[0] = 0xfe;    /* one less: the sum is now 0xfeff short of it */
	ck_assert_uint_eq(inet_checksum(b, n), 0x0100);
	free(b);
}
END_TEST

START_TEST(checksum_verifies_a_real_ipv4_tcp_segment)
{
	uint64_t sum = csum_pseudo_v4(syn_v4 + 12, syn_v4 + 16, 6, 40);

	sum = csum_add(sum, syn_v4 + 20, 40);
	ck_assert_uint_eq(csum_fold(sum), 0);
}
END_TEST

START_TEST(checksum_verifies_a_real_ipv6_tcp_segment_of_odd_length)
{
	uint64_t sum = csum_pseudo_v6(psh_v6 + 8, psh_v6 + 24, 6, 25);

	sum = csum_add(sum, psh_v6 + 40, 25);
	ck_assert_uint_eq(csum_fold(sum), 0);
}
END_TEST

START_TEST(checksum_pseudo_headers_carry_protocol_and_length)
{
	static const uint8_t zero[16];

	/* RFC 9293 3.1: zero, PTCL, 16-bit length */
	ck_assert_uint_eq(csum_fold(csum_pseudo_v4(zero, zero, 6, 20)),
			  (uint16_t)~26);
	/* a TSO length past 16 bits keeps both halves rather than wrapping */
	ck_assert_uint_eq(csum_fold(csum_pseudo_v4(zero, zero, 6, 0x12345)),
			  (uint16_t)~(0x1 + 0x2345 + 6));
	/* RFC 8200 8.1: a 32-bit length, both halves counted */
	ck_assert_uint_eq(csum_fold(csum_pseudo_v6(zero, zero, 6, 0x12345)),
			  (uint16_t)~(0x1 + 0x2345 + 6));
}
END_TEST

START_TEST(checksum_decoding_reports_good_for_the_real_segments)
{
	struct decoded_packet p;

	ck_assert_int_eq(decode_packet(syn_v4, sizeof(syn_v4), sizeof(syn_v4),
				       DECODE_LINK_RAW, &p), DECODE_TCP);
	ck_assert_int_eq(p.ip.csum, CSUM_GOOD);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_int_eq(decode_packet(psh_v6, sizeof(psh_v6), sizeof(psh_v6),
				       DECODE_LINK_RAW, &p), DECODE_TCP);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.tcp.payload_len, 5);
}
END_TEST

/* The byte-pair definition of RFC 1071, one pair at a time. */
static uint64_t reference_sum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	return sum;
}

/* Loop: every start alignment (0-7) and every length up to 80 bytes, on
 * bytes that make every word carry, agree with the byte-pair definition. */
START_TEST(checksum_word_loop_agrees_with_byte_pairs_at_any_alignment)
{
	uint8_t buf[96];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0xff - i * 7);
	for (size_t len = 0; len <= 80; len++)
		ck_assert_uint_eq(csum_fold(csum_add(0, buf + _i, len)),
				  csum_fold(reference_sum(buf + _i, len)));
}
END_TEST

/* What csum_verify() promises to agree with. */
static bool verifies_by_fold(uint64_t sum, const uint8_t *p, size_t len)
{
	return csum_fold(csum_add(sum, p, len)) == 0;
}

START_TEST(checksum_verify_accepts_the_real_segments_and_headers)
{
	ck_assert(csum_verify(0, syn_v4, 20));
	ck_assert(csum_verify(csum_pseudo_v4(syn_v4 + 12, syn_v4 + 16, 6, 40),
			      syn_v4 + 20, 40));
	ck_assert(csum_verify(csum_pseudo_v6(psh_v6 + 8, psh_v6 + 24, 6, 25),
			      psh_v6 + 40, 25));
}
END_TEST

START_TEST(checksum_verify_rejects_one_flipped_bit_anywhere)
{
	uint8_t seg[40];
	uint64_t pseudo = csum_pseudo_v4(syn_v4 + 12, syn_v4 + 16, 6, 40);

	for (size_t bit = 0; bit < 8 * sizeof(seg); bit++) {
		memcpy(seg, syn_v4 + 20, sizeof(seg));
		seg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert(!csum_verify(pseudo, seg, sizeof(seg)));
	}
}
END_TEST

START_TEST(checksum_verify_tells_a_zero_sum_from_all_ones)
{
	static const uint8_t zero[8];
	static const uint8_t ones[8] = { 0xff, 0xff, 0xff, 0xff,
					 0xff, 0xff, 0xff, 0xff };

	/* nothing at all sums to 0, whose fold is not 0xffff: not good */
	ck_assert(!csum_verify(0, zero, sizeof(zero)));
	ck_assert(!csum_verify(0, zero, 0));
	ck_assert(!verifies_by_fold(0, zero, sizeof(zero)));
	/* ...but all ones is 0xffff, as is a multiple of it */
	ck_assert(csum_verify(0, ones, sizeof(ones)));
	ck_assert(csum_verify(0xffff, zero, sizeof(zero)));
	ck_assert(csum_verify(0xff, ones, 1));          /* 0xff + 0xff00 */
	ck_assert(verifies_by_fold(0xff, ones, 1));
	ck_assert(!csum_verify(0xff, ones, 2));
}
END_TEST

START_TEST(checksum_verify_does_not_overflow_on_a_256k_frame)
{
	size_t n = BIG_FRAME;
	uint8_t *b = big_frame_of_ones();

	ck_assert(csum_verify(0, b, n));
	/* a pseudo-header sum with bits above 32 folds in, not off */
	ck_assert(csum_verify((uint64_t)0xffff << 32, b, n));
	b[n - 1] = 0xfe;
	ck_assert(!csum_verify(0, b, n));
	ck_assert(csum_verify(0x0001, b, n));
	free(b);
}
END_TEST

/*
 * Loop: every start alignment (0-7), every length up to 80 bytes and a
 * few pseudo-header sums (none, a real one, one past 32 bits), on bytes
 * that make every word carry: csum_verify() agrees with the fold, both on
 * the bytes as they are and once a checksum is written into them.
 */
START_TEST(checksum_verify_agrees_with_the_fold_at_any_alignment)
{
	static const uint64_t sums[] = { 0, 0x2a5b7, 0x1234500000fedcull };
	uint8_t buf[96];

	for (size_t s = 0; s < sizeof(sums) / sizeof(sums[0]); s++) {
		for (size_t len = 0; len <= 80; len++) {
			uint8_t *p = buf + _i;
			uint16_t c;

			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = (uint8_t)(0xff - i * 7);
			ck_assert_int_eq(csum_verify(sums[s], p, len),
					 verifies_by_fold(sums[s], p, len));
			if (len < 2)
				continue;
			/* a checksum field in the first word */
			p[0] = p[1] = 0;
			c = csum_fold(csum_add(sums[s], p, len));
			p[0] = (uint8_t)(c >> 8);
			p[1] = (uint8_t)c;
			ck_assert(csum_verify(sums[s], p, len));
			ck_assert(verifies_by_fold(sums[s], p, len));
		}
	}
}
END_TEST

static Suite *checksum_suite(void)
{
	Suite *s = suite_create("decode_checksum");
	TCase *tc = tcase_create("checksum");

	tcase_add_test(tc, checksum_matches_the_rfc1071_example);
	tcase_add_test(tc, checksum_pads_an_odd_last_byte_with_zero);
	tcase_add_test(tc, checksum_of_a_header_including_its_checksum_is_zero);
	tcase_add_test(tc, checksum_over_even_chunks_equals_one_pass);
	tcase_add_test(tc, checksum_does_not_overflow_on_a_256k_frame);
	tcase_add_loop_test(tc,
		checksum_word_loop_agrees_with_byte_pairs_at_any_alignment,
		0, 8);
	tcase_add_test(tc, checksum_verifies_a_real_ipv4_tcp_segment);
	tcase_add_test(tc,
		       checksum_verifies_a_real_ipv6_tcp_segment_of_odd_length);
	tcase_add_test(tc, checksum_pseudo_headers_carry_protocol_and_length);
	tcase_add_test(tc, checksum_decoding_reports_good_for_the_real_segments);
	tcase_add_test(tc,
		       checksum_verify_accepts_the_real_segments_and_headers);
	tcase_add_test(tc, checksum_verify_rejects_one_flipped_bit_anywhere);
	tcase_add_test(tc, checksum_verify_tells_a_zero_sum_from_all_ones);
	tcase_add_test(tc, checksum_verify_does_not_overflow_on_a_256k_frame);
	tcase_add_loop_test(tc,
		checksum_verify_agrees_with_the_fold_at_any_alignment, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return frames_run(checksum_suite());
}
