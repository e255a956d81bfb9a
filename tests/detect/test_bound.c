/*
 * Bounded memory: ten million spoofed SYNs, each from a new address, to
 * one target and to random ports of a second host, with the SYN-ACKs and
 * the flow events a real table would send (the server answers every SYN;
 * the table's half-open cap evicts the oldest). Every table stays within
 * its cap, the half-open set never overflows, one alert per target is
 * raised and the source estimate is within the sketch's error.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "dtest.h"
#include "frames.h"

#define TOTAL 10000000u
#define FLOW_HALF_OPEN 65536u

static struct conn_record rec;

static void event(struct detect *d, enum flow_event_type type, int64_t ts,
		  uint64_t id, uint32_t client, uint32_t server, uint16_t port)
{
	struct flow_event ev = { .type = type, .ts_ns = ts,
				 .from = SIDE_RESP, .conn = &rec };

	rec.id = id;
	rec.ip_version = 4;
	for (int i = 0; i < 4; i++) {
		rec.orig_addr[i] = (uint8_t)(client >> (24 - 8 * i));
		rec.resp_addr[i] = (uint8_t)(server >> (24 - 8 * i));
	}
	rec.orig_port = 40000;
	rec.resp_port = port;
	rec.syn_ns = ts;
	rec.synack_ns = type == FLOW_EV_SYNACK ? ts : -1;
	rec.handshake = HS_PENDING;
	rec.resp.state = type == FLOW_EV_SYNACK ? EP_SYN_RECEIVED : EP_CLOSED;
	detect_flow_event(d, &ev);
}

START_TEST(detect_takes_ten_million_spoofed_syns_in_constant_memory)
{
	struct detect_config c;
	struct detect *d;
	struct decoded_packet p;
	struct detect_stats st;
	uint32_t target = DT_IP(10, 0, 0, 1), host = DT_IP(10, 0, 0, 2);
	uint64_t starts = 0, sources = 0;

	detect_config_default(&c);
	c.fixed_seed = true;
	c.seed = 1;
	c.max_targets = 1024;
	c.max_hosts = 64;
	c.max_sources = 256;
	c.max_half_open = FLOW_HALF_OPEN;
	d = detect_create(&c);
	ck_assert_ptr_nonnull(d);
	dt_srand(5);
	for (uint32_t i = 0; i < TOTAL; i++) {
		/* 1M SYN/s: 10 s of packet time */
		int64_t ts = (int64_t)i * 1000;
		bool to_host = i % 4 == 3;
		uint32_t src = dt_rand() | 0x01000000u;
		uint16_t port = to_host ? (uint16_t)(1 + dt_rand() % 65535)
					: 80;
		uint32_t dst = to_host ? host : target;
		struct dt_pkt syn = { 0, K_SYN, src, dst, (uint16_t)i, port, i,
				      0, 0, 0, 0 };
		dt_build(&syn, &p);
		detect_packet(d, &p, ts);
		if (to_host)
			continue;
		struct dt_pkt sa = { 0, K_SYNACK, dst, src, port, (uint16_t)i,
				     ~i, i + 1, 0, 0, 0 };
		dt_build(&sa, &p);
		detect_packet(d, &p, ts);
		event(d, FLOW_EV_SYNACK, ts, i + 1, src, dst, port);
		/* the flow table keeps FLOW_HALF_OPEN: the oldest goes */
		if (i >= FLOW_HALF_OPEN) {
			uint32_t old = i - FLOW_HALF_OPEN;
			if (old % 4 != 3) {
				event(d, FLOW_EV_EVICTED, ts, old + 1, 0, dst,
				      port);
				event(d, FLOW_EV_CLOSED, ts, old + 1, 0, dst,
				      port);
			}
		}
		if (i % 1000000 == 0) {
			detect_stats(d, &st);
			ck_assert_uint_le(st.targets, c.max_targets);
			ck_assert_uint_le(st.hosts, c.max_hosts);
			ck_assert_uint_le(st.sources, c.max_sources);
			ck_assert_uint_le(st.half_open, FLOW_HALF_OPEN);
		}
	}
	struct detect_alert a[8];
	size_t n = detect_alerts(d, a, 8);
	for (size_t k = 0; k < n; k++) {
		starts++;
		sources += a[k].sources;
		ck_assert(a[k].verdict == DV_SPOOFED_SYN_FLOOD);
	}
	/* the target's flood and the host's spread over ports */
	ck_assert_uint_eq(starts, 2);
	detect_stats(d, &st);
	ck_assert_uint_eq(st.alerts, 2);
	ck_assert_uint_eq(st.half_open_untracked, 0);
	ck_assert_uint_le(st.half_open, FLOW_HALF_OPEN);
	/* spoofed sources reach the scanner table only when an address
	 * repeats (random draws do), and never beyond its cap */
	ck_assert_uint_le(st.sources, c.max_sources);
	/* 7.5M and 2.5M distinct sources, within 10% */
	ck_assert_msg(fabs((double)sources - 1e7) / 1e7 < 0.1, "%llu sources",
		      (unsigned long long)sources);
	detect_finish(d, (int64_t)TOTAL * 1000);
	detect_stats(d, &st);
	ck_assert_uint_eq(st.active, 0);
	detect_destroy(d);
}
END_TEST

static Suite *bound_suite(void)
{
	Suite *s = suite_create("detect_bound");
	TCase *tc = tcase_create("flood");

	tcase_add_test(tc, detect_takes_ten_million_spoofed_syns_in_constant_memory);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return frames_run(bound_suite());
}
