#include "community_id.h"

#include <stdbool.h>
#include <string.h>

#include "sha1.h"

/* The spec's is_lt(): address bytes first, then the port decides. */
static bool endpoint_less(const uint8_t *a1, uint16_t p1, const uint8_t *a2,
			  uint16_t p2, size_t alen)
{
	int c = memcmp(a1, a2, alen);
	return c < 0 || (c == 0 && p1 < p2);
}

size_t community_id_input(uint8_t in[COMMUNITY_ID_INPUT_MAX], uint16_t seed,
			  const struct community_id_flow *f)
{
	size_t alen = f->ip_version == 6 ? 16 : 4;
	const uint8_t *lo = f->saddr, *hi = f->daddr;
	uint16_t plo = f->sport, phi = f->dport;
	size_t n = 0;

	if (!endpoint_less(f->saddr, f->sport, f->daddr, f->dport, alen)) {
		lo = f->daddr;
		hi = f->saddr;
		plo = f->dport;
		phi = f->sport;
	}
	in[n++] = (uint8_t)(seed >> 8);
	in[n++] = (uint8_t)seed;
	memcpy(in + n, lo, alen);
	n += alen;
	memcpy(in + n, hi, alen);
	n += alen;
	in[n++] = f->proto;
	in[n++] = 0; /* padding: the input stays 32-bit aligned */
	in[n++] = (uint8_t)(plo >> 8);
	in[n++] = (uint8_t)plo;
	in[n++] = (uint8_t)(phi >> 8);
	in[n++] = (uint8_t)phi;
	return n;
}

/* RFC 4648 4, with padding. */
static size_t base64(char *out, const uint8_t *b, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 |
			     b[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)b[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)b[i + 1] << 8;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	return o;
}

size_t community_id_v1(char out[COMMUNITY_ID_MAX], uint16_t seed,
		       const struct community_id_flow *f)
{
	uint8_t in[COMMUNITY_ID_INPUT_MAX];
	uint8_t digest[SHA1_DIGEST_LEN];
	size_t n = community_id_input(in, seed, f);

	sha1(in, n, digest);
	out[0] = '1';
	out[1] = ':';
	n = 2 + base64(out + 2, digest, sizeof(digest));
	out[n] = '\0';
	return n;
}
