/* Unit tests for IPv6: lengths, the extension chain, fragments. */
#include <check.h>
#include <string.h>

#include "decode.h"
#include "frames.h"

#define L3 14                   /* IPv6 follows a plain Ethernet header */

static uint8_t buf[FRAME_MAX];
static uint8_t *const ip = buf + L3;
static struct decoded_packet p;
static struct frame_layout lay;

static const uint8_t ext_types[] = { 0, 43, 44, 51, 60 };
#define EXT_TYPES (sizeof(ext_types) / sizeof(ext_types[0]))

static size_t build(const struct frame_ext *ext, size_t count, uint8_t proto)
{
	struct frame_spec s = frame_spec_default(6);

	s.ext = ext;
	s.ext_count = count;
	s.proto = proto;
	return frame_eth(buf, sizeof(buf), &s, &lay);
}

static enum decode_status run(size_t caplen, size_t wirelen)
{
	return decode_packet(buf, (uint32_t)caplen, (uint32_t)wirelen,
			     DECODE_LINK_ETHERNET, &p);
}

/* A 16-byte header of the given type (the fragment header is always 8). */
static struct frame_ext ext16(uint8_t type)
{
	struct frame_ext e = { .type = type, .len = type == 44 ? 8 : 16 };

	return e;
}

START_TEST(ipv6_decodes_the_header_fields)
{
	size_t n = build(NULL, 0, 6);

	/* version 6, traffic class 0xb8, flow label 0xabcde */
	ip[0] = 0x6b;
	ip[1] = 0x8a;
	ip[2] = 0xbc;
	ip[3] = 0xde;
	ip[7] = 57;     /* hop limit */
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.ip.version, 6);
	ck_assert_uint_eq(p.ip.tos, 0xb8);
	ck_assert_uint_eq(p.ip.flow_label, 0xabcde);
	ck_assert_uint_eq(p.ip.ttl, 57);
	ck_assert_uint_eq(p.ip.hlen, 40);
	ck_assert_uint_eq(p.ip.total_len, 60);
	ck_assert_uint_eq(p.ip.proto, 6);
	ck_assert_uint_eq(p.ip.ext_count, 0);
	ck_assert_mem_eq(p.ip.src, ip + 8, 16);
	ck_assert_mem_eq(p.ip.dst, ip + 24, 16);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

/* Loop: only _i (0..39) bytes of the fixed header were captured. */
START_TEST(ipv6_flags_a_header_cut_before_forty_bytes)
{
	size_t n = build(NULL, 0, 6);

	ck_assert_int_eq(run(L3 + (size_t)_i, n), DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV6_TRUNCATED));
	ck_assert_uint_eq(p.ip.version, 0);
}
END_TEST

START_TEST(ipv6_sizes_a_payload_length_of_zero_by_the_wire)
{
	size_t n = build(NULL, 0, 6);

	frame_wr16(ip + 4, 0);  /* jumbogram or TSO */
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.ip.total_len, 60);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.anom_count, 0);
	ck_assert_int_eq(run(n, 100000), DECODE_TCP);
	ck_assert_uint_eq(p.ip.total_len, 100000 - L3);
	ck_assert_uint_eq(p.tcp.payload_len, 100000 - L3 - 60);
}
END_TEST

START_TEST(ipv6_clamps_a_payload_length_beyond_the_wire)
{
	size_t n = build(NULL, 0, 6);

	frame_wr16(ip + 4, 21);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV6_PAYLEN_LONG));
	ck_assert_uint_eq(p.ip.total_len, 60);
	ck_assert_uint_eq(p.tcp.payload_len, 0);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
}
END_TEST

START_TEST(ipv6_walks_every_extension_type_by_its_length_rule)
{
	/* hop-by-hop 8, destination 16, routing 24, AH 12 ((1 + 2) * 4),
	 * atomic fragment 8 */
	static const struct frame_ext chain[] = {
		{ .type = 0, .len = 8 }, { .type = 60, .len = 16 },
		{ .type = 43, .len = 24 }, { .type = 51, .len = 12 },
		{ .type = 44 },
	};
	size_t n = build(chain, 5, 6);

	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.ip.ext_count, 5);
	ck_assert_uint_eq(p.ip.hlen, 40 + 8 + 16 + 24 + 12 + 8);
	ck_assert_uint_eq(p.ip.proto, 6);
	ck_assert_uint_eq(p.tcp.sport, 40000);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.ip.is_fragment, 0);
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

/* Loop: DECODE_IPV6_EXT_MAX (even _i) or one more headers of each type. */
START_TEST(ipv6_accepts_the_longest_chain_and_rejects_a_longer_one)
{
	struct frame_ext chain[DECODE_IPV6_EXT_MAX + 1];
	size_t count = DECODE_IPV6_EXT_MAX + (size_t)(_i % 2);
	size_t n;

	for (size_t i = 0; i < count; i++)
		chain[i] = ext16(ext_types[_i / 2]);
	n = build(chain, count, 6);
	if (_i % 2 == 0) {
		ck_assert_int_eq(run(n, n), DECODE_TCP);
		ck_assert_uint_eq(p.ip.ext_count, DECODE_IPV6_EXT_MAX);
	} else {
		ck_assert_int_eq(run(n, n), DECODE_MALFORMED);
		ck_assert(decode_has_anomaly(&p, ANOM_IPV6_EXT_TOO_MANY));
	}
}
END_TEST

/* Loop: each type, after a hop-by-hop header, cut at 0, 1, 2 or len - 1. */
START_TEST(ipv6_flags_each_extension_cut_by_the_snaplen)
{
	struct frame_ext chain[2] = { { .type = 0 },
				      ext16(ext_types[_i / 4]) };
	size_t cuts[4] = { 0, 1, 2, chain[1].len - 1u };
	size_t n = build(chain, 2, 6);

	ck_assert_int_eq(run(L3 + 48 + cuts[_i % 4], n), DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV6_EXT_TRUNCATED));
	ck_assert_uint_eq(p.ip.ext_count, 1);
	ck_assert_uint_eq(p.ip.version, 6);
}
END_TEST

/* Loop: each type, with the payload length ending 1 or len - 1 bytes in. */
START_TEST(ipv6_flags_each_extension_past_the_payload_length)
{
	struct frame_ext e = ext16(ext_types[_i / 2]);
	size_t n = build(&e, 1, 6);

	frame_wr16(ip + 4, _i % 2 == 0 ? 1 : (uint16_t)(e.len - 1));
	ck_assert_int_eq(run(n, n), DECODE_MALFORMED);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV6_EXT_LONG));
}
END_TEST

START_TEST(ipv6_decodes_tcp_in_a_first_fragment_without_checking_it)
{
	/* fragment header: offset 0, more fragments, id 0xdeadbeef */
	static const struct frame_ext frag = {
		.type = 44, .frag_more = true, .frag_id = 0xdeadbeef,
	};
	size_t n = build(&frag, 1, 6);

	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert(decode_has_anomaly(&p, ANOM_IPV6_FRAGMENT));
	ck_assert_uint_eq(p.ip.is_fragment, 1);
	ck_assert_uint_eq(p.ip.mf, 1);
	ck_assert_uint_eq(p.ip.frag_id, 0xdeadbeef);
	ck_assert_uint_eq(p.tcp.sport, 40000);
	ck_assert_int_eq(p.tcp.csum, CSUM_UNCHECKED);
}
END_TEST

START_TEST(ipv6_treats_an_atomic_fragment_as_a_whole_packet)
{
	/* RFC 8200 4.5: offset 0 and M clear: the packet is complete */
	static const struct frame_ext frag = { .type = 44, .frag_id = 7 };
	size_t n = build(&frag, 1, 6);

	ck_assert_int_eq(run(n, n), DECODE_TCP);
	ck_assert_uint_eq(p.ip.is_fragment, 0);
	ck_assert_uint_eq(p.ip.frag_id, 7);
	ck_assert_int_eq(p.tcp.csum, CSUM_GOOD);
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

START_TEST(ipv6_does_not_decode_a_non_first_fragment)
{
	/* destination options, then a fragment at offset 1232 */
	static const struct frame_ext chain[] = {
		{ .type = 60 },
		{ .type = 44, .frag_offset = 1232, .frag_id = 42 },
	};
	size_t n = build(chain, 2, 6);

	ck_assert_int_eq(run(n, n), DECODE_FRAGMENT);
	ck_assert_uint_eq(p.ip.frag_offset, 1232);
	ck_assert_uint_eq(p.ip.frag_id, 42);
	ck_assert_uint_eq(p.ip.is_fragment, 1);
	ck_assert_uint_eq(p.ip.hlen, 56);
	ck_assert_uint_eq(p.ip.proto, 6);
	ck_assert_uint_eq(p.tcp.sport, 0);
	n = build(chain, 2, 17);        /* the same for UDP */
	ck_assert_int_eq(run(n, n), DECODE_NOT_TCP);
	ck_assert_uint_eq(p.ip.proto, 17);
}
END_TEST

/* No next header, UDP, ICMPv6, ESP. */
static const uint8_t other_protos[] = { 59, 17, 58, 50 };

START_TEST(ipv6_reports_no_next_header_and_other_protocols_as_not_tcp)
{
	static const struct frame_ext hbh = { .type = 0 };
	size_t n = build(&hbh, 1, other_protos[_i]);

	ck_assert_int_eq(run(n, n), DECODE_NOT_TCP);
	ck_assert_uint_eq(p.ip.proto, other_protos[_i]);
	ck_assert_uint_eq(p.ip.ext_count, 1);
	ck_assert_uint_eq(p.ip.hlen, 48);
}
END_TEST

/* 2001:db8::99, the final destination the routing header names. */
static const uint8_t final_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x99 };

/*
 * Loop: routing type 0 (2 addresses), type 2 (1 address), SRH type 4 (2
 * segments); even _i with segments left, odd _i with none left.
 */
START_TEST(ipv6_checksums_against_the_final_destination_of_a_routing_header)
{
	static const struct {
		uint8_t type;
		uint8_t addrs;
	} rt[] = { { 0, 2 }, { 2, 1 }, { 4, 2 } };
	uint8_t type = rt[_i / 2].type;
	uint8_t addrs = rt[_i / 2].addrs;
	struct frame_ext e = { .type = 43, .len = (uint16_t)(8 + 16 * addrs) };
	size_t n = build(&e, 1, 6);
	uint8_t *r = ip + 40;
	size_t slot = type == 4 ? 0 : addrs - 1u;

	r[2] = type;
	r[3] = _i % 2 == 0 ? 1 : 0;     /* segments left */
	memcpy(r + 8 + 16 * slot, final_dst, 16);
	frame_fix_tcp_csum(ip, 40 + e.len, 20, final_dst);
	ck_assert_int_eq(run(n, n), DECODE_TCP);
	/* With no segment left, ip.dst is the final one: the sum is off. */
	ck_assert_int_eq(p.tcp.csum, _i % 2 == 0 ? CSUM_GOOD : CSUM_BAD);
}
END_TEST

static Suite *ipv6_suite(void)
{
	Suite *s = suite_create("decode_ipv6");
	TCase *hdr = tcase_create("header");
	TCase *ext = tcase_create("extensions");

	tcase_add_test(hdr, ipv6_decodes_the_header_fields);
	tcase_add_loop_test(hdr, ipv6_flags_a_header_cut_before_forty_bytes,
			    0, 40);
	tcase_add_test(hdr, ipv6_sizes_a_payload_length_of_zero_by_the_wire);
	tcase_add_test(hdr, ipv6_clamps_a_payload_length_beyond_the_wire);
	suite_add_tcase(s, hdr);

	tcase_add_test(ext, ipv6_walks_every_extension_type_by_its_length_rule);
	tcase_add_loop_test(ext,
			    ipv6_accepts_the_longest_chain_and_rejects_a_longer_one,
			    0, (int)(2 * EXT_TYPES));
	tcase_add_loop_test(ext, ipv6_flags_each_extension_cut_by_the_snaplen,
			    0, (int)(4 * EXT_TYPES));
	tcase_add_loop_test(ext,
			    ipv6_flags_each_extension_past_the_payload_length,
			    0, (int)(2 * EXT_TYPES));
	tcase_add_test(ext,
		       ipv6_decodes_tcp_in_a_first_fragment_without_checking_it);
	tcase_add_test(ext, ipv6_treats_an_atomic_fragment_as_a_whole_packet);
	tcase_add_test(ext, ipv6_does_not_decode_a_non_first_fragment);
	tcase_add_loop_test(ext,
		ipv6_reports_no_next_header_and_other_protocols_as_not_tcp, 0,
		(int)sizeof(other_protos));
	tcase_add_loop_test(ext,
		ipv6_checksums_against_the_final_destination_of_a_routing_header,
		0, 6);
	suite_add_tcase(s, ext);
	return s;
}

int main(void)
{
	return frames_run(ipv6_suite());
}
