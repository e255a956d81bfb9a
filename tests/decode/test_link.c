/* Unit tests for the link layers: where IP starts and which IP it is. */
#include <check.h>
#include <string.h>

#include "decode.h"
#include "frames.h"

static uint8_t buf[FRAME_MAX];
static struct decoded_packet p;

/* Link header `hdr`, then a default TCP SYN over IPv`version`. */
static size_t with_ip(const uint8_t *hdr, size_t hlen, uint8_t version)
{
	struct frame_spec s = frame_spec_default(version);

	if (hlen > 0)
		memcpy(buf, hdr, hlen);
	return hlen + frame_ip(buf + hlen, sizeof(buf) - hlen, &s, NULL);
}

static enum decode_status run(size_t len, int linktype)
{
	return decode_packet(buf, (uint32_t)len, (uint32_t)len, linktype, &p);
}

static void assert_tcp_at(enum decode_status st, uint16_t l3_off,
			  uint8_t version)
{
	ck_assert_int_eq(st, DECODE_TCP);
	ck_assert_uint_eq(p.l3_off, l3_off);
	ck_assert_uint_eq(p.ip.version, version);
	ck_assert_uint_eq(p.ethertype, version == 4 ? 0x0800 : 0x86DD);
	ck_assert_uint_eq(p.tcp.sport, 40000);
	ck_assert_uint_eq(p.anom_count, 0);
}

START_TEST(link_decodes_ethernet_carrying_either_ip)
{
	uint8_t version = _i == 0 ? 4 : 6;
	struct frame_spec s = frame_spec_default(version);
	size_t n = frame_eth(buf, sizeof(buf), &s, NULL);

	assert_tcp_at(run(n, DECODE_LINK_ETHERNET), 14, version);
	ck_assert_uint_eq(p.vlan_count, 0);
}
END_TEST

START_TEST(link_records_a_vlan_id_without_its_priority_bits)
{
	/* MACs, 802.1Q TCI 0x6064 (PCP 3, VID 100), IPv4 */
	static const uint8_t hdr[] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
		0x81, 0x00, 0x60, 0x64, 0x08, 0x00,
	};

	assert_tcp_at(run(with_ip(hdr, sizeof(hdr), 4), DECODE_LINK_ETHERNET),
		      18, 4);
	ck_assert_uint_eq(p.vlan_count, 1);
	ck_assert_uint_eq(p.vlan[0], 100);
}
END_TEST

START_TEST(link_records_qinq_vlan_ids_outermost_first)
{
	/* MACs, 802.1ad S-tag VID 10, 802.1Q C-tag VID 20, IPv6 */
	static const uint8_t hdr[] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
		0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, 0x86, 0xdd,
	};

	assert_tcp_at(run(with_ip(hdr, sizeof(hdr), 6), DECODE_LINK_ETHERNET),
		      22, 6);
	ck_assert_uint_eq(p.vlan_count, 2);
	ck_assert_uint_eq(p.vlan[0], 10);
	ck_assert_uint_eq(p.vlan[1], 20);
}
END_TEST

static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100 };

START_TEST(link_unwraps_every_vlan_tpid)
{
	/* MACs, TPID under test, VID 4095, IPv4 */
	uint8_t hdr[18] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
			    0, 0, 0x0f, 0xff, 0x08, 0x00 };

	frame_wr16(hdr + 12, tpids[_i]);
	assert_tcp_at(run(with_ip(hdr, sizeof(hdr), 4), DECODE_LINK_ETHERNET),
		      18, 4);
	ck_assert_uint_eq(p.vlan[0], 4095);
}
END_TEST

/* Loop: _i stacked 802.1Q tags (VID 1, 2, ...) before IPv4. */
START_TEST(link_keeps_four_vlan_tags_and_rejects_a_fifth)
{
	uint8_t hdr[14 + 4 * 5] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	size_t n = (size_t)_i;
	enum decode_status st;

	/* room for five tags (which also tells gcc's LTO so) */
	ck_assert_uint_le(n, 5);
	for (size_t i = 0; i < n; i++) {
		frame_wr16(hdr + 12 + 4 * i, 0x8100);
		frame_wr16(hdr + 14 + 4 * i, (uint16_t)(i + 1));
	}
	frame_wr16(hdr + 12 + 4 * n, 0x0800);
	st = run(with_ip(hdr, 14 + 4 * n, 4), DECODE_LINK_ETHERNET);
	if (n <= DECODE_VLAN_MAX) {
		assert_tcp_at(st, (uint16_t)(14 + 4 * n), 4);
		ck_assert_uint_eq(p.vlan_count, n);
	} else {
		ck_assert_int_eq(st, DECODE_MALFORMED);
		ck_assert(decode_has_anomaly(&p, ANOM_VLAN_TOO_MANY));
		ck_assert_uint_eq(p.vlan_count, DECODE_VLAN_MAX);
		ck_assert_uint_eq(p.vlan[DECODE_VLAN_MAX - 1], DECODE_VLAN_MAX);
	}
}
END_TEST

/* 802.3 lengths (0, 46, 1500), ARP, and a type just above the lengths. */
static const uint16_t not_ip_types[] = { 0x0000, 0x002e, 0x05dc, 0x0806,
					 0x0600, 0x88cc };

START_TEST(link_reports_non_ip_ethertypes_and_802_3_lengths_as_not_ip)
{
	/* MACs, ethertype under test, then an IPv4 packet it must ignore */
	uint8_t hdr[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	frame_wr16(hdr + 12, not_ip_types[_i]);
	ck_assert_int_eq(run(with_ip(hdr, sizeof(hdr), 4),
			     DECODE_LINK_ETHERNET), DECODE_NOT_IP);
	ck_assert_uint_eq(p.ethertype, not_ip_types[_i]);
	ck_assert_uint_eq(p.ip.version, 0);
	ck_assert_uint_eq(p.anom_count, 0);
}
END_TEST

/* Loop: an 802.1Q-tagged Ethernet header cut after _i bytes (0..17). */
START_TEST(link_flags_a_cut_ethernet_or_vlan_header)
{
	/* MACs, 802.1Q VID 5, IPv4 */
	static const uint8_t hdr[] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
		0x81, 0x00, 0x00, 0x05, 0x08, 0x00,
	};

	memcpy(buf, hdr, sizeof(hdr));
	ck_assert_int_eq(decode_packet(buf, (uint32_t)_i, 60,
				       DECODE_LINK_ETHERNET, &p),
			 DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_LINK_TRUNCATED));
	ck_assert_uint_eq(p.ip.version, 0);
}
END_TEST

START_TEST(link_decodes_linux_sll_carrying_either_ip)
{
	/* to us, ARPHRD_ETHER, 6-byte address + 2 pad, protocol (set below) */
	uint8_t hdr[16] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
			    2, 0, 0, 0, 0, 1, 0, 0 };
	uint8_t version = _i == 0 ? 4 : 6;

	frame_wr16(hdr + 14, version == 4 ? 0x0800 : 0x86DD);
	assert_tcp_at(run(with_ip(hdr, sizeof(hdr), version),
			  DECODE_LINK_LINUX_SLL), 16, version);
}
END_TEST

START_TEST(link_reads_a_vlan_tag_behind_linux_sll)
{
	/* SLL header with protocol 802.1Q, then TCI VID 7 and IPv4 */
	static const uint8_t hdr[] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 2, 0, 0, 0, 0, 1, 0, 0,
		0x81, 0x00, 0x00, 0x07, 0x08, 0x00,
	};

	assert_tcp_at(run(with_ip(hdr, sizeof(hdr), 4), DECODE_LINK_LINUX_SLL),
		      20, 4);
	ck_assert_uint_eq(p.vlan[0], 7);
}
END_TEST

START_TEST(link_reports_non_ip_linux_sll_and_cut_headers)
{
	/* SLL header with protocol 0x0004 (802.2 LLC) */
	static const uint8_t llc[16] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
					 2, 0, 0, 0, 0, 1, 0, 0, 0x00, 0x04 };

	ck_assert_int_eq(run(with_ip(llc, sizeof(llc), 4),
			     DECODE_LINK_LINUX_SLL), DECODE_NOT_IP);
	ck_assert_int_eq(run(15, DECODE_LINK_LINUX_SLL), DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_LINK_TRUNCATED));
}
END_TEST

START_TEST(link_decodes_linux_sll2_carrying_either_ip)
{
	/* protocol (set below), reserved, ifindex 2, ARPHRD_ETHER,
	 * outgoing, 6-byte address + 2 pad */
	uint8_t hdr[20] = { 0, 0, 0, 0, 0, 0, 0, 2, 0x00, 0x01, 0x04, 0x06,
			    2, 0, 0, 0, 0, 1, 0, 0 };
	uint8_t version = _i == 0 ? 4 : 6;

	frame_wr16(hdr, version == 4 ? 0x0800 : 0x86DD);
	assert_tcp_at(run(with_ip(hdr, sizeof(hdr), version),
			  DECODE_LINK_LINUX_SLL2), 20, version);
	ck_assert_int_eq(run(19, DECODE_LINK_LINUX_SLL2), DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_LINK_TRUNCATED));
}
END_TEST

/* AF_INET and every AF_INET6 tcpdump knows, each written both ways round. */
static const struct {
	uint32_t family;
	uint8_t version;
} families[] = { { 2, 4 }, { 10, 6 }, { 24, 6 }, { 28, 6 }, { 30, 6 } };

START_TEST(link_reads_the_null_family_in_either_byte_order)
{
	uint32_t fam = families[_i / 2].family;
	uint8_t version = families[_i / 2].version;
	uint8_t hdr[4];

	if (_i % 2 == 0)
		frame_wr32(hdr, fam);   /* big-endian host */
	else
		frame_wr32(hdr, fam << 24);     /* little-endian host */
	assert_tcp_at(run(with_ip(hdr, 4, version), DECODE_LINK_NULL), 4,
		      version);
}
END_TEST

START_TEST(link_reads_the_loop_family_in_network_order_only)
{
	static const uint8_t be_inet[4] = { 0, 0, 0, 2 };       /* AF_INET */
	static const uint8_t le_inet[4] = { 2, 0, 0, 0 };       /* swapped */

	assert_tcp_at(run(with_ip(be_inet, 4, 4), DECODE_LINK_LOOP), 4, 4);
	ck_assert_int_eq(run(with_ip(le_inet, 4, 4), DECODE_LINK_LOOP),
			 DECODE_NOT_IP);
	ck_assert(decode_has_anomaly(&p, ANOM_NULL_FAMILY_UNKNOWN));
}
END_TEST

START_TEST(link_reports_an_unknown_null_family_as_not_ip)
{
	static const uint8_t appletalk[4] = { 16, 0, 0, 0 };    /* AF_APPLETALK */

	ck_assert_int_eq(run(with_ip(appletalk, 4, 4), DECODE_LINK_NULL),
			 DECODE_NOT_IP);
	ck_assert(decode_has_anomaly(&p, ANOM_NULL_FAMILY_UNKNOWN));
	ck_assert_int_eq(run(3, DECODE_LINK_NULL), DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_LINK_TRUNCATED));
}
END_TEST

static const int raw_links[] = { DECODE_LINK_RAW, DECODE_LINK_RAW_BSD,
				 DECODE_LINK_RAW_LT };

START_TEST(link_lets_the_version_nibble_pick_ip_on_raw_links)
{
	int linktype = raw_links[_i / 2];
	uint8_t version = _i % 2 == 0 ? 4 : 6;

	assert_tcp_at(run(with_ip(NULL, 0, version), linktype), 0, version);
}
END_TEST

START_TEST(link_rejects_raw_ip_of_an_unknown_version_or_empty)
{
	size_t n = with_ip(NULL, 0, 4);

	buf[0] = 0x55;  /* version 5 */
	ck_assert_int_eq(run(n, DECODE_LINK_RAW), DECODE_MALFORMED);
	ck_assert(decode_has_anomaly(&p, ANOM_IP_VERSION_MISMATCH));
	ck_assert_int_eq(run(0, DECODE_LINK_RAW), DECODE_TRUNCATED);
	ck_assert(decode_has_anomaly(&p, ANOM_LINK_TRUNCATED));
}
END_TEST

/* Loop: {link, carried version}: IPv4/IPv6 links and Ethernet types. */
static const struct {
	int linktype;
	uint8_t hdr[14];
	size_t hlen;
	uint8_t version;
	bool ok;
} version_cases[] = {
	{ DECODE_LINK_IPV4, { 0 }, 0, 4, true },
	{ DECODE_LINK_IPV4, { 0 }, 0, 6, false },
	{ DECODE_LINK_IPV6, { 0 }, 0, 6, true },
	{ DECODE_LINK_IPV6, { 0 }, 0, 4, false },
	/* Ethernet saying IPv4 around IPv6, and the other way round */
	{ DECODE_LINK_ETHERNET, { [12] = 0x08, 0x00 }, 14, 6, false },
	{ DECODE_LINK_ETHERNET, { [12] = 0x86, 0xdd }, 14, 4, false },
};

START_TEST(link_checks_the_ip_version_against_the_link)
{
	enum decode_status st;

	st = run(with_ip(version_cases[_i].hdr, version_cases[_i].hlen,
			 version_cases[_i].version),
		 version_cases[_i].linktype);
	if (version_cases[_i].ok) {
		assert_tcp_at(st, 0, version_cases[_i].version);
	} else {
		ck_assert_int_eq(st, DECODE_MALFORMED);
		ck_assert(decode_has_anomaly(&p, ANOM_IP_VERSION_MISMATCH));
		ck_assert_uint_eq(p.ip.version, 0);
	}
}
END_TEST

START_TEST(link_answers_which_link_types_it_supports)
{
	static const int yes[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276 };
	static const int no[] = { -1, 2, 9, 105, 127, 147, 192, 277, 1000 };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(decode_link_supported(yes[i]), "%d", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		ck_assert_msg(!decode_link_supported(no[i]), "%d", no[i]);
		ck_assert_int_eq(run(with_ip(NULL, 0, 4), no[i]),
				 DECODE_UNSUPPORTED_LINK);
	}
}
END_TEST

static Suite *link_suite(void)
{
	Suite *s = suite_create("decode_link");
	TCase *eth = tcase_create("ethernet");
	TCase *other = tcase_create("other");

	tcase_add_loop_test(eth, link_decodes_ethernet_carrying_either_ip, 0, 2);
	tcase_add_test(eth, link_records_a_vlan_id_without_its_priority_bits);
	tcase_add_test(eth, link_records_qinq_vlan_ids_outermost_first);
	tcase_add_loop_test(eth, link_unwraps_every_vlan_tpid, 0,
			    (int)(sizeof(tpids) / sizeof(tpids[0])));
	tcase_add_loop_test(eth, link_keeps_four_vlan_tags_and_rejects_a_fifth,
			    0, DECODE_VLAN_MAX + 2);
	tcase_add_loop_test(eth,
		link_reports_non_ip_ethertypes_and_802_3_lengths_as_not_ip, 0,
		(int)(sizeof(not_ip_types) / sizeof(not_ip_types[0])));
	tcase_add_loop_test(eth, link_flags_a_cut_ethernet_or_vlan_header,
			    0, 18);
	suite_add_tcase(s, eth);

	tcase_add_loop_test(other, link_decodes_linux_sll_carrying_either_ip,
			    0, 2);
	tcase_add_test(other, link_reads_a_vlan_tag_behind_linux_sll);
	tcase_add_test(other, link_reports_non_ip_linux_sll_and_cut_headers);
	tcase_add_loop_test(other, link_decodes_linux_sll2_carrying_either_ip,
			    0, 2);
	tcase_add_loop_test(other,
			    link_reads_the_null_family_in_either_byte_order, 0,
			    (int)(2 * sizeof(families) / sizeof(families[0])));
	tcase_add_test(other, link_reads_the_loop_family_in_network_order_only);
	tcase_add_test(other, link_reports_an_unknown_null_family_as_not_ip);
	tcase_add_loop_test(other,
			    link_lets_the_version_nibble_pick_ip_on_raw_links,
			    0, 6);
	tcase_add_test(other, link_rejects_raw_ip_of_an_unknown_version_or_empty);
	tcase_add_loop_test(other, link_checks_the_ip_version_against_the_link,
			    0, (int)(sizeof(version_cases) /
				     sizeof(version_cases[0])));
	tcase_add_test(other, link_answers_which_link_types_it_supports);
	suite_add_tcase(s, other);
	return s;
}

int main(void)
{
	return frames_run(link_suite());
}
