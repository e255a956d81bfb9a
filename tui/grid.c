#include "grid.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int tui_grid_resize(struct tui_grid *g, int cols, int rows)
{
	size_t n;

	if (cols < 1)
		cols = 1;
	if (rows < 1)
		rows = 1;
	n = (size_t)cols * (size_t)rows;
	if (cols != g->cols || rows != g->rows) {
		uint32_t *ch = malloc(n * sizeof(*ch));
		uint8_t *at = malloc(n);

		if (!ch || !at) {
			free(ch);
			free(at);
			return -1;
		}
		free(g->ch);
		free(g->attr);
		g->ch = ch;
		g->attr = at;
		g->cols = cols;
		g->rows = rows;
	}
	tui_grid_clear(g);
	return 0;
}

void tui_grid_free(struct tui_grid *g)
{
	free(g->ch);
	free(g->attr);
	memset(g, 0, sizeof(*g));
}

void tui_grid_clear(struct tui_grid *g)
{
	size_t n = (size_t)g->cols * (size_t)g->rows;

	for (size_t i = 0; i < n; i++)
		g->ch[i] = ' ';
	memset(g->attr, TA_NORMAL, n);
}

static bool inside(const struct tui_grid *g, int y, int x)
{
	return y >= 0 && y < g->rows && x >= 0 && x < g->cols;
}

int tui_grid_putn(struct tui_grid *g, int y, int x, enum tui_attr a,
		  const char *s, int maxw)
{
	int n = 0;

	if (y < 0 || y >= g->rows)
		return 0;
	for (; *s && (maxw < 0 || n < maxw); s++, n++) {
		if (!inside(g, y, x + n)) {
			if (x + n >= g->cols)
				break;
			continue;
		}
		unsigned char c = (unsigned char)*s;
		size_t i = (size_t)y * (size_t)g->cols + (size_t)(x + n);
		g->ch[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
		g->attr[i] = (uint8_t)a;
	}
	return n;
}

int tui_grid_put(struct tui_grid *g, int y, int x, enum tui_attr a,
		 const char *s)
{
	return tui_grid_putn(g, y, x, a, s, -1);
}

int tui_grid_printf(struct tui_grid *g, int y, int x, enum tui_attr a,
		    const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_grid_put(g, y, x, a, buf);
}

void tui_grid_fill(struct tui_grid *g, int y, int x, int w, enum tui_attr a,
		   uint32_t ch)
{
	for (int i = 0; i < w; i++) {
		if (!inside(g, y, x + i))
			continue;
		size_t k = (size_t)y * (size_t)g->cols + (size_t)(x + i);
		g->ch[k] = ch;
		g->attr[k] = (uint8_t)a;
	}
}

void tui_grid_recolor(struct tui_grid *g, int y, int x, int w,
		      enum tui_attr a)
{
	for (int i = 0; i < w; i++)
		if (inside(g, y, x + i))
			g->attr[(size_t)y * (size_t)g->cols +
				(size_t)(x + i)] = (uint8_t)a;
}

void tui_grid_glyph(struct tui_grid *g, int y, int x, enum tui_attr a,
		    uint32_t glyph)
{
	tui_grid_fill(g, y, x, 1, a, glyph);
}

const char *tui_glyph_text(uint32_t ch, bool utf8, char buf[8])
{
	/* U+2581..U+2588, lower one eighth block to full block */
	static const char *const spark_utf8[] = {
		" ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
		"\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
		"\xe2\x96\x87", "\xe2\x96\x88",
	};
	static const char spark_ascii[] = " .:-=+*#@";

	if (ch >= TUI_GLYPH_SPARK && ch <= TUI_GLYPH_SPARK + 8) {
		unsigned l = ch - TUI_GLYPH_SPARK;
		if (utf8)
			return spark_utf8[l];
		buf[0] = spark_ascii[l];
		buf[1] = '\0';
		return buf;
	}
	buf[0] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	buf[1] = '\0';
	return buf;
}

size_t tui_grid_row_text(const struct tui_grid *g, int y, bool utf8,
			 char *out, size_t outlen)
{
	size_t n = 0, keep = 0;
	char buf[8];

	if (outlen == 0)
		return 0;
	for (int x = 0; x < g->cols && y >= 0 && y < g->rows; x++) {
		uint32_t c = g->ch[(size_t)y * (size_t)g->cols + (size_t)x];
		const char *t = tui_glyph_text(c, utf8, buf);
		size_t l = strlen(t);

		if (n + l >= outlen)
			break;
		memcpy(out + n, t, l);
		n += l;
		if (strcmp(t, " ") != 0)
			keep = n;
	}
	out[keep] = '\0';
	return keep;
}

int tui_grid_write(const struct tui_grid *g, FILE *f, bool utf8)
{
	size_t cap = (size_t)g->cols * 4 + 2;
	char *line = malloc(cap);

	if (!line)
		return -1;
	for (int y = 0; y < g->rows; y++) {
		size_t n = tui_grid_row_text(g, y, utf8, line, cap);
		line[n++] = '\n';
		if (fwrite(line, 1, n, f) != n) {
			free(line);
			return -1;
		}
	}
	free(line);
	return 0;
}
