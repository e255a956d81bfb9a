/*
 * The two memories of recent traffic: the half-open set gives each conn
 * id back exactly once, whatever else it holds or held, and a SYN's
 * fingerprint key depends only on the address bytes of its version.
 */
#include <check.h>
#include <string.h>

#include "detect_int.h"
#include "frames.h"

#define SET_CAP 64u

static struct detect *d;

static void setup(void)
{
	struct detect_config c;

	detect_config_default(&c);
	c.fixed_seed = true;
	c.seed = 3;
	c.max_half_open = SET_CAP;
	d = detect_create(&c);
	ck_assert_ptr_nonnull(d);
}

static void teardown(void)
{
	detect_destroy(d);
	d = NULL;
}

START_TEST(half_open_set_removes_nothing_while_empty)
{
	ck_assert(!ho_remove(d, 1));
	ck_assert(ho_insert(d, 1));
	ck_assert(ho_remove(d, 1));
	ck_assert(!ho_remove(d, 1));
	ck_assert_uint_eq(d->ho_count, 0);
}
END_TEST

START_TEST(half_open_set_gives_each_id_back_exactly_once)
{
	/* a full set (half its slots), so runs form and removals shift */
	for (uint64_t id = 1; id <= SET_CAP; id++)
		ck_assert(ho_insert(d, id * 7919));
	ck_assert(!ho_insert(d, 5));
	ck_assert_uint_eq(d->ho_untracked, 1);
	for (uint64_t id = 2; id <= SET_CAP; id += 2)
		ck_assert(ho_remove(d, id * 7919));
	for (uint64_t id = 1; id <= SET_CAP; id++) {
		ck_assert(!ho_remove(d, id * 7919 + 1));
		ck_assert_msg(ho_remove(d, id * 7919) == (id % 2 == 1),
			      "id %llu", (unsigned long long)id);
		ck_assert(!ho_remove(d, id * 7919));
	}
	ck_assert_uint_eq(d->ho_count, 0);
}
END_TEST

static void remove_once(uint64_t id)
{
	ck_assert_msg(ho_remove(d, id), "id %llu", (unsigned long long)id);
	ck_assert(!ho_remove(d, id));
}

START_TEST(half_open_set_empties_cleanly_from_every_size)
{
	/* sizes on both sides of the few ids kept packed in front */
	for (uint64_t n = 1; n <= 24; n++) {
		for (uint64_t k = 0; k < n; k++)
			ck_assert(ho_insert(d, n * 1000 + k));
		for (uint64_t k = 0; k < n; k++)
			ck_assert(!ho_insert(d, n * 1000 + k));
		/* odd ones first, then the rest from the top, so holes open
		 * mid-run and the last id goes first */
		for (uint64_t k = 1; k < n; k += 2)
			remove_once(n * 1000 + k);
		for (uint64_t k = n; k-- > 0;)
			if (k % 2 == 0)
				remove_once(n * 1000 + k);
		ck_assert_uint_eq(d->ho_count, 0);
		/* the state a new id is placed in, whatever was held */
		for (uint32_t i = 0; i <= d->ho_mask; i++)
			ck_assert_msg(d->ho[i] == 0, "n %llu slot %u",
				      (unsigned long long)n, i);
	}
}
END_TEST

START_TEST(fpkey_of_ipv4_ignores_the_bytes_past_the_address)
{
	/* 192.0.2.1 -> 198.51.100.7, then bytes an IPv6 address would use */
	static const uint8_t src[16] = { 192, 0, 2, 1, 0xaa, 0xaa, 0xaa };
	static const uint8_t dst[16] = { 198, 51, 100, 7, 0x55, 0x55 };
	static const uint8_t src0[16] = { 192, 0, 2, 1 };
	static const uint8_t dst0[16] = { 198, 51, 100, 7 };
	struct fpkey a, b;

	memset(&a, 0xee, sizeof(a));
	memset(&b, 0x11, sizeof(b));
	fpkey_make(&a, 4, src, dst, 40000, 80, 12345, false);
	fpkey_make(&b, 4, src0, dst0, 40000, 80, 12345, false);
	ck_assert_mem_eq(&a, &b, sizeof(a));
}
END_TEST

START_TEST(fpkey_sets_every_byte_whatever_was_there)
{
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct fpkey a, b;

	memset(&a, 0xee, sizeof(a));
	memset(&b, 0x11, sizeof(b));
	fpkey_make(&a, 6, src, dst, 40000, 443, 7, true);
	fpkey_make(&b, 6, src, dst, 40000, 443, 7, true);
	ck_assert_mem_eq(&a, &b, sizeof(a));
}
END_TEST

static Suite *recent_suite(void)
{
	Suite *s = suite_create("detect_recent");
	TCase *th = tcase_create("half_open");
	TCase *tf = tcase_create("fingerprint");

	tcase_add_checked_fixture(th, setup, teardown);
	tcase_add_test(th, half_open_set_removes_nothing_while_empty);
	tcase_add_test(th, half_open_set_gives_each_id_back_exactly_once);
	tcase_add_test(th, half_open_set_empties_cleanly_from_every_size);
	tcase_add_test(tf, fpkey_of_ipv4_ignores_the_bytes_past_the_address);
	tcase_add_test(tf, fpkey_sets_every_byte_whatever_was_there);
	suite_add_tcase(s, th);
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	return frames_run(recent_suite());
}
