/*
 * Alert records as report/alert.c writes them: the JSON keys in order,
 * null where a value does not apply, IPv6 targets, and the human line.
 */
#include <check.h>
#include <string.h>

#include "alert.h"
#include "frames.h"

static struct detect_alert sample(void)
{
	struct detect_alert a;

	memset(&a, 0, sizeof(a));
	a.id = 7;
	a.event = DE_START;
	a.verdict = DV_SPOOFED_SYN_FLOOD;
	a.ts_ns = 1700000000123456789LL;
	a.start_ns = a.ts_ns;
	a.end_ns = -1;
	a.dst.version = 4;
	a.dst.addr[0] = 192;
	a.dst.addr[2] = 2;
	a.dst.addr[3] = 2;
	a.has_port = true;
	a.dport = 80;
	a.syn_rate = 690.04;
	a.half_open = 300;
	a.peak_half_open = 300;
	a.syns = 1000;
	a.completed = 2;
	a.completion = 0.002;
	a.sources = 980;
	a.ntop = 1;
	a.top[0].addr.version = 4;
	a.top[0].addr.addr[0] = 203;
	a.top[0].addr.addr[3] = 9;
	a.top[0].count = 3;
	a.detectors = DETECT_BY_THRESHOLD | DETECT_BY_CUSUM;
	a.thresholds = DETECT_T_SYN_RATE | DETECT_T_HALF_OPEN;
	a.confidence = 0.912;
	return a;
}

static const char *json(const struct detect_alert *a)
{
	static char buf[ALERT_LINE_MAX + 1];
	struct outbuf ob;

	ob_init(&ob, buf, ALERT_LINE_MAX);
	report_alert_json(&ob, a);
	ck_assert(!ob.overflow);
	buf[ob.len] = '\0';
	return buf;
}

START_TEST(alert_json_starts_with_the_event_and_keeps_the_key_order)
{
	struct detect_alert a = sample();
	const char *s = json(&a);
	static const char *const keys[] = {
		"\"event\":\"start\"", "\"id\":7",
		"\"verdict\":\"spoofed_syn_flood\"",
		"\"ts\":1700000000.123456", "\"end\":null",
		"\"dst\":\"192.0.2.2\"", "\"dport\":80", "\"syn_rate\":690.0",
		"\"half_open\":300", "\"completion\":0.0020",
		"\"sources\":980",
		"\"top_sources\":[{\"addr\":\"203.0.0.9\",\"count\":3}]",
		"\"detector\":[\"threshold\",\"cusum\"]",
		"\"thresholds\":[\"syn_rate\",\"half_open\"]",
		"\"confidence\":0.91}\n",
	};
	const char *at = s;

	ck_assert_msg(strncmp(s, "{\"event\":", 9) == 0, "%s", s);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *p = strstr(at, keys[i]);
		ck_assert_msg(p != NULL, "%s missing or out of order in %s",
			      keys[i], s);
		at = p;
	}
}
END_TEST

START_TEST(alert_json_writes_null_for_a_host_and_a_completion_without_syns)
{
	struct detect_alert a = sample();

	a.event = DE_END;
	a.end_ns = a.ts_ns + 2000000000;
	a.verdict = DV_BACKSCATTER;
	a.has_port = false;
	a.syns = 0;
	a.dst.version = 6;
	memset(a.dst.addr, 0, 16);
	a.dst.addr[0] = 0x20;
	a.dst.addr[1] = 0x01;
	a.dst.addr[2] = 0x0d;
	a.dst.addr[3] = 0xb8;
	a.dst.addr[15] = 2;
	const char *s = json(&a);
	ck_assert_msg(strstr(s, "\"dst\":\"2001:db8::2\",\"dport\":null"), "%s",
		      s);
	ck_assert_msg(strstr(s, "\"completion\":null"), "%s", s);
	ck_assert_msg(strstr(s, "\"end\":1700000002.123456"), "%s", s);
}
END_TEST

START_TEST(alert_text_names_verdict_target_and_detectors_on_one_line)
{
	struct detect_alert a = sample();
	char buf[ALERT_LINE_MAX + 1];
	struct outbuf ob;

	a.dst.version = 6;
	ob_init(&ob, buf, ALERT_LINE_MAX);
	report_alert_text(&ob, &a);
	buf[ob.len] = '\0';
	ck_assert_msg(strncmp(buf, "alert start #7 spoofed_syn_flood [c000:202::]:80 at 2023-11-14 22:13:20.123456 UTC: 690.0 SYN/s, half-open 300",
			      strlen("alert start #7 spoofed_syn_flood [c000:202::]:80 at 2023-11-14 22:13:20.123456 UTC: 690.0 SYN/s, half-open 300")) == 0,
		      "%s", buf);
	ck_assert_msg(strstr(buf, "; threshold+cusum, confidence 0.91"), "%s",
		      buf);
	ck_assert(!strchr(buf, '\n'));
}
END_TEST

static Suite *record_suite(void)
{
	Suite *s = suite_create("detect_record");
	TCase *tc = tcase_create("record");

	tcase_add_test(tc,
		alert_json_starts_with_the_event_and_keeps_the_key_order);
	tcase_add_test(tc,
		alert_json_writes_null_for_a_host_and_a_completion_without_syns);
	tcase_add_test(tc,
		alert_text_names_verdict_target_and_detectors_on_one_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return frames_run(record_suite());
}
