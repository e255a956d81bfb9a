#include "addr.h"

#include <stdbool.h>

static size_t put_dec(char *o, unsigned v)
{
	size_t n = 0;
	if (v >= 100)
		o[n++] = (char)('0' + v / 100);
	if (v >= 10)
		o[n++] = (char)('0' + v / 10 % 10);
	o[n++] = (char)('0' + v % 10);
	return n;
}

static size_t format_v4(char *o, const uint8_t *a)
{
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		if (i)
			o[n++] = '.';
		n += put_dec(o + n, a[i]);
	}
	return n;
}

static size_t put_hex16(char *o, unsigned v)
{
	static const char hexd[] = "0123456789abcdef";
	size_t n = 0;
	bool started = false;

	/* RFC 5952 4.1: leading zeros are suppressed */
	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = (v >> shift) & 0x0f;
		if (d || started || shift == 0) {
			o[n++] = hexd[d];
			started = true;
		}
	}
	return n;
}

static size_t format_v6(char *o, const uint8_t *a)
{
	unsigned w[8];
	int best = -1, best_len = 0;
	size_t n = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	/* RFC 5952 4.2: "::" replaces the longest run of two or more zero
	 * groups, the first one on a tie. */
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	/* RFC 5952 5: IPv4-mapped addresses keep the dotted quad */
	if (best == 0 && best_len == 5 && w[5] == 0xffff) {
		for (const char *p = "::ffff:"; *p; p++)
			o[n++] = *p;
		return n + format_v4(o + n, a + 12);
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			o[n++] = ':';
			if (i == 0)
				o[n++] = ':';
			i += best_len - 1;
			continue;
		}
		n += put_hex16(o + n, w[i]);
		if (i < 7)
			o[n++] = ':';
	}
	return n;
}

size_t addr_format(char out[ADDR_TEXT_MAX], int ip_version,
		   const uint8_t *addr)
{
	size_t n = ip_version == 6 ? format_v6(out, addr)
				   : format_v4(out, addr);
	out[n] = '\0';
	return n;
}
