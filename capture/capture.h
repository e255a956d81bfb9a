/*
 * capture: a packet source (capture file, stdin or live interface) with an
 * optional BPF filter and an optional pcap writer behind it.
 *
 * This is the only module that includes <pcap.h>; the rest of synscope sees
 * an opaque handle, packets as {ts, caplen, len, bytes} and negative error
 * codes with text in the caller's buffer. Packet bytes stay valid only until
 * the next capture_next() call, as with libpcap.
 */
#ifndef SYNSCOPE_CAPTURE_H
#define SYNSCOPE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CAPTURE_ERRBUF 512

/* Errors, kept apart so callers can word them and choose exit codes. */
enum capture_error {
	CAPTURE_ERR_NOFILE = -1,      /* the file cannot be opened */
	CAPTURE_ERR_FORMAT = -2,      /* not a pcap or pcapng file */
	CAPTURE_ERR_FILTER = -3,      /* the BPF expression did not compile */
	CAPTURE_ERR_PERM = -4,        /* no permission for live capture */
	CAPTURE_ERR_NODEV = -5,       /* no such interface */
	CAPTURE_ERR_TRUNCATED = -6,   /* the file ends inside a record */
	CAPTURE_ERR_READ = -7,        /* any other read or capture failure */
	CAPTURE_ERR_WRITE = -8,       /* the -w file cannot be written */
	CAPTURE_ERR_ARG = -9,         /* a bad parameter (snaplen, buffer) */
};

/* What capture_next() returns besides errors. */
enum capture_next_result {
	CAPTURE_PACKET = 1,
	CAPTURE_TIMEOUT = 0,          /* live: nothing arrived within the poll */
	CAPTURE_EOF = 2,
};

struct capture;

struct capture_packet {
	int64_t ts_sec;
	uint32_t ts_nsec;             /* always nanoseconds, whatever the file */
	uint32_t caplen;
	uint32_t len;                 /* length on the wire */
	const uint8_t *bytes;
};

struct capture_live_opts {
	const char *iface;            /* "any" for all interfaces */
	int snaplen;                  /* 0 = the default (262144) */
	int buffer_kib;               /* 0 = libpcap's default */
	bool promisc;
	int timeout_ms;               /* how long capture_next() may wait */
	bool immediate;               /* each packet at once (see .c) */
};

struct capture_stats {
	uint64_t received;            /* ps_recv */
	uint64_t dropped_kernel;      /* ps_drop */
	uint64_t dropped_iface;       /* ps_ifdrop */
};

/* Opens a capture file; "-" reads standard input. capture_next() reads
 * it on the caller's thread. */
int capture_open_file(struct capture **out, const char *path, char *err,
		      size_t errlen);

/*
 * A capture file is read ahead on a thread of its own from now on, where
 * it can be (a regular pcap file, before the first capture_next()): the
 * copy out of the page cache then overlaps the caller's work. Worth it
 * when the caller's thread has a CPU to itself and another one is idle.
 */
void capture_read_ahead(struct capture *c);

/* Opens and activates a live capture (immediate mode on). */
int capture_open_live(struct capture **out, const struct capture_live_opts *o,
		      char *err, size_t errlen);

/* A warning from activating a live capture (e.g. promiscuous mode not
 * supported), or NULL. */
const char *capture_warning(const struct capture *c);

/* Compiles and applies a BPF filter; NULL or "" applies none. */
int capture_set_filter(struct capture *c, const char *expr, char *err,
		       size_t errlen);

/*
 * Reads the next packet. Returns CAPTURE_PACKET, CAPTURE_TIMEOUT, CAPTURE_EOF
 * or a negative capture_error with the reason in err.
 */
int capture_next(struct capture *c, struct capture_packet *pkt, char *err,
		 size_t errlen);

/* The link type as pcap_datalink() reports it, and its name. */
int capture_linktype(const struct capture *c);
const char *capture_linktype_name(int linktype);

/* 6 or 9: the number of fractional digits the source's timestamps carry. */
int capture_ts_digits(const struct capture *c);

bool capture_is_live(const struct capture *c);

/* Byte offset reached in the file (for "cut at byte N" messages), or -1. */
int64_t capture_file_offset(const struct capture *c);

/* Live capture counters; returns 0, or a negative error for files. */
int capture_stats(struct capture *c, struct capture_stats *st);

/* A selectable descriptor for poll(), or -1 where there is none. */
int capture_fd(const struct capture *c);

/* Starts writing every packet capture_next() returns to a pcap file. */
int capture_dump_open(struct capture *c, const char *path, char *err,
		      size_t errlen);
/* The same on a stream the caller opened for writing (taken over: it is
 * closed with the capture, or here on failure); `name` is for messages. */
int capture_dump_fopen(struct capture *c, FILE *fp, const char *name,
		       char *err, size_t errlen);
int capture_dump_flush(struct capture *c);

/* Closes the source and the writer (flushing it). NULL is fine. */
void capture_close(struct capture *c);

/* Lists interfaces through a callback; returns 0 or a negative error. */
typedef void (*capture_iface_fn)(void *ctx, const char *name,
				 const char *description, bool up,
				 bool loopback);
int capture_list_interfaces(capture_iface_fn fn, void *ctx, char *err,
			    size_t errlen);

#endif
