/*
 * The two change detectors and the window they read.
 *
 * CUSUM: Wang, Zhang and Shin ("Detecting SYN flooding attacks", IEEE
 * INFOCOM 2002) pair each SYN with the packet that should follow it and
 * watch the normalised difference with a one-sided non-parametric CUSUM:
 * X_n = (S_n - R_n) / Fbar_n, y_n = max(0, y_{n-1} + X_n - a), alarm when
 * y_n > h. Fbar (their running average of responses) makes X independent
 * of how busy the site is. Two changes, both to keep a cold or quiet
 * target from dividing by almost nothing:
 *   - the divisor is max(Fbar, R_n, floor): a target with no history
 *     uses `floor` (the SYN-rate threshold's count per step), and a
 *     sudden crowd whose responses arrive in the same step is measured
 *     against them rather than against an average that has not caught
 *     up;
 *   - Fbar is learned only while there is no alarm.
 *
 * Hysteresis: a raise needs the condition to hold for raise_ns (so a
 * single bucket never raises), an alert lasts at least hold_ns, and it
 * ends only after clear_ns of a calm condition that is stricter than "not
 * raised" (the callers use half the raise level), so a rate hovering at
 * the threshold cannot flap.
 */
#include <string.h>

#include "detect_int.h"

void cusum_reset(struct cusum *c)
{
	c->y = 0.0;
	c->alarm = false;
}

bool cusum_step(struct cusum *c, double syns, double responses,
		double floor, double a, double h, double beta)
{
	double div = c->fbar;

	if (responses > div)
		div = responses;
	if (floor > div)
		div = floor;
	if (div <= 0.0)
		div = 1.0;
	c->y += (syns - responses) / div - a;
	if (c->y < 0.0)
		c->y = 0.0;
	if (c->y > 2.0 * h)
		c->y = 2.0 * h;
	c->alarm = c->y > h;
	if (!c->alarm) {
		if (!c->primed) {
			c->fbar = responses;
			c->primed = true;
		} else {
			c->fbar = beta * c->fbar + (1.0 - beta) * responses;
		}
	}
	return c->alarm;
}

void hyst_reset(struct hyst *h)
{
	memset(h, 0, sizeof(*h));
}

bool hyst_active(const struct hyst *h)
{
	return h->state == HY_ACTIVE || h->state == HY_CLEARING;
}

enum hyst_event hyst_step(struct hyst *h, bool raise, bool calm, int64_t now,
			  int64_t raise_ns, int64_t hold_ns, int64_t clear_ns)
{
	switch (h->state) {
	case HY_IDLE:
		if (!raise)
			return HYST_NONE;
		h->state = HY_PENDING;
		h->since = now;
		/* fall through */
	case HY_PENDING:
		/* (a zero raise_ns raises on the first step) */
		if (!raise) {
			h->state = HY_IDLE;
			return HYST_NONE;
		}
		if (now - h->since < raise_ns)
			return HYST_NONE;
		h->state = HY_ACTIVE;
		h->raised = now;
		return HYST_RAISE;
	case HY_ACTIVE:
		if (!calm || raise)
			return HYST_NONE;
		h->state = HY_CLEARING;
		h->since = now;
		/* fall through */
	case HY_CLEARING:
		if (!calm || raise) {
			h->state = HY_ACTIVE;
			return HYST_NONE;
		}
		if (now - h->since < clear_ns || now - h->raised < hold_ns)
			return HYST_NONE;
		h->state = HY_IDLE;
		return HYST_CLEAR;
	}
	return HYST_NONE;
}

void dwin_init(struct dwin *w, int64_t now, int64_t interval_ns)
{
	memset(w, 0, sizeof(*w));
	/* buckets sit on a grid of interval_ns, so all entities close
	 * theirs at the same packet times */
	int64_t q = now / interval_ns - (now % interval_ns < 0);
	w->end = (q + 1) * interval_ns;
}

void dwin_add(struct dwin *w, enum dctr c, uint32_t n)
{
	w->b[w->cur][c] += n;
	w->sum[c] += n;
	w->total[c] += n;
}

void dwin_rotate(struct dwin *w, int64_t interval_ns)
{
	w->cur = (w->cur + 1) % DWIN_BUCKETS;
	for (unsigned c = 0; c < DC__COUNT; c++) {
		w->sum[c] -= w->b[w->cur][c];
		w->b[w->cur][c] = 0;
	}
	w->end += interval_ns;
}

void dwin_clear(struct dwin *w)
{
	memset(w->b, 0, sizeof(w->b));
	memset(w->sum, 0, sizeof(w->sum));
}
