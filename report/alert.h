/*
 * Alert records of detect/ (--alerts): JSON lines, a one-line human form
 * (stderr, syslog) and the alerts section of the offline summary.
 * docs/alerts.md is the schema.
 *
 * JSON keys come in a fixed order; every key is always present, with
 * null where it does not apply (dport of a whole host, end before the
 * alert ended, completion with no SYN). New keys may be added later;
 * existing keys keep their name, type and meaning.
 */
#ifndef SYNSCOPE_REPORT_ALERT_H
#define SYNSCOPE_REPORT_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "detect.h"
#include "outbuf.h"

/* Room for the longest line either form makes. */
#define ALERT_LINE_MAX 2048

/* One JSON object and its newline. */
void report_alert_json(struct outbuf *ob, const struct detect_alert *a);

/* "alert start #1 spoofed_syn_flood 192.0.2.2:80 at ...: ..." without a
 * newline. */
void report_alert_text(struct outbuf *ob, const struct detect_alert *a);

/* Writes the JSON line with one fwrite(); 0, or -1 (errno). */
int report_alert_write(FILE *out, const struct detect_alert *a);

/*
 * The summary's "Alerts" section: `n` final (DE_END) records in the order
 * raised, `raised` the number raised in all (more than n when the list
 * was cut), `st` the detector's table counters (NULL: not shown).
 */
void report_alert_summary(FILE *out, const struct detect_alert *a, size_t n,
			  uint64_t raised, const struct detect_stats *st);

#endif
