/*
 * Per-connection records (--conns=json|csv|zeek): one line per closed
 * connection, from flow/'s struct conn_record. docs/conns.md is the schema.
 *
 * JSON lines use Zeek's conn.log field names where Zeek has the field and
 * add synscope's own (handshake outcome, teardown, endpoint states,
 * Wireshark analysis counts, negotiated options, Community ID). CSV holds
 * the same fields in the same order, nested objects flattened with dots.
 * The Zeek format is a TSV conn.log with Zeek's default columns and
 * header, so zeek-cut and other Zeek log readers take it as it is.
 *
 * Order of calls: report_conn_header() once, report_conn_write() for every
 * closed connection, report_conn_footer() once at the end. Each writes
 * whole lines with one fwrite() per line and returns 0, or -1 when the
 * stream failed (errno says why).
 */
#ifndef SYNSCOPE_REPORT_CONN_H
#define SYNSCOPE_REPORT_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "outbuf.h"

enum conn_format {
	CONN_FORMAT_JSON,
	CONN_FORMAT_CSV,
	CONN_FORMAT_ZEEK,
};

struct conn_output_opts {
	/* Mixed into every uid so two runs give different uids, as Zeek's
	 * do; a fixed value gives reproducible output (tests, golden
	 * files). */
	uint64_t uid_salt;
	/* The Community ID seed; 0 is the spec's default and what other
	 * tools write unless configured otherwise. */
	uint16_t community_id_seed;
};

/* "C" + at most 11 base62 digits + NUL */
#define CONN_UID_MAX 13

/*
 * A Zeek-style uid for connection `id`: "C" and the base62 digits (least
 * significant first, as Zeek writes them) of a 64-bit bijective mix of the
 * id and the salt, so ids never collide within a run. Returns its length.
 */
size_t report_conn_uid(char out[CONN_UID_MAX], uint64_t salt, uint64_t id);

/*
 * CSV: the header row. Zeek: the #separator ... #types lines, with #open
 * at `open_ns` (packet time of the first packet, UTC). JSON: nothing.
 */
int report_conn_header(FILE *out, enum conn_format fmt, int64_t open_ns);

int report_conn_write(FILE *out, enum conn_format fmt,
		      const struct conn_output_opts *o,
		      const struct conn_record *c);

/* Zeek: the #close line at `close_ns` (last packet time). Others: nothing. */
int report_conn_footer(FILE *out, enum conn_format fmt, int64_t close_ns);

/*
 * Shared by the writers inside report/ (conn.c, conn_zeek.c, summary.c);
 * not for callers outside it.
 */

/* Seconds with 6 decimals (truncated to the microsecond), as Zeek prints
 * time and interval values: 1700000000.123456, -0.000001. */
void conn_put_secs(struct outbuf *ob, int64_t ns);

/* "YYYY-MM-DD-HH-MM-SS" in UTC, Zeek's #open/#close format. */
void conn_put_zeek_date(struct outbuf *ob, int64_t ns);

void conn_zeek_header(struct outbuf *ob, int64_t open_ns);
void conn_zeek_line(struct outbuf *ob, const struct conn_output_opts *o,
		    const struct conn_record *c);

#endif
