/*
 * synflood_gen: writes to stdout a classic pcap (Ethernet) of a spoofed
 * SYN flood with one real connection running through it, for the memory
 * bound tests: they pipe it into synscope -r - and check that the peak
 * memory stays under the cap while the real connection stays tracked.
 *
 * usage: synflood_gen COUNT [SEED]
 *
 * The real connection: 198.51.100.7:40000 -> 192.0.2.2:80, handshake
 * first, then a 10-byte request and its ACK every 50,000 flood SYNs, and
 * a FIN exchange at the end. The flood: COUNT SYNs to 192.0.2.2:80 from
 * addresses and ports drawn from a xorshift generator, one per
 * microsecond of packet time. Checksums are correct.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_LEN 54            /* Ethernet 14 + IPv4 20 + TCP 20 */
#define REQ_LEN 10
#define EVERY 50000u

static uint8_t frame[FRAME_LEN + REQ_LEN];
static int64_t now_us = 1700000000LL * 1000000;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void emit(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t len)
{
	uint8_t *ip = frame + 14, *tcp = ip + 20, rec[16];
	uint16_t tot = (uint16_t)(40 + len);
	static uint16_t ipid;

	memset(frame, 0, FRAME_LEN);
	memcpy(frame, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	ip[0] = 0x45;
	put16(ip + 2, tot);
	put16(ip + 4, ipid++);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, fold(sum(ip, 20, 0)));
	put16(tcp, sport);
	put16(tcp + 2, dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 64240);
	memset(tcp + 20, 'x', len);
	uint32_t ps = sum(ip + 12, 8, 0) + 6 + (uint32_t)(20 + len);
	put16(tcp + 16, fold(sum(tcp, 20 + (size_t)len, ps)));

	put32le(rec, (uint32_t)(now_us / 1000000));
	put32le(rec + 4, (uint32_t)(now_us % 1000000));
	put32le(rec + 8, (uint32_t)(FRAME_LEN + len));
	put32le(rec + 12, (uint32_t)(FRAME_LEN + len));
	fwrite(rec, 1, sizeof(rec), stdout);
	fwrite(frame, 1, FRAME_LEN + len, stdout);
	now_us++;
}

int main(int argc, char **argv)
{
	static const uint8_t hdr[24] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 1, 0, 0, 0,
	};
	const uint32_t cli = 0xc6336407, srv = 0xc0000202; /* .7, .2 */
	uint32_t cseq = 1000, sseq = 5000;
	uint64_t count, x;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: synflood_gen COUNT [SEED]\n");
		return 2;
	}
	count = strtoull(argv[1], NULL, 10);
	x = argc == 3 ? strtoull(argv[2], NULL, 10) : 1;
	x = x * 0x9e3779b97f4a7c15ULL + 1;
	fwrite(hdr, 1, sizeof(hdr), stdout);

	emit(cli, srv, 40000, 80, cseq, 0, 0x02, 0);
	emit(srv, cli, 80, 40000, sseq, cseq + 1, 0x12, 0);
	cseq++, sseq++;
	emit(cli, srv, 40000, 80, cseq, sseq, 0x10, 0);
	for (uint64_t i = 0; i < count; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* 10.0.0.0/8 and 172.16.0.0/12 never clash with the real pair */
		uint32_t src = (x & 1) ? 0x0a000000u | (uint32_t)(x >> 8 & 0xffffff)
				       : 0xac100000u | (uint32_t)(x >> 8 & 0xfffff);
		emit(src, srv, (uint16_t)(1024 + (x >> 40) % 64000), 80,
		     (uint32_t)(x >> 20), 0, 0x02, 0);
		if ((i + 1) % EVERY == 0) {
			emit(cli, srv, 40000, 80, cseq, sseq, 0x18, REQ_LEN);
			cseq += REQ_LEN;
			emit(srv, cli, 80, 40000, sseq, cseq, 0x10, 0);
		}
	}
	emit(cli, srv, 40000, 80, cseq, sseq, 0x11, 0);
	emit(srv, cli, 80, 40000, sseq, cseq + 1, 0x11, 0);
	emit(cli, srv, 40000, 80, cseq + 1, sseq + 1, 0x10, 0);
	return fflush(stdout) == 0 ? 0 : 1;
}
