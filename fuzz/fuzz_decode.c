/*
 * libFuzzer target: one frame through decode_packet() and the per-packet
 * report (text and JSON), with the promises of decode.h checked on the
 * result. Input format: fuzz_input.h. The frame is copied into a buffer of
 * exactly caplen bytes so AddressSanitizer sees a read on either side.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fuzz_input.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise is a finding: abort so libFuzzer saves the input. */
#define PROMISE(cond)                                                    \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "fuzz_decode: broken promise: %s\n", \
				#cond);                                  \
			abort();                                         \
		}                                                        \
	} while (0)

static FILE *sink(void)
{
	static FILE *devnull;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	return devnull;
}

static void check_view(const uint8_t *frame, uint32_t caplen,
		       enum decode_status st, const struct decoded_packet *p)
{
	PROMISE(p->anom_count <= DECODE_ANOM_MAX);
	PROMISE(p->vlan_count <= DECODE_VLAN_MAX);
	for (unsigned i = 0; i < p->anom_count; i++)
		PROMISE(decode_anomaly_name(p->anom[i]) != NULL);
	PROMISE(decode_status_name(st) != NULL);
	if (p->ip.version != 0)
		PROMISE(p->l3_off <= caplen);
	if (st != DECODE_TCP)
		return;
	const struct tcp_view *t = &p->tcp;
	PROMISE(t->hlen >= 20 && t->hlen <= 60);
	PROMISE(t->payload_caplen <= t->payload_len);
	if (t->payload_caplen) {
		PROMISE(t->payload >= frame);
		PROMISE(t->payload + t->payload_caplen <= frame + caplen);
	}
	PROMISE(t->opts.count <= TCP_OPT_MAX);
	PROMISE(t->opts.sack_count <= TCP_SACK_MAX);
	/* Every listed option lies wholly inside the captured bytes. */
	size_t l4 = (size_t)p->l3_off + p->ip.hlen;
	for (unsigned i = 0; i < t->opts.count; i++) {
		const struct tcp_opt *o = &t->opts.list[i];
		PROMISE(o->off >= 20 && o->off < t->hlen);
		PROMISE(l4 + o->off + (o->len ? o->len : 1) <= caplen);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decoded_packet p;
	struct frame_meta m = {
		.frame = 1,
		.ts_sec = 1700000000,
		.ts_nsec = 123456789,
		.ts_digits = 9,
		.show_frame = true,
	};

	if (size < FUZZ_DECODE_HDR)
		return 0;
	uint32_t caplen = (uint32_t)(size - FUZZ_DECODE_HDR);
	uint32_t wirelen = fuzz_wirelen(data[1], caplen);
	int linktype = fuzz_link_from_byte(data[0]);
	/* malloc(0) may return NULL; decode must not touch it then. */
	uint8_t *frame = malloc(caplen ? caplen : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + FUZZ_DECODE_HDR, caplen);

	enum decode_status st = decode_packet(frame, caplen, wirelen,
					      linktype, &p);
	check_view(frame, caplen, st, &p);
	FILE *out = sink();
	if (out) {
		report_packet(out, REPORT_PACKETS_TEXT, &m, st, &p);
		report_packet(out, REPORT_PACKETS_JSON, &m, st, &p);
	}
	free(frame);
	return 0;
}
