#include "frames.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

int frames_run(Suite *suite)
{
	SRunner *sr = srunner_create(suite);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

uint16_t frame_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void frame_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void frame_wr32(uint8_t *p, uint32_t v)
{
	frame_wr16(p, (uint16_t)(v >> 16));
	frame_wr16(p + 2, (uint16_t)v);
}

/* Plain RFC 1071 sum, folded as it goes: small frames only. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		sum += (i % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

static uint16_t finish(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

struct frame_spec frame_spec_default(uint8_t ip_version)
{
	/* 192.0.2.1 -> 198.51.100.2, 2001:db8::1 -> 2001:db8::2 */
	static const uint8_t v4src[4] = { 192, 0, 2, 1 };
	static const uint8_t v4dst[4] = { 198, 51, 100, 2 };
	static const uint8_t v6src[16] = { 0x20, 0x01, 0x0d, 0xb8,
					   [15] = 1 };
	static const uint8_t v6dst[16] = { 0x20, 0x01, 0x0d, 0xb8,
					   [15] = 2 };
	struct frame_spec s;

	memset(&s, 0, sizeof(s));
	s.ip_version = ip_version;
	s.proto = 6;
	s.ttl = 64;
	memcpy(s.src, ip_version == 4 ? v4src : v6src, ip_version == 4 ? 4 : 16);
	memcpy(s.dst, ip_version == 4 ? v4dst : v6dst, ip_version == 4 ? 4 : 16);
	s.sport = 40000;
	s.dport = 80;
	s.seq = 1000;
	s.flags = 0x002;        /* SYN */
	s.win = 65535;
	return s;
}

static size_t ext_size(const struct frame_ext *e)
{
	return e->len ? e->len : 8;
}

static size_t ip_hdr_size(const struct frame_spec *s)
{
	size_t n;

	if (s->ip_version == 4)
		return 20 + s->ip_opts_len;
	n = 40;
	for (size_t i = 0; i < s->ext_count; i++)
		n += ext_size(&s->ext[i]);
	return n;
}

static void write_ipv4(uint8_t *ip, const struct frame_spec *s, size_t total)
{
	size_t ihl = 20 + s->ip_opts_len;
	uint16_t frag = (uint16_t)(s->frag_offset / 8);

	if (s->df)
		frag |= 0x4000;
	if (s->mf)
		frag |= 0x2000;
	ip[0] = (uint8_t)(0x40 | (ihl / 4));
	frame_wr16(ip + 2, (uint16_t)total);
	frame_wr16(ip + 4, 0x1234);
	frame_wr16(ip + 6, frag);
	ip[8] = s->ttl;
	ip[9] = s->proto;
	memcpy(ip + 12, s->src, 4);
	memcpy(ip + 16, s->dst, 4);
	if (s->ip_opts_len)
		memcpy(ip + 20, s->ip_opts, s->ip_opts_len);
	frame_fix_ipv4_csum(ip);
}

static void write_ext(uint8_t *p, const struct frame_ext *e, uint8_t next)
{
	size_t n = ext_size(e);

	p[0] = next;
	if (e->type == 44) {
		frame_wr16(p + 2, (uint16_t)((e->frag_offset & 0xfff8) |
					     (e->frag_more ? 1 : 0)));
		frame_wr32(p + 4, e->frag_id);
	} else if (e->type == 51) {
		p[1] = (uint8_t)(n / 4 - 2);
	} else {
		p[1] = (uint8_t)(n / 8 - 1);
	}
}

static void write_ipv6(uint8_t *ip, const struct frame_spec *s, size_t total)
{
	size_t off = 40;

	ip[0] = 0x60;
	frame_wr16(ip + 4, (uint16_t)(total - 40));
	ip[6] = s->ext_count ? s->ext[0].type : s->proto;
	ip[7] = s->ttl;
	memcpy(ip + 8, s->src, 16);
	memcpy(ip + 24, s->dst, 16);
	for (size_t i = 0; i < s->ext_count; i++) {
		uint8_t next = i + 1 < s->ext_count ? s->ext[i + 1].type
						    : s->proto;

		write_ext(ip + off, &s->ext[i], next);
		off += ext_size(&s->ext[i]);
	}
}

size_t frame_ip(uint8_t *buf, size_t cap, const struct frame_spec *s,
		struct frame_layout *lay)
{
	size_t l4 = ip_hdr_size(s);
	size_t thl = 20 + s->tcp_opts_len;
	size_t total = l4 + thl + s->payload_len;
	uint8_t *t = buf + l4;

	if (total > cap || thl > 60 || thl % 4 != 0)
		abort();
	memset(buf, 0, total);
	frame_wr16(t, s->sport);
	frame_wr16(t + 2, s->dport);
	frame_wr32(t + 4, s->seq);
	frame_wr32(t + 8, s->ack);
	t[12] = (uint8_t)((thl / 4) << 4 | ((s->flags >> 8) & 1));
	t[13] = (uint8_t)s->flags;
	frame_wr16(t + 14, s->win);
	if (s->tcp_opts_len)
		memcpy(t + 20, s->tcp_opts, s->tcp_opts_len);
	if (s->payload_len)
		memcpy(t + thl, s->payload, s->payload_len);
	if (s->ip_version == 4)
		write_ipv4(buf, s, total);
	else
		write_ipv6(buf, s, total);
	frame_fix_tcp_csum(buf, l4, total - l4, NULL);
	if (lay) {
		lay->l3 = 0;
		lay->l4 = l4;
		lay->payload = l4 + thl;
		lay->len = total;
	}
	return total;
}

size_t frame_eth(uint8_t *buf, size_t cap, const struct frame_spec *s,
		 struct frame_layout *lay)
{
	/* dst 02:00:00:00:00:02, src 02:00:00:00:00:01, then the type */
	static const uint8_t eth[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	size_t n;

	if (cap < 14)
		abort();
	memcpy(buf, eth, sizeof(eth));
	frame_wr16(buf + 12, s->ip_version == 4 ? 0x0800 : 0x86DD);
	n = frame_ip(buf + 14, cap - 14, s, lay);
	if (lay) {
		lay->l3 += 14;
		lay->l4 += 14;
		lay->payload += 14;
		lay->len += 14;
	}
	return n + 14;
}

void frame_fix_ipv4_csum(uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;

	frame_wr16(ip + 10, 0);
	frame_wr16(ip + 10, finish(sum16(0, ip, ihl)));
}

void frame_fix_tcp_csum(uint8_t *ip, size_t l4_off, size_t l4_len,
			const uint8_t *dst)
{
	uint8_t *t = ip + l4_off;
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	frame_wr16(t + 16, 0);
	if ((ip[0] >> 4) == 4) {
		sum = sum16(0, ip + 12, 8);
		tail[1] = 6;
		frame_wr16(tail + 2, (uint16_t)l4_len);
		sum = sum16(sum, tail, 4);
	} else {
		sum = sum16(0, ip + 8, 16);
		sum = sum16(sum, dst ? dst : ip + 24, 16);
		frame_wr32(tail, (uint32_t)l4_len);
		tail[7] = 6;
		sum = sum16(sum, tail, 8);
	}
	sum = sum16(sum, t, l4_len);
	frame_wr16(t + 16, finish(sum));
}
