#include "outbuf.h"

/* Two digits per division: numbers are most of every output line. */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

void ob_u64(struct outbuf *ob, uint64_t v)
{
	char tmp[20];
	size_t pos = sizeof(tmp);

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		tmp[--pos] = digit_pairs[d + 1];
		tmp[--pos] = digit_pairs[d];
	}
	if (v >= 10) {
		unsigned d = (unsigned)v * 2;
		tmp[--pos] = digit_pairs[d + 1];
		tmp[--pos] = digit_pairs[d];
	} else {
		tmp[--pos] = (char)('0' + v);
	}
	ob_putn(ob, tmp + pos, sizeof(tmp) - pos);
}

void ob_i64(struct outbuf *ob, int64_t v)
{
	if (v < 0) {
		ob_putc(ob, '-');
		ob_u64(ob, (uint64_t)0 - (uint64_t)v);
	} else {
		ob_u64(ob, (uint64_t)v);
	}
}

void ob_frac(struct outbuf *ob, uint32_t nsec, int digits)
{
	char tmp[9];

	if (digits > 9)
		digits = 9;
	for (int i = 9; i > digits; i--)
		nsec /= 10;
	for (int i = digits - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + nsec % 10);
		nsec /= 10;
	}
	ob_putn(ob, tmp, (size_t)(digits > 0 ? digits : 0));
}

void ob_hex(struct outbuf *ob, const uint8_t *b, size_t n)
{
	static const char hexd[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		ob_putc(ob, hexd[b[i] >> 4]);
		ob_putc(ob, hexd[b[i] & 0x0f]);
	}
}

void ob_json_str(struct outbuf *ob, const char *s)
{
	static const char hexd[] = "0123456789abcdef";

	ob_putc(ob, '"');
	for (;;) {
		/* a run with nothing to escape goes in one copy */
		size_t n = 0;
		while ((unsigned char)s[n] >= 0x20 && s[n] != '"' &&
		       s[n] != '\\')
			n++;
		ob_putn(ob, s, n);
		s += n;
		if (!*s)
			break;
		/* what stopped the run: a quote, a backslash or a control */
		unsigned char c = (unsigned char)*s++;
		if (c < 0x20) {
			ob_puts(ob, "\\u00");
			ob_putc(ob, hexd[c >> 4]);
			ob_putc(ob, hexd[c & 0x0f]);
		} else {
			ob_putc(ob, '\\');
			ob_putc(ob, (char)c);
		}
	}
	ob_putc(ob, '"');
}
