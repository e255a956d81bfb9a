/*
 * A fixed-size line buffer with cheap appenders, so one output line costs
 * one fwrite() and no printf() parsing on the per-packet path. Appends past
 * the end are dropped and remembered in `overflow` (never written past).
 */
#ifndef SYNSCOPE_OUTBUF_H
#define SYNSCOPE_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct outbuf {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

static inline void ob_init(struct outbuf *ob, char *buf, size_t cap)
{
	ob->buf = buf;
	ob->cap = cap;
	ob->len = 0;
	ob->overflow = false;
}

static inline void ob_putn(struct outbuf *ob, const char *s, size_t n)
{
	if (n > ob->cap - ob->len) {
		ob->overflow = true;
		n = ob->cap - ob->len;
	}
	memcpy(ob->buf + ob->len, s, n);
	ob->len += n;
}

static inline void ob_puts(struct outbuf *ob, const char *s)
{
	ob_putn(ob, s, strlen(s));
}

static inline void ob_putc(struct outbuf *ob, char c)
{
	if (ob->len < ob->cap)
		ob->buf[ob->len++] = c;
	else
		ob->overflow = true;
}

/* A string literal, its length known at compile time. */
#define ob_lit(ob, s) ob_putn((ob), "" s, sizeof(s) - 1)

void ob_u64(struct outbuf *ob, uint64_t v);
void ob_i64(struct outbuf *ob, int64_t v);
/* `digits` fractional digits of a nanosecond count, zero-padded. */
void ob_frac(struct outbuf *ob, uint32_t nsec, int digits);
void ob_hex(struct outbuf *ob, const uint8_t *b, size_t n);
/* A JSON string literal, quotes included, escaped per RFC 8259 7. */
void ob_json_str(struct outbuf *ob, const char *s);

#endif
