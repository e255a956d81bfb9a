/*
 * A fast reader for the common offline case: a classic pcap file (a
 * regular file, standard magic, version 2.4) holding plain records. It
 * reads the file in large blocks, on the caller's thread or, asked to,
 * on a thread of its own so that the copy out of the page cache overlaps
 * the caller's work, and hands out records that point into those blocks.
 *
 * It never decides anything libpcap would decide differently: the moment
 * it meets something other than a whole, plain record (the end of the
 * file, a cut record, a capture length beyond the snapshot length, a read
 * error) it stops, and file_reader_offset() says where libpcap must take
 * over, so every message and every odd case stays libpcap's own.
 */
#ifndef SYNSCOPE_CAPTURE_FILE_READER_H
#define SYNSCOPE_CAPTURE_FILE_READER_H

#include <stdbool.h>
#include <stdint.h>

struct file_reader;

/* One record as the file holds it; data is valid until the next call. */
struct file_record {
	uint32_t ts_sec;            /* as written: libpcap reads it signed */
	uint32_t ts_frac;           /* micro- or nanoseconds, as the magic says */
	uint32_t caplen;
	uint32_t len;
	const uint8_t *data;
};

/*
 * Takes over reading the pcap file open on `fd` from its first record,
 * on the caller's thread. `dlt` and `snapshot` are what libpcap made of
 * the file header (pcap_datalink(), pcap_snapshot()). Returns NULL when
 * this reader does not handle the file (then libpcap reads all of it),
 * or when memory is short.
 */
struct file_reader *file_reader_open(int fd, int dlt, int snapshot);

/*
 * Reads ahead on a thread of its own from now on: for a caller with a
 * CPU to spare, which then finds the next block read already. Only
 * before the first file_reader_next(); false when it cannot be (the
 * caller's thread then goes on reading).
 */
bool file_reader_read_ahead(struct file_reader *r);

/*
 * 1 and the next record, or 0: nothing more from this reader; libpcap
 * reads on from file_reader_offset().
 */
int file_reader_next(struct file_reader *r, struct file_record *rec);

/* File offset of the first record not handed out yet. */
int64_t file_reader_offset(const struct file_reader *r);

/* Stops the reading thread and frees everything. NULL is fine. */
void file_reader_close(struct file_reader *r);

#endif
