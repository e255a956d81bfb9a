/*
 * The one reader for packet bytes in decode/. Every getter checks the bound
 * first; on overrun it returns 0 and sets `bad`, and every later read on the
 * same cursor fails too. A parser can therefore read a whole header
 * straight-line and test `bad` once at the end, the way tcpdump's GET_*
 * macros and extract.h keep bounds checks out of the protocol logic.
 *
 * Multi-byte fields are assembled byte by byte: no casts to structs, no
 * unaligned loads, no host byte order assumptions.
 */
#ifndef SYNSCOPE_DECODE_CURSOR_H
#define SYNSCOPE_DECODE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *ptr;
	size_t len;
	size_t pos;             /* invariant: pos <= len */
	bool bad;
};

static inline struct cursor cur_make(const uint8_t *ptr, size_t len)
{
	struct cursor c = { ptr, len, 0, false };
	return c;
}

/*
 * Claims n >= 1 bytes; NULL (and `bad`) when fewer than n remain. Pointer
 * arithmetic happens only after the check, so an empty cursor may hold NULL.
 */
static inline const uint8_t *cur_take(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (c->bad || c->len - c->pos < n) {
		c->bad = true;
		return NULL;
	}
	p = c->ptr + c->pos;
	c->pos += n;
	return p;
}

static inline size_t cur_left(const struct cursor *c)
{
	return c->len - c->pos;
}

static inline uint8_t cur_u8(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 1);

	return p ? p[0] : 0;
}

static inline uint16_t cur_be16(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 2);

	return p ? (uint16_t)((unsigned)p[0] << 8 | p[1]) : 0;
}

static inline uint32_t cur_be32(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 4);

	if (!p)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t cur_le32(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 4);

	if (!p)
		return 0;
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

static inline void cur_skip(struct cursor *c, size_t n)
{
	if (c->bad || c->len - c->pos < n)
		c->bad = true;
	else
		c->pos += n;
}

/* Lets the cursor see at most n more bytes. */
static inline void cur_limit(struct cursor *c, size_t n)
{
	if (c->len - c->pos > n)
		c->len = c->pos + n;
}

/* Splits off the next n bytes as a cursor of their own. */
static inline struct cursor cur_sub(struct cursor *c, size_t n)
{
	struct cursor s = cur_make(NULL, 0);

	if (c->bad || c->len - c->pos < n) {
		c->bad = true;
		s.bad = true;
		return s;
	}
	if (n > 0)
		s.ptr = c->ptr + c->pos;
	s.len = n;
	c->pos += n;
	return s;
}

/*
 * Field readers for a span already claimed whole with cur_take(): one
 * bounds check for a fixed header, then plain loads inside it.
 */
static inline uint16_t ld_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t ld_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Copies n bytes out; zero-fills `dst` on overrun. */
static inline void cur_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *p = cur_take(c, n);

	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

#endif
