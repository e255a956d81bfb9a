/*
 * The change detectors: the CUSUM stays quiet on a stationary stream with
 * noise, fires soon after a step change and falls back after it; the
 * hysteresis raises only after raise_ns, holds, clears after calm and
 * does not flap on a rate hovering at the threshold.
 */
#include <check.h>
#include <math.h>

#include "detect_int.h"
#include "frames.h"

#define A 0.5
#define H 5.0
#define FLOOR 10.0
#define BETA 0.99

static uint64_t rng = 12345;

/* Uniform in [0, 1). */
static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* A noisy count around mean (+-30%). */
static double noisy(double mean)
{
	return floor(mean * (0.7 + 0.6 * urand()));
}

/* SYNs around 50 per step; each completes, some a step late. */
static void stationary(struct cusum *c, int steps, double *carry)
{
	for (int i = 0; i < steps; i++) {
		double s = noisy(50.0);
		double late = floor(s * 0.3 * urand());
		double r = s - late + *carry;
		*carry = late;
		cusum_step(c, s, r, FLOOR, A, H, BETA);
		ck_assert_msg(!c->alarm, "alarm at step %d (y %.2f)", i, c->y);
	}
}

START_TEST(cusum_stays_quiet_on_a_stationary_stream_with_noise)
{
	struct cusum c = { 0 };
	double carry = 0;

	stationary(&c, 20000, &carry);
}
END_TEST

/* Steps until the alarm after `extra` unanswered SYNs per step start. */
static int steps_to_alarm(double extra, int max)
{
	struct cusum c = { 0 };
	double carry = 0;

	stationary(&c, 2000, &carry);
	for (int i = 1; i <= max; i++) {
		double s = noisy(50.0);
		cusum_step(&c, s + extra, s, FLOOR, A, H, BETA);
		if (c.alarm)
			return i;
	}
	return -1;
}

START_TEST(cusum_fires_within_two_steps_of_a_flood_ten_times_the_traffic)
{
	int n = steps_to_alarm(500.0, 10);

	ck_assert_msg(n > 0 && n <= 2, "fired after %d steps", n);
}
END_TEST

START_TEST(cusum_fires_within_forty_steps_of_a_flood_at_the_traffic_level)
{
	/* X ~ 1 per step: y grows by 1 - a */
	int n = steps_to_alarm(50.0, 100);

	ck_assert_msg(n > 0 && n <= 40, "fired after %d steps", n);
}
END_TEST

START_TEST(cusum_ignores_an_excess_below_its_drift)
{
	/* X ~ 0.2 < a: never */
	ck_assert_int_eq(steps_to_alarm(10.0, 2000), -1);
}
END_TEST

START_TEST(cusum_falls_back_under_h_once_the_flood_stops_and_resets)
{
	struct cusum c = { 0 };
	double carry = 0;
	int i;

	stationary(&c, 500, &carry);
	for (i = 0; i < 100; i++)
		cusum_step(&c, 550.0, 50.0, FLOOR, A, H, BETA);
	ck_assert(c.alarm);
	ck_assert(c.y <= 2 * H);
	/* the average did not learn the flood */
	ck_assert_msg(c.fbar < 60.0, "fbar %.1f", c.fbar);
	for (i = 1; i <= 100 && c.alarm; i++)
		cusum_step(&c, 50.0, 50.0, FLOOR, A, H, BETA);
	ck_assert_msg(!c.alarm && i <= (int)(H / A) + 2, "%d steps", i);
	cusum_reset(&c);
	ck_assert(c.y == 0.0 && !c.alarm);
}
END_TEST

START_TEST(cusum_measures_a_sudden_crowd_against_its_own_answers)
{
	/* a cold target: a crowd of 500 in one step, 450 answered in it */
	struct cusum c = { 0 };

	cusum_step(&c, 500.0, 450.0, FLOOR, A, H, BETA);
	ck_assert(!c.alarm);
	ck_assert_msg(c.y < 1.0, "y %.2f", c.y);
}
END_TEST

#define MS 1000000LL

START_TEST(hyst_raises_only_after_the_condition_held_for_raise_time)
{
	struct hyst h = { 0 };

	ck_assert_int_eq(hyst_step(&h, true, false, 0, 100 * MS, 0, 0),
			 HYST_NONE);
	ck_assert_int_eq(hyst_step(&h, false, true, 100 * MS, 100 * MS, 0, 0),
			 HYST_NONE);
	ck_assert_int_eq(h.state, HY_IDLE);
	ck_assert_int_eq(hyst_step(&h, true, false, 200 * MS, 100 * MS, 0, 0),
			 HYST_NONE);
	ck_assert_int_eq(hyst_step(&h, true, false, 300 * MS, 100 * MS, 0, 0),
			 HYST_RAISE);
	ck_assert(hyst_active(&h));
}
END_TEST

START_TEST(hyst_holds_for_hold_time_then_clears_after_calm_time)
{
	struct hyst h = { 0 };
	int64_t t = 0, hold = 2000 * MS, clear = 1000 * MS;
	int64_t cleared = -1;

	ck_assert_int_eq(hyst_step(&h, true, false, t, 0, hold, clear),
			 HYST_RAISE);
	/* calm right after the raise: the hold keeps it */
	for (t = 100 * MS; t <= 5000 * MS; t += 100 * MS) {
		if (hyst_step(&h, false, true, t, 0, hold, clear) ==
		    HYST_CLEAR) {
			cleared = t;
			break;
		}
	}
	ck_assert_int_eq(cleared, 2000 * MS);
	ck_assert_int_eq(h.since, 100 * MS);
	ck_assert_int_eq(h.state, HY_IDLE);
}
END_TEST

START_TEST(hyst_calm_that_breaks_restarts_the_clear_time)
{
	struct hyst h = { 0 };
	int64_t clear = 500 * MS;

	hyst_step(&h, true, false, 0, 0, 0, clear);
	hyst_step(&h, false, true, 100 * MS, 0, 0, clear);
	hyst_step(&h, false, true, 400 * MS, 0, 0, clear);
	hyst_step(&h, false, false, 500 * MS, 0, 0, clear);   /* not calm */
	ck_assert_int_eq(h.state, HY_ACTIVE);
	ck_assert_int_eq(hyst_step(&h, false, true, 600 * MS, 0, 0, clear),
			 HYST_NONE);
	ck_assert_int_eq(hyst_step(&h, false, true, 1100 * MS, 0, 0, clear),
			 HYST_CLEAR);
}
END_TEST

START_TEST(hyst_does_not_flap_on_a_rate_hovering_at_the_threshold)
{
	/* rate 80..120 around a raise level of 100, calm below 50 */
	struct hyst h = { 0 };
	unsigned raises = 0, clears = 0;

	for (int64_t t = 0; t < 600000 * MS; t += 100 * MS) {
		double rate = 100.0 + 20.0 * sin((double)t / (700.0 * MS));
		enum hyst_event e = hyst_step(&h, rate >= 100.0, rate < 50.0,
					      t, 100 * MS, 2000 * MS,
					      2000 * MS);
		raises += e == HYST_RAISE;
		clears += e == HYST_CLEAR;
	}
	ck_assert_uint_eq(raises, 1);
	ck_assert_uint_eq(clears, 0);
}
END_TEST

static Suite *stat_suite(void)
{
	Suite *s = suite_create("detect_stat");
	TCase *tc = tcase_create("cusum");
	TCase *th = tcase_create("hysteresis");

	tcase_add_test(tc, cusum_stays_quiet_on_a_stationary_stream_with_noise);
	tcase_add_test(tc,
		cusum_fires_within_two_steps_of_a_flood_ten_times_the_traffic);
	tcase_add_test(tc,
		cusum_fires_within_forty_steps_of_a_flood_at_the_traffic_level);
	tcase_add_test(tc, cusum_ignores_an_excess_below_its_drift);
	tcase_add_test(tc,
		cusum_falls_back_under_h_once_the_flood_stops_and_resets);
	tcase_add_test(tc,
		cusum_measures_a_sudden_crowd_against_its_own_answers);
	tcase_add_test(th,
		hyst_raises_only_after_the_condition_held_for_raise_time);
	tcase_add_test(th,
		hyst_holds_for_hold_time_then_clears_after_calm_time);
	tcase_add_test(th, hyst_calm_that_breaks_restarts_the_clear_time);
	tcase_add_test(th,
		hyst_does_not_flap_on_a_rate_hovering_at_the_threshold);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	return frames_run(stat_suite());
}
