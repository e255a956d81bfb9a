/*
 * The table: keys, 4-tuple reuse, timeouts on packet time, the caps and
 * the eviction policy (flow/table.c), a flood of a million spoofed SYNs,
 * stats, foreach, finish, the defaults and the name tables.
 */
#include <check.h>
#include <string.h>

#include "flow_int.h"
#include "flowtest.h"
#include "frames.h"

static const struct seg normal_close[] = {
	HANDSHAKE,
	SEG(11000, '>', F_PA, 1, 1, 100, 1000),
	SEG(21000, '<', F_A, 1, 101, 0, 2000),
	SEG(22000, '<', F_PA, 1, 101, 50, 2000),
	SEG(23000, '>', F_A, 101, 51, 0, 1000),
	SEG(30000, '>', F_FA, 101, 51, 0, 1000),
	SEG(40000, '<', F_FA, 51, 102, 0, 2000),
	SEG(41000, '>', F_A, 102, 52, 0, 1000),
};

static const struct seg handshake[] = { HANDSHAKE };

static struct flow_table_stats stats(void)
{
	struct flow_table_stats st;

	flow_table_stats(ft.t, &st);
	return st;
}

/* Feeds rows for the client port `cport`, shifted by `dt_us`. */
static void feed_conn(const struct seg *segs, size_t n, uint16_t cport,
		      int64_t dt_us)
{
	ft.cport = cport;
	for (size_t i = 0; i < n; i++) {
		struct seg s = segs[i];

		s.t_us += dt_us;
		ft_feed(&s);
	}
	ft.cport = 0;
}

static void recreate(uint32_t max_flows, uint32_t max_half_open)
{
	struct flow_config c = ft.cfg;

	c.max_flows = max_flows;
	c.max_half_open = max_half_open;
	ft_recreate(&c);
}

START_TEST(flow_tells_what_it_made_of_the_last_segment)
{
	const struct seg segs[] = {
		HANDSHAKE,
		SEG(20000, '>', F_PA, 1, 1, 100, 1000),
		SEG(30000, '>', F_PA, 1, 1, 100, 1000),  /* resent */
		SEG(40000, '<', F_A, 1, 101, 0, 2000),
	};
	struct flow_packet_info info;

	for (size_t i = 0; i < NSEGS(segs); i++) {
		ft_feed(&segs[i]);
		flow_table_last_packet(ft.t, &info);
		ck_assert_uint_eq(info.conn_id, 1);
		ck_assert_int_eq(info.from, segs[i].dir == '>' ? SIDE_ORIG
							       : SIDE_RESP);
		ck_assert(info.rel_seq_known);
		ck_assert_uint_eq(info.rel_seq, segs[i].seq);
		if (segs[i].flags & TCP_ACK) {
			ck_assert(info.rel_ack_known);
			ck_assert_uint_eq(info.rel_ack, segs[i].ack);
		}
		ck_assert_uint_eq(info.analysis,
				  i == 4 ? 1u << AN_RETRANS : 0);
	}
	flow_table_packet(ft.t, NULL, 0);
	flow_table_last_packet(ft.t, &info);
	ck_assert_uint_eq(info.conn_id, 0);
}
END_TEST

START_TEST(flow_keeps_both_directions_of_a_connection_in_one_entry)
{
	feed_conn(handshake, NSEGS(handshake), 40000, 0);
	ck_assert_uint_eq(stats().active, 1);
	ck_assert_uint_eq(stats().created, 1);
	ck_assert_uint_eq(stats().half_open, 0);
}
END_TEST

START_TEST(flow_builds_one_key_for_both_directions_and_no_stale_bytes)
{
	struct seg fwd = SEG(0, '>', F_S, 0, 0, 0, 1000);
	struct seg rev = SEG(0, '<', F_SA, 0, 1, 0, 2000);
	struct decoded_packet p;
	uint8_t buf[FRAME_MAX];
	struct flow_key a, b;
	bool a_lo, b_lo;

	ft_decode(&fwd, &p, buf, sizeof(buf));
	memset(&a, 0xaa, sizeof(a));
	a_lo = flow_key_build(&p, &a);
	ft_decode(&rev, &p, buf, sizeof(buf));
	memset(&b, 0x55, sizeof(b));
	b_lo = flow_key_build(&p, &b);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	ck_assert(a_lo != b_lo);
	for (int i = 4; i < 16; i++)        /* IPv4: the rest stays zero */
		ck_assert_uint_eq(a.lo_addr[i] | a.hi_addr[i], 0);
}
END_TEST

/* The reference vector of the SipHash paper (Appendix A). */
START_TEST(flow_hashes_with_siphash_2_4)
{
	uint8_t msg[15];

	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	ck_assert_uint_eq(flow_siphash24(msg, sizeof(msg),
					 UINT64_C(0x0706050403020100),
					 UINT64_C(0x0f0e0d0c0b0a0908)),
			  UINT64_C(0xa129ca6149be45e5));
}
END_TEST

/*
 * The keys' SipHash-1-3 decides the buckets and so the table's order,
 * which shows in what is evicted: its values must not move when the code
 * behind it changes. These are what it gave before any speed work.
 */
START_TEST(flow_key_hash_keeps_its_values)
{
	const uint64_t k0 = UINT64_C(0x0706050403020100);
	const uint64_t k1 = UINT64_C(0x0f0e0d0c0b0a0908);
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.ip_version = 4;
	memcpy(k.lo_addr, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(k.hi_addr, (const uint8_t[]){ 198, 51, 100, 2 }, 4);
	k.lo_port = 40000;
	k.hi_port = 80;
	ck_assert_uint_eq(flow_key_hash(&k, k0, k1),
			  UINT64_C(0x54a54fb76b72184b));
	k.vlan_count = 2;
	k.vlan[0] = 10;
	k.vlan[1] = 4094;
	ck_assert_uint_eq(flow_key_hash(&k, k0, k1),
			  UINT64_C(0x4992faac858081ef));

	memset(&k, 0, sizeof(k));
	k.ip_version = 6;
	for (int i = 0; i < 16; i++) {
		k.lo_addr[i] = (uint8_t)(0x20 + i);
		k.hi_addr[i] = (uint8_t)(0x80 + i);
	}
	k.lo_port = 443;
	k.hi_port = 51000;
	k.vlan_count = 1;
	k.vlan[0] = 7;
	ck_assert_uint_eq(flow_key_hash(&k, k0, k1),
			  UINT64_C(0x3bf7a117839cc4ce));
}
END_TEST

/* The per-packet path builds and hashes in one go; it must agree with
 * the two steps, both ways round, for IPv4 (with VLANs) and IPv6. */
START_TEST(flow_builds_and_hashes_a_key_in_one_step_as_in_two)
{
	const struct seg segs[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(10, '<', F_SA, 0, 1, 0, 2000),
	};
	struct decoded_packet p;
	uint8_t buf[FRAME_MAX];

	for (int run = 0; run < 3; run++) {
		ft.ip_version = run == 2 ? 6 : 4;
		for (size_t i = 0; i < NSEGS(segs); i++) {
			struct flow_key a, b;
			uint64_t ha, hb;
			bool lo_a, lo_b;

			ft_decode(&segs[i], &p, buf, sizeof(buf));
			p.vlan_count = run == 1 ? 2 : 0;
			p.vlan[0] = 100;
			p.vlan[1] = 200;
			memset(&a, 0xaa, sizeof(a));
			memset(&b, 0x55, sizeof(b));
			lo_a = flow_key_build_hash(&p, &a, 1, 2, &ha);
			lo_b = flow_key_build(&p, &b);
			hb = flow_key_hash(&b, 1, 2);
			ck_assert(lo_a == lo_b);
			ck_assert_mem_eq(&a, &b, sizeof(a));
			ck_assert_uint_eq(ha, hb);
		}
	}
}
END_TEST

START_TEST(flow_tells_connections_on_different_vlans_apart)
{
	struct seg syn = SEG(0, '>', F_S, 0, 0, 0, 1000);
	struct seg synack = SEG(10, '<', F_SA, 0, 1, 0, 2000);
	struct decoded_packet p;
	uint8_t buf[FRAME_MAX];

	for (uint16_t v = 10; v <= 20; v += 10) {
		ft_decode(&syn, &p, buf, sizeof(buf));
		p.vlan_count = 1;
		p.vlan[0] = v;
		flow_table_packet(ft.t, &p, 0);
	}
	ft_decode(&synack, &p, buf, sizeof(buf));
	p.vlan_count = 1;
	p.vlan[0] = 10;
	flow_table_packet(ft.t, &p, 10000);
	ck_assert_uint_eq(stats().active, 2);
	flow_table_finish(ft.t, 10000);
	ck_assert_uint_eq(ft.rec[0].vlan_count, 1);
	ck_assert_uint_eq(ft.rec[0].vlan[0], 10);
	ck_assert_uint_eq(ft.rec[0].resp.pkts, 1);
	ck_assert_uint_eq(ft.rec[1].vlan[0], 20);
	ck_assert_uint_eq(ft.rec[1].resp.pkts, 0);
}
END_TEST

START_TEST(flow_tracks_an_ipv6_connection)
{
	ft.ip_version = 6;
	ft_run(normal_close, NSEGS(normal_close), 0);
	ck_assert_uint_eq(ft.nrec, 1);
	ck_assert_uint_eq(ft.rec[0].ip_version, 6);
	ck_assert_uint_eq(ft.rec[0].orig_addr[0], 0x20);
	ck_assert_uint_eq(ft.rec[0].orig_addr[15], 1);
	ck_assert_uint_eq(ft.rec[0].resp_addr[15], 2);
	ck_assert_int_eq(ft.rec[0].conn_state, ZK_SF);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_FIN);
}
END_TEST

START_TEST(flow_starts_a_new_record_when_a_new_isn_reuses_a_closed_tuple)
{
	struct seg s[NSEGS(normal_close) + 1];

	memcpy(s, normal_close, sizeof(normal_close));
	s[NSEGS(normal_close)] =
		(struct seg)SEG(1000000, '>', F_S, 100000, 0, 0, 1000);
	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft.nrec, 2);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_FIN);
	ck_assert(!ft.rec[0].reused);
	ck_assert(ft.rec[1].reused);
	ck_assert(ft.rec[1].reused_time_wait);
	ck_assert_uint_eq(ft.rec[1].orig.isn, ISN_C + 100000);
	ck_assert_uint_eq(stats().reused, 1);
	/* the old record is out before the new attempt is announced */
	ck_assert_int_lt(ft_event_index(FLOW_EV_CLOSED, 1),
			 ft_event_index(FLOW_EV_SYN, 2));
}
END_TEST

START_TEST(flow_flags_reuse_of_a_tuple_that_never_closed)
{
	struct seg s[] = { HANDSHAKE, SEG(1000000, '>', F_S, 7777, 0, 0, 1) };

	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft.nrec, 2);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_OPEN);
	ck_assert(ft.rec[1].reused);
	ck_assert(!ft.rec[1].reused_time_wait);
}
END_TEST

START_TEST(flow_keeps_a_late_syn_with_the_same_isn_in_its_record)
{
	struct seg s[] = { HANDSHAKE, SEG(1000000, '>', F_S, 0, 0, 0, 1000) };

	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft.nrec, 1);
	ck_assert_uint_eq(ft.rec[0].syn_retrans, 1);
	ck_assert_uint_eq(stats().reused, 0);
}
END_TEST

START_TEST(flow_expires_an_unanswered_syn_on_packet_time)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };

	feed_conn(syn, 1, 40000, 0);
	feed_conn(syn, 1, 41000, 4000000);
	ck_assert_uint_eq(ft.nrec, 0);          /* 4 s: not yet */
	feed_conn(syn, 1, 42000, 6000000);
	ck_assert_uint_eq(ft.nrec, 1);          /* 6 s: yes, before finish */
	ck_assert_int_eq(ft.rec[0].handshake, HS_UNANSWERED);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_NONE);
	ck_assert_uint_eq(stats().expired, 1);
}
END_TEST

START_TEST(flow_expires_an_idle_connection_after_idle_ns)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };
	struct flow_config c = ft.cfg;

	c.idle_ns = INT64_C(60000000000);
	ft_recreate(&c);
	feed_conn(handshake, NSEGS(handshake), 40000, 0);
	feed_conn(syn, 1, 41000, 59000000);
	ck_assert_uint_eq(ft.nrec, 0);
	feed_conn(syn, 1, 42000, 61000000);
	ck_assert_uint_eq(ft.nrec, 1);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_IDLE);
	ck_assert_int_eq(ft.rec[0].handshake, HS_ESTABLISHED);
	ck_assert_int_eq(ft.rec[0].conn_state, ZK_S1);
}
END_TEST

START_TEST(flow_expires_a_half_open_handshake_after_half_open_idle)
{
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(10000, '<', F_SA, 0, 1, 0, 2000),
	};
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };

	feed_conn(s, NSEGS(s), 40000, 0);
	feed_conn(syn, 1, 41000, 19000000);
	ck_assert_uint_eq(ft.nrec, 0);          /* 20 s by default */
	feed_conn(syn, 1, 42000, 21000000);
	ck_assert_uint_eq(ft.nrec, 1);
	ck_assert_int_eq(ft.rec[0].handshake, HS_PENDING);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_IDLE);
}
END_TEST

START_TEST(flow_lets_late_packets_land_in_a_closed_record)
{
	struct seg s[NSEGS(normal_close) + 1];

	memcpy(s, normal_close, sizeof(normal_close));
	/* the server's FIN again, 1 s later: within the 5 s linger */
	s[NSEGS(normal_close)] =
		(struct seg)SEG(1000000, '<', F_FA, 51, 102, 0, 2000);
	ft_run(s, NSEGS(s), 0);
	ck_assert_uint_eq(ft.nrec, 1);
	ck_assert_uint_eq(ft.rec[0].resp.pkts, 5);
	ck_assert_int_eq(ft.rec[0].last_ns, 1000000000);
}
END_TEST

START_TEST(flow_emits_a_closed_record_after_its_linger_without_a_timeout)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };

	feed_conn(normal_close, NSEGS(normal_close), 40000, 0);
	feed_conn(syn, 1, 41000, 4000000);
	ck_assert_uint_eq(ft.nrec, 0);
	feed_conn(syn, 1, 42000, 6000000);
	ck_assert_uint_eq(ft.nrec, 1);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_FIN);
	ck_assert_uint_eq(ft_events(FLOW_EV_TIMEOUT, 0), 0);
	ck_assert_uint_eq(stats().expired, 0);
}
END_TEST

START_TEST(flow_checks_a_found_entry_for_expiry_before_using_it)
{
	/* the sweep takes two heads per packet; the third attempt's late
	 * SYN-ACK must still find it over, and start a record of its own */
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };
	static const struct seg late[] = {
		SEG(6000000, '<', F_SA, 0, 1, 0, 2000),
	};

	for (uint16_t i = 0; i < 3; i++)
		feed_conn(syn, 1, (uint16_t)(41000 + i), i);
	feed_conn(late, 1, 41002, 0);
	ck_assert_uint_eq(ft.nrec, 3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_eq(ft.rec[i].handshake, HS_UNANSWERED);
	ck_assert_uint_eq(stats().active, 1);
	flow_table_finish(ft.t, 6000000000);
	ck_assert_uint_eq(ft.rec[3].orig.pkts, 0);
	ck_assert_uint_eq(ft.rec[3].resp.pkts, 1);
}
END_TEST

START_TEST(flow_evicts_the_oldest_half_open_entry_at_the_half_open_cap)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };

	for (uint16_t i = 0; i < 20; i++)
		feed_conn(syn, 1, (uint16_t)(41000 + i), i * 1000);
	ck_assert_uint_eq(stats().half_open, 16);
	ck_assert_uint_eq(stats().active, 16);
	ck_assert_uint_eq(stats().evicted, 4);
	ck_assert_uint_eq(ft.nrec, 4);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_eq(ft.rec[i].id, i + 1);
		ck_assert_int_eq(ft.rec[i].close, CLOSE_EVICTED);
	}
}
END_TEST

START_TEST(flow_refuses_a_syn_when_the_table_is_full_of_open_connections)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };

	recreate(8, 8);
	for (uint16_t i = 0; i < 8; i++)
		feed_conn(handshake, NSEGS(handshake), (uint16_t)(41000 + i),
			  i * 100000);
	feed_conn(syn, 1, 50000, 1000000);
	ck_assert_uint_eq(stats().refused, 1);
	ck_assert_uint_eq(stats().evicted, 0);
	ck_assert_uint_eq(stats().active, 8);
	flow_table_finish(ft.t, 1000000000);
	ck_assert_uint_eq(ft.nrec, 8);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_int_eq(ft.rec[i].handshake, HS_ESTABLISHED);
}
END_TEST

START_TEST(flow_evicts_a_lingering_closed_entry_before_refusing)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };

	recreate(8, 8);
	feed_conn(normal_close, NSEGS(normal_close), 40000, 0);
	for (uint16_t i = 0; i < 7; i++)
		feed_conn(handshake, NSEGS(handshake), (uint16_t)(41000 + i),
			  100000 + i * 100000);
	feed_conn(syn, 1, 50000, 1000000);
	ck_assert_uint_eq(stats().refused, 0);
	ck_assert_uint_eq(stats().evicted, 1);
	ck_assert_uint_eq(ft.nrec, 1);
	ck_assert_uint_eq(ft.rec[0].id, 1);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_FIN);   /* how it died */
	ck_assert_uint_eq(ft_events(FLOW_EV_EVICTED, 1), 1);
}
END_TEST

START_TEST(flow_gives_the_slot_of_a_timed_out_connection_to_a_new_syn)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };
	struct flow_config c = ft.cfg;

	c.max_flows = 4;
	c.max_half_open = 4;
	c.idle_ns = INT64_C(60000000000);
	ft_recreate(&c);
	for (uint16_t i = 0; i < 4; i++)
		feed_conn(handshake, NSEGS(handshake), (uint16_t)(41000 + i),
			  0);
	feed_conn(syn, 1, 50000, 61000000);
	ck_assert_uint_eq(stats().refused, 0);
	ck_assert_uint_eq(stats().evicted, 0);
	ck_assert_uint_ge(stats().expired, 1);
	ck_assert_int_eq(ft.rec[0].close, CLOSE_IDLE);
}
END_TEST

START_TEST(flow_refuses_every_syn_when_no_half_open_entry_is_allowed)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };

	recreate(8, 0);
	feed_conn(syn, 1, 41000, 0);
	ck_assert_uint_eq(stats().refused, 1);
	ck_assert_uint_eq(stats().active, 0);
}
END_TEST

/*
 * A million spoofed SYNs (distinct sources, 1 us apart) against a table of
 * 4096 with 1024 half-open: the caps hold at every step, and a connection
 * established before the flood is still tracked and closes normally.
 */
START_TEST(flow_holds_its_caps_under_a_flood_of_a_million_spoofed_syns)
{
	static const struct seg before[] = {
		HANDSHAKE,
		SEG(20000, '>', F_PA, 1, 1, 100, 1000),
		SEG(30000, '<', F_A, 1, 101, 0, 2000),
	};
	static const struct seg after[] = {
		SEG(2000000, '<', F_PA, 1, 101, 50, 2000),
		SEG(2001000, '>', F_FA, 101, 51, 0, 1000),
		SEG(2002000, '<', F_FA, 51, 102, 0, 2000),
		SEG(2003000, '>', F_A, 102, 52, 0, 1000),
	};
	const uint32_t flood = 1000000;
	struct seg syn = SEG(0, '>', F_S, 0, 0, 0, 1000);
	struct decoded_packet p;
	uint8_t buf[FRAME_MAX];
	struct flow_table_stats st;

	recreate(4096, 1024);
	ft.watch_id = 1;
	feed_conn(before, NSEGS(before), 40000, 0);
	ft_decode(&syn, &p, buf, sizeof(buf));
	for (uint32_t i = 0; i < flood; i++) {
		p.ip.src[0] = 10;
		p.ip.src[1] = (uint8_t)(i >> 16);
		p.ip.src[2] = (uint8_t)(i >> 8);
		p.ip.src[3] = (uint8_t)i;
		p.tcp.sport = (uint16_t)(1024 + i % 60000);
		p.tcp.seq = i * 2654435761u;
		flow_table_packet(ft.t, &p, 40000000 + (int64_t)i * 1000);
		if (i % 1024 == 0) {
			st = stats();
			ck_assert_uint_le(st.active, 4096);
			ck_assert_uint_le(st.half_open, 1024);
		}
	}
	st = stats();
	ck_assert_uint_eq(st.half_open, 1024);
	ck_assert_uint_eq(st.active, 1025);
	ck_assert_uint_eq(st.evicted, flood - 1024);
	ck_assert_uint_eq(st.refused, 0);
	ck_assert_uint_le(st.peak, 4096);
	ck_assert_uint_eq(ft.watched_closed, 0);        /* still held */
	feed_conn(after, NSEGS(after), 40000, 0);
	flow_table_finish(ft.t, 2003000000);
	ck_assert_uint_eq(ft.watched_closed, 1);
	ck_assert_int_eq(ft.watched.handshake, HS_ESTABLISHED);
	ck_assert_int_eq(ft.watched.close, CLOSE_FIN);
	ck_assert_int_eq(ft.watched.conn_state, ZK_SF);
	ck_assert_uint_eq(ft.watched.orig.bytes, 100);
	ck_assert_uint_eq(ft.watched.resp.bytes, 50);
	ck_assert_uint_eq(ft.closed_total, stats().created);
}
END_TEST

/* Times off the wire may be anything: none of this may overflow. */
START_TEST(flow_survives_packet_times_at_the_ends_of_int64)
{
	static const struct seg s[] = {
		SEG(0, '>', F_S, 0, 0, 0, 1000),
		SEG(0, '<', F_SA, 0, 1, 0, 0),
		SEG(0, '>', F_A, 1, 1, 0, 1000),
		SEG(0, '<', F_A, 1, 1, 0, 2000),
		SEG(0, '>', F_PA, 1, 1, 10, 1000),
		SEG(0, '>', F_PA, 1, 1, 10, 1000),
	};
	static const int64_t ts[] = {
		INT64_MAX - 5, INT64_MIN + 5, INT64_MIN, INT64_MAX,
		INT64_MIN, INT64_MAX,
	};
	struct seg syn = SEG(0, '>', F_S, 0, 0, 0, 1000);
	struct decoded_packet p;
	uint8_t buf[FRAME_MAX];

	/* a SYN in the far past, then a clock in the far future */
	ft.cport = 41000;
	ft_decode(&syn, &p, buf, sizeof(buf));
	flow_table_packet(ft.t, &p, INT64_MIN + 1);
	ft.cport = 0;
	for (size_t i = 0; i < NSEGS(s); i++) {
		ft_decode(&s[i], &p, buf, sizeof(buf));
		flow_table_packet(ft.t, &p, ts[i]);
	}
	flow_table_finish(ft.t, INT64_MAX);
	ck_assert_uint_eq(ft.nrec, 2);
	ck_assert_int_eq(ft.rec[0].handshake, HS_UNANSWERED);
	ck_assert_int_eq(ft.rec[1].resp.zero_win_ns, INT64_MAX);
}
END_TEST

START_TEST(flow_counts_created_active_and_peak)
{
	feed_conn(handshake, NSEGS(handshake), 41000, 0);
	feed_conn(handshake, NSEGS(handshake), 42000, 0);
	ck_assert_uint_eq(stats().created, 2);
	ck_assert_uint_eq(stats().active, 2);
	flow_table_finish(ft.t, 20000);
	ck_assert_uint_eq(stats().active, 0);
	ck_assert_uint_eq(stats().peak, 2);
	ck_assert_uint_eq(stats().created, 2);
}
END_TEST

static void count_conn(void *ctx, const struct conn_record *c)
{
	uint64_t *seen = ctx;

	*seen |= UINT64_C(1) << c->id;
}

START_TEST(flow_visits_every_held_connection)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };
	uint64_t seen = 0;

	feed_conn(handshake, NSEGS(handshake), 41000, 0);
	feed_conn(syn, 1, 42000, 0);
	feed_conn(normal_close, NSEGS(normal_close), 43000, 0);
	flow_table_foreach(ft.t, count_conn, &seen);
	ck_assert_uint_eq(seen, (1u << 1) | (1u << 2) | (1u << 3));
}
END_TEST

START_TEST(flow_emits_what_is_left_at_finish_in_creation_order)
{
	static const struct seg syn[] = { SEG(0, '>', F_S, 0, 0, 0, 1000) };

	/* id 1 ends up on the open list, id 2 on the SYN list */
	feed_conn(syn, 1, 41000, 0);
	feed_conn(syn, 1, 42000, 100);
	feed_conn(handshake + 1, 2, 41000, 0);
	flow_table_finish(ft.t, 20000);
	ck_assert_uint_eq(ft.nrec, 2);
	ck_assert_uint_eq(ft.rec[0].id, 1);
	ck_assert_uint_eq(ft.rec[1].id, 2);
}
END_TEST

START_TEST(flow_table_create_rejects_a_table_without_room)
{
	struct flow_config c;

	flow_config_default(&c);
	c.max_flows = 0;
	ck_assert_ptr_null(flow_table_create(&c));
	ck_assert_ptr_null(flow_table_create(NULL));
}
END_TEST

static void ignore_event(void *ctx, const struct flow_event *ev)
{
	(void)ctx;
	(void)ev;
}

START_TEST(flow_table_subscribe_stops_at_its_limit)
{
	/* the fixture took one slot already */
	for (int i = 1; i < FLOW_MAX_SUBSCRIBERS; i++)
		ck_assert_int_eq(flow_table_subscribe(ft.t, ignore_event, NULL),
				 0);
	ck_assert_int_eq(flow_table_subscribe(ft.t, ignore_event, NULL), -1);
}
END_TEST

START_TEST(flow_config_default_sets_the_documented_values)
{
	struct flow_config c;

	flow_config_default(&c);
	ck_assert_uint_eq(c.max_flows, 262144);
	ck_assert_uint_eq(c.max_half_open, 65536);
	ck_assert_int_eq(c.syn_timeout_ns, INT64_C(5000000000));
	ck_assert_int_eq(c.half_open_idle_ns, INT64_C(20000000000));
	ck_assert_int_eq(c.idle_ns, INT64_C(300000000000));
	ck_assert_int_eq(c.closed_linger_ns, INT64_C(5000000000));
	ck_assert(!c.fixed_seed);
}
END_TEST

START_TEST(flow_names_every_value_and_marks_the_rest_unknown)
{
	ck_assert_str_eq(flow_ep_state_name(EP_UNKNOWN), "UNKNOWN");
	ck_assert_str_eq(flow_ep_state_name(EP_SYN_RECEIVED), "SYN-RECEIVED");
	ck_assert_str_eq(flow_ep_state_name(EP_FIN_WAIT_2), "FIN-WAIT-2");
	ck_assert_str_eq(flow_ep_state_name(EP_TIME_WAIT), "TIME-WAIT");
	ck_assert_str_eq(flow_side_name(SIDE_NONE), "");
	ck_assert_str_eq(flow_side_name(SIDE_RESP), "resp");
	ck_assert_str_eq(flow_handshake_name(HS_SIMULTANEOUS),
			 "simultaneous_open");
	ck_assert_str_eq(flow_close_name(CLOSE_HALF), "half_close");
	ck_assert_str_eq(flow_close_name(CLOSE_IDLE), "idle_timeout");
	ck_assert_str_eq(flow_zeek_state_name(ZK_RSTOS0), "RSTOS0");
	ck_assert_str_eq(flow_analysis_name(AN_ACK_UNSEEN), "ack_lost_segment");
	ck_assert_str_eq(flow_analysis_name(AN_CAPTURE_DUP),
			 "capture_duplicate");
	ck_assert_str_eq(flow_event_name(FLOW_EV_EVICTED), "evicted");
	ck_assert_str_eq(flow_ep_state_name(EP__COUNT), "?");
	ck_assert_str_eq(flow_zeek_state_name(ZK__COUNT), "?");
	ck_assert_str_eq(flow_analysis_name(AN__COUNT), "?");
	ck_assert_str_eq(flow_event_name(FLOW_EV__COUNT), "?");
	for (int i = 0; i < EP__COUNT; i++)
		ck_assert_str_ne(flow_ep_state_name(i), "?");
	for (int i = 0; i < AN__COUNT; i++)
		ck_assert_str_ne(flow_analysis_name(i), "?");
	for (int i = 0; i < ZK__COUNT; i++)
		ck_assert_str_ne(flow_zeek_state_name(i), "?");
	for (int i = 0; i < HS__COUNT; i++)
		ck_assert_str_ne(flow_handshake_name(i), "?");
	for (int i = 0; i < CLOSE__COUNT; i++)
		ck_assert_str_ne(flow_close_name(i), "?");
	for (int i = 0; i < FLOW_EV__COUNT; i++)
		ck_assert_str_ne(flow_event_name(i), "?");
}
END_TEST

static Suite *table_suite(void)
{
	const TTest *const keys[] = {
		flow_tells_what_it_made_of_the_last_segment,
		flow_keeps_both_directions_of_a_connection_in_one_entry,
		flow_builds_one_key_for_both_directions_and_no_stale_bytes,
		flow_hashes_with_siphash_2_4,
		flow_key_hash_keeps_its_values,
		flow_builds_and_hashes_a_key_in_one_step_as_in_two,
		flow_tells_connections_on_different_vlans_apart,
		flow_tracks_an_ipv6_connection,
		flow_starts_a_new_record_when_a_new_isn_reuses_a_closed_tuple,
		flow_flags_reuse_of_a_tuple_that_never_closed,
		flow_keeps_a_late_syn_with_the_same_isn_in_its_record,
	};
	const TTest *const lifetime[] = {
		flow_expires_an_unanswered_syn_on_packet_time,
		flow_expires_an_idle_connection_after_idle_ns,
		flow_expires_a_half_open_handshake_after_half_open_idle,
		flow_lets_late_packets_land_in_a_closed_record,
		flow_emits_a_closed_record_after_its_linger_without_a_timeout,
		flow_checks_a_found_entry_for_expiry_before_using_it,
		flow_survives_packet_times_at_the_ends_of_int64,
	};
	const TTest *const caps[] = {
		flow_evicts_the_oldest_half_open_entry_at_the_half_open_cap,
		flow_refuses_a_syn_when_the_table_is_full_of_open_connections,
		flow_evicts_a_lingering_closed_entry_before_refusing,
		flow_gives_the_slot_of_a_timed_out_connection_to_a_new_syn,
		flow_refuses_every_syn_when_no_half_open_entry_is_allowed,
		flow_holds_its_caps_under_a_flood_of_a_million_spoofed_syns,
	};
	const TTest *const api[] = {
		flow_counts_created_active_and_peak,
		flow_visits_every_held_connection,
		flow_emits_what_is_left_at_finish_in_creation_order,
		flow_table_create_rejects_a_table_without_room,
		flow_table_subscribe_stops_at_its_limit,
		flow_config_default_sets_the_documented_values,
		flow_names_every_value_and_marks_the_rest_unknown,
	};
	Suite *s = suite_create("flow_table");
	TCase *tk = tcase_create("keys");
	TCase *tl = tcase_create("lifetime");
	TCase *tc = tcase_create("caps");
	TCase *ta = tcase_create("api");

	ft_add_tests(tk, keys, NSEGS(keys));
	suite_add_tcase(s, tk);
	ft_add_tests(tl, lifetime, NSEGS(lifetime));
	suite_add_tcase(s, tl);
	/* the flood: well under a second, a minute under valgrind at most */
	tcase_set_timeout(tc, 60);
	ft_add_tests(tc, caps, NSEGS(caps));
	suite_add_tcase(s, tc);
	ft_add_tests(ta, api, NSEGS(api));
	suite_add_tcase(s, ta);
	return s;
}

int main(void)
{
	return frames_run(table_suite());
}
