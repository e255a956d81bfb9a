/*
 * A pcap file writer on its own, apart from any capture: opened on a path
 * with a link type, snap length and timestamp precision, fed packets,
 * closed. Used for the per-alert captures (--alert-pcap); the -w writer
 * of a capture stays capture_dump_open(). Errors are capture_error codes
 * with text in the caller's buffer.
 */
#ifndef SYNSCOPE_CAPTURE_DUMP_H
#define SYNSCOPE_CAPTURE_DUMP_H

#include <stddef.h>

#include "capture.h"

struct capture_dumper;

/* ts_digits: 9 writes a nanosecond pcap, anything else microseconds. */
int capture_dumper_open(struct capture_dumper **out, const char *path,
			int linktype, int snaplen, int ts_digits, char *err,
			size_t errlen);

/* Writes one packet (ts_nsec is always nanoseconds, as capture_next()
 * gives it); 0 or CAPTURE_ERR_WRITE. */
int capture_dumper_write(struct capture_dumper *d,
			 const struct capture_packet *pkt);

/* Flushes and closes; 0, or CAPTURE_ERR_WRITE when a write failed on the
 * way. NULL is fine. */
int capture_dumper_close(struct capture_dumper *d);

#endif
