/*
 * Core smoke test: decode -> flow -> detect -> report on one hand-built
 * connection, with nothing but the core libraries (no libpcap, no
 * terminal, no Check). Built by -Dcore_only=true, so the Windows
 * cross-compile (scripts/cross-windows.sh) links every core library into
 * an executable and an unresolved C library function shows up at link
 * time, not on a user's machine. Natively it also runs as a test; it
 * exits 0 when the connection came out as one established, FIN-closed
 * record.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "decode.h"
#include "detect.h"
#include "flow.h"
#include "report.h"
#include "summary.h"

struct smoke {
	struct summary *summary;
	FILE *out;
	unsigned closed;
	enum handshake_outcome handshake;
	enum close_kind close;
};

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

/* An IPv4 + TCP packet (no options, no payload) with correct checksums,
 * from 192.0.2.1:40000 to 198.51.100.2:80 or back; returns its length. */
static size_t build(uint8_t *b, int to_server, uint32_t seq, uint32_t ack,
		    uint16_t flags)
{
	static const uint8_t cli[4] = { 192, 0, 2, 1 };
	static const uint8_t srv[4] = { 198, 51, 100, 2 };
	uint8_t *tcp = b + 20;
	uint8_t pseudo[12];

	memset(b, 0, 40);
	b[0] = 0x45;                    /* version 4, IHL 5 */
	put16(b + 2, 40);               /* total length */
	b[8] = 64;                      /* TTL */
	b[9] = 6;                       /* TCP */
	memcpy(b + 12, to_server ? cli : srv, 4);
	memcpy(b + 16, to_server ? srv : cli, 4);
	put16(b + 10, csum_fold(csum_add(0, b, 20)));

	put16(tcp, to_server ? 40000 : 80);
	put16(tcp + 2, to_server ? 80 : 40000);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = 5 << 4;               /* data offset 5 */
	tcp[13] = (uint8_t)flags;
	put16(tcp + 14, 65535);         /* window */
	memcpy(pseudo, b + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put16(pseudo + 10, 20);
	put16(tcp + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), tcp, 20)));
	return 40;
}

static void on_event(void *ctx, const struct flow_event *ev)
{
	struct smoke *s = ctx;
	struct conn_output_opts o = { .uid_salt = 1 };

	if (ev->type != FLOW_EV_CLOSED)
		return;
	s->closed++;
	s->handshake = ev->conn->handshake;
	s->close = ev->conn->close;
	summary_add_conn(s->summary, ev->conn);
	report_conn_write(s->out, CONN_FORMAT_JSON, &o, ev->conn);
	report_conn_write(s->out, CONN_FORMAT_CSV, &o, ev->conn);
	report_conn_write(s->out, CONN_FORMAT_ZEEK, &o, ev->conn);
}

int main(void)
{
	static const struct {
		int to_server;
		uint32_t seq, ack;
		uint16_t flags;
	} segs[] = {
		{ 1, 1000, 0, TCP_SYN },
		{ 0, 5000, 1001, TCP_SYN | TCP_ACK },
		{ 1, 1001, 5001, TCP_ACK },
		{ 1, 1001, 5001, TCP_FIN | TCP_ACK },
		{ 0, 5001, 1002, TCP_FIN | TCP_ACK },
		{ 1, 1002, 5002, TCP_ACK },
	};
	struct smoke s = { .out = stdout };
	struct flow_config fc;
	struct flow_table *t;
	struct run_totals totals;
	struct flow_table_stats fs;
	int64_t ts = 1700000000000000000LL;
	int rc = 1;
	struct detect_config dc;
	struct detect *d = NULL;

	flow_config_default(&fc);
	fc.max_flows = 16;
	fc.max_half_open = 4;
	fc.fixed_seed = true;
	fc.seed = 1;
	memset(&totals, 0, sizeof(totals));
	t = flow_table_create(&fc);
	s.summary = summary_create(NULL);
	if (!t || !s.summary || flow_table_subscribe(t, on_event, &s) < 0)
		goto out;
	detect_config_default(&dc);
	d = detect_create(&dc);
	if (!d || detect_attach(d, t) < 0)
		goto out;
	report_conn_header(stdout, CONN_FORMAT_ZEEK, ts);
	for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
		uint8_t frame[64];
		struct decoded_packet p;
		struct frame_meta m = {
			.frame = i + 1,
			.ts_sec = ts / 1000000000,
			.ts_nsec = (uint32_t)(ts % 1000000000),
			.ts_digits = 6,
		};
		size_t n = build(frame, segs[i].to_server, segs[i].seq,
				 segs[i].ack, segs[i].flags);
		enum decode_status st = decode_packet(frame, (uint32_t)n,
						      (uint32_t)n,
						      DECODE_LINK_IPV4, &p);
		if (st != DECODE_TCP ||
		    decode_has_anomaly(&p, ANOM_TCP_CHECKSUM_BAD)) {
			fprintf(stderr, "core_smoke: segment %zu: %s\n", i,
				decode_status_name(st));
			goto out;
		}
		run_totals_add(&totals, &m, (uint32_t)n, st, &p);
		report_packet(stdout, REPORT_PACKETS_TEXT, &m, st, &p);
		report_packet(stdout, REPORT_PACKETS_JSON, &m, st, &p);
		flow_table_packet(t, &p, ts);     /* and the detector */
		ts += 1000000;
	}
	flow_table_finish(t, ts);
	detect_finish(d, ts);
	report_conn_footer(stdout, CONN_FORMAT_ZEEK, ts);
	flow_table_stats(t, &fs);
	struct summary_context ctx = {
		.totals = &totals,
		.flows = &fs,
		.source = "core_smoke",
		.linktype_name = "IPV4",
		.ts_digits = 6,
	};
	summary_print(stdout, s.summary, &ctx);
	if (s.closed == 1 && s.handshake == HS_ESTABLISHED &&
	    s.close == CLOSE_FIN) {
		rc = 0;
	} else {
		fprintf(stderr, "core_smoke: %u records, handshake %s, "
			"close %s\n", s.closed,
			flow_handshake_name(s.handshake),
			flow_close_name(s.close));
	}
out:
	detect_destroy(d);
	summary_destroy(s.summary);
	flow_table_destroy(t);
	return rc;
}
