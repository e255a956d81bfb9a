/*
 * The block reader behind file_reader.h. One producer (the caller itself,
 * or a thread reading ahead) fills a ring of large slots with pread();
 * the consumer walks the records in them. A slot only ever holds whole records: the
 * producer carries a record cut by the end of its block over to the
 * front of the next slot, so a record never straddles two slots and the
 * consumer never copies.
 *
 *   producer:  pread -> slot[tail] -> scan record headers -> publish
 *   consumer:  slot[head] -> record, record, ... -> release -> next slot
 *
 * The ring is guarded by one mutex: a slot's bytes are written before it
 * is published under the lock and read after it is taken under the lock,
 * and a slot goes back to the producer only when the consumer has moved
 * past its last record, i.e. on the call after the one that handed that
 * record out (the capture.h promise: bytes valid until the next call).
 *
 * The thread reads nothing but the file and owns nothing the rest of the
 * program sees; it ends when the file does, or when file_reader_close()
 * asks it to, which waits at most for one pread() to return.
 */
#include "file_reader.h"

#include <stdlib.h>
#include <string.h>

#ifndef _WIN32
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#endif

#include <pcap/dlt.h>

#define PCAP_MAGIC_MICRO 0xa1b2c3d4u
#define PCAP_MAGIC_NANO 0xa1b23c4du
#define FILE_HDR_LEN 24
#define REC_HDR_LEN 16
#define SLOT_BYTES (512u * 1024u)   /* fresh bytes per slot, at least */

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif
#define NSLOTS 4

#ifdef _WIN32

/* No pread() or POSIX threads: libpcap reads everything. */
struct file_reader *file_reader_open(int fd, int dlt, int snapshot)
{
	(void)fd;
	(void)dlt;
	(void)snapshot;
	return NULL;
}

bool file_reader_read_ahead(struct file_reader *r)
{
	(void)r;
	return false;
}

int file_reader_next(struct file_reader *r, struct file_record *rec)
{
	(void)r;
	(void)rec;
	return 0;
}

int64_t file_reader_offset(const struct file_reader *r)
{
	(void)r;
	return -1;
}

void file_reader_close(struct file_reader *r)
{
	(void)r;
}

#else

struct slot {
	uint8_t *buf;
	size_t len;             /* bytes of whole records */
	int64_t off;            /* file offset of buf[0] */
	bool last;              /* hand over to libpcap at off + len */
};

struct file_reader {
	int fd;
	bool swapped;           /* the file's byte order is not ours */
	uint32_t snapshot;
	size_t cap;             /* bytes per slot */

	/* producer only */
	int64_t read_off;       /* next byte to pread() */
	uint8_t *carry;         /* a record cut by the end of a block */
	size_t carry_len;

	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t has_data, has_room;
	struct slot slots[NSLOTS];
	unsigned head, count;   /* slots [head, head + count) are filled */
	bool done;              /* the last slot has been filled */
	bool quit;
	bool threaded;
	pthread_t thread;

	/* consumer only */
	bool started;           /* a slot has been asked for */
	struct slot *cur;       /* the slot records come from, or NULL */
	size_t pos;
	int64_t handover;       /* where libpcap takes over, once known */
};

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) |
	       (v << 24);
}

static uint32_t rd32(const uint8_t *b, bool swapped)
{
	uint32_t v;

	memcpy(&v, b, sizeof(v));
	return swapped ? swap32(v) : v;
}

static uint16_t rd16(const uint8_t *b, bool swapped)
{
	uint16_t v;

	memcpy(&v, b, sizeof(v));
	return swapped ? (uint16_t)((v >> 8) | (v << 8)) : v;
}

/*
 * The link types synscope decodes. For a file in the other byte order
 * libpcap rewrites the pseudo-headers of some link types (Linux SLL and
 * SLL2 among them) in swap_pseudo_headers(); those stay with libpcap.
 */
static bool dlt_ok(int dlt, bool swapped)
{
	switch (dlt) {
	case DLT_NULL:
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_LOOP:
	case DLT_IPV4:
	case DLT_IPV6:
		return true;
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
		return !swapped;
	default:
		return false;
	}
}

/*
 * Reads the file header again and accepts only what libpcap reads with
 * no per-record twist: the standard micro- or nanosecond magic in either
 * byte order and version 2.4 (2.3 and older may have caplen and len
 * swapped; the modified formats have longer record headers).
 */
static bool header_ok(int fd, bool *swapped)
{
	uint8_t h[FILE_HDR_LEN];
	uint32_t magic;

	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return false;
	magic = rd32(h, false);
	if (magic == PCAP_MAGIC_MICRO || magic == PCAP_MAGIC_NANO)
		*swapped = false;
	else if (rd32(h, true) == PCAP_MAGIC_MICRO ||
		 rd32(h, true) == PCAP_MAGIC_NANO)
		*swapped = true;
	else
		return false;
	return rd16(h + 4, *swapped) == 2 && rd16(h + 6, *swapped) == 4;
}

/*
 * Fills one slot: the carried bytes, then fresh bytes up to the slot's
 * size or the end of the file. A slot is the last one when the file
 * ended or failed (whatever is left after its records, a cut record or
 * nothing, is libpcap's to report) or, read ahead, when a record's
 * capture length exceeds the snapshot length (libpcap has rules for
 * that, and an error for a length past its maximum).
 *
 * Read ahead, the thread also finds where the whole records end, and
 * carries the cut one over to the next slot. On the caller's thread
 * that is left to the caller, which checks each record as it takes it
 * (record_at()) while the bytes are in its cache anyway: then the slot's
 * length is that of the bytes read.
 */
static void fill(struct file_reader *r, struct slot *s)
{
	size_t n = r->carry_len, p = 0;
	bool end = false;

	s->off = r->read_off - (int64_t)r->carry_len;
	memcpy(s->buf, r->carry, r->carry_len);
	r->carry_len = 0;
	while (n < r->cap) {
		ssize_t got = pread(r->fd, s->buf + n, r->cap - n,
				    (off_t)r->read_off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			end = true;     /* end of file, or an error */
			break;
		}
		n += (size_t)got;
		r->read_off += got;
	}
	s->last = end;
	if (!r->threaded) {
		s->len = n;
		return;
	}
	while (n - p >= REC_HDR_LEN) {
		uint32_t caplen = rd32(s->buf + p + 8, r->swapped);

		if (caplen > r->snapshot) {
			s->last = true;
			break;
		}
		if (n - p - REC_HDR_LEN < caplen)
			break;
		p += REC_HDR_LEN + caplen;
	}
	s->len = p;
	if (!s->last) {
		/* a slot holds 16 + snapshot bytes more than it refills, so
		 * a cut record always fits the carry buffer */
		r->carry_len = n - p;
		memcpy(r->carry, s->buf + p, r->carry_len);
	}
}

static void *producer(void *arg)
{
	struct file_reader *r = arg;

	pthread_mutex_lock(&r->mu);
	while (!r->quit && !r->done) {
		while (r->count == NSLOTS && !r->quit)
			pthread_cond_wait(&r->has_room, &r->mu);
		if (r->quit)
			break;
		struct slot *s = &r->slots[(r->head + r->count) % NSLOTS];
		/* the slot past the filled ones is the producer's alone */
		pthread_mutex_unlock(&r->mu);
		fill(r, s);
		pthread_mutex_lock(&r->mu);
		r->count++;
		r->done = s->last;
		pthread_cond_signal(&r->has_data);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static bool start_thread(struct file_reader *r)
{
	sigset_t all, old;
	int rc;

	/* signals are the main thread's business (it sets the stop flag) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&r->thread, NULL, producer, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0;
}

static void free_reader(struct file_reader *r)
{
	for (int i = 0; i < NSLOTS; i++)
		free(r->slots[i].buf);
	free(r->carry);
	free(r);
}

struct file_reader *file_reader_open(int fd, int dlt, int snapshot)
{
	struct file_reader *r;
	bool swapped = false;

	/* The header's snaplen sizes the slots: a corrupt one (up to 2^31)
	 * is left to libpcap rather than sizing them in gigabytes. 262144 is
	 * libpcap's MAXIMUM_SNAPLEN. */
	if (fd < 0 || snapshot <= 0 || snapshot > 262144 ||
	    !header_ok(fd, &swapped) || !dlt_ok(dlt, swapped))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->fd = fd;
	r->swapped = swapped;
	r->snapshot = (uint32_t)snapshot;
	r->cap = SLOT_BYTES + REC_HDR_LEN + (size_t)snapshot;
	r->read_off = FILE_HDR_LEN;
	r->handover = -1;
	r->carry = malloc(REC_HDR_LEN + (size_t)snapshot);
	for (int i = 0; i < NSLOTS; i++)
		r->slots[i].buf = malloc(r->cap);
	for (int i = 0; i < NSLOTS; i++)
		if (!r->slots[i].buf)
			goto fail;
	if (!r->carry)
		goto fail;
	if (pthread_mutex_init(&r->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&r->has_data, NULL) != 0) {
		pthread_mutex_destroy(&r->mu);
		goto fail;
	}
	if (pthread_cond_init(&r->has_room, NULL) != 0) {
		pthread_cond_destroy(&r->has_data);
		pthread_mutex_destroy(&r->mu);
		goto fail;
	}
	/* until file_reader_read_ahead(), the consumer fills slots itself,
	 * on demand */
	return r;
fail:
	free_reader(r);
	return NULL;
}

bool file_reader_read_ahead(struct file_reader *r)
{
	if (!r || r->started)
		return false;
	if (r->threaded)
		return true;
	/* set before the thread starts: its fill() reads it */
	r->threaded = true;
	if (!start_thread(r))
		r->threaded = false;
	return r->threaded;
}

/* The next filled slot; waits for the producer when there is none. */
static struct slot *take(struct file_reader *r)
{
	struct slot *s;

	r->started = true;
	if (!r->threaded) {
		s = &r->slots[r->head];
		fill(r, s);
		return s;
	}
	pthread_mutex_lock(&r->mu);
	while (r->count == 0)
		pthread_cond_wait(&r->has_data, &r->mu);
	s = &r->slots[r->head];
	pthread_mutex_unlock(&r->mu);
	return s;
}

static void give_back(struct file_reader *r)
{
	r->cur = NULL;
	if (!r->threaded)
		return;
	pthread_mutex_lock(&r->mu);
	r->head = (r->head + 1) % NSLOTS;
	r->count--;
	pthread_cond_signal(&r->has_room);
	pthread_mutex_unlock(&r->mu);
}

/* What slot s holds at `pos`: a whole, plain record (its header and all
 * its bytes, a capture length within the snapshot length), the start of
 * one cut by the end of the slot, or one whose capture length passes the
 * snapshot length. */
enum rec_state { REC_WHOLE, REC_CUT, REC_PAST_SNAPSHOT };

static enum rec_state record_at(const struct file_reader *r,
				const struct slot *s, size_t pos)
{
	size_t rest = s->len - pos;

	if (rest < REC_HDR_LEN)
		return REC_CUT;
	uint32_t caplen = rd32(s->buf + pos + 8, r->swapped);
	if (caplen > r->snapshot)
		return REC_PAST_SNAPSHOT;
	return rest - REC_HDR_LEN >= caplen ? REC_WHOLE : REC_CUT;
}

/*
 * Moves on to the slot that holds the next record; NULL when this reader
 * has nothing more (the handover offset then says where libpcap goes
 * on). Once per slot: kept out of line so file_reader_next(), once per
 * record, does not pay for this one's registers and stack frame.
 */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static struct slot *next_slot(struct file_reader *r)
{
	struct slot *s = r->cur;
	enum rec_state st = REC_CUT;

	while (!s || (st = record_at(r, s, r->pos)) != REC_WHOLE) {
		if (r->handover >= 0)
			return NULL;
		/* read ahead, a slot ends where its records do; else the
		 * bytes left are a record cut by the end of the block (carried
		 * over, unless the file ended there) or one whose capture
		 * length passes the snapshot length */
		if (s && (s->last || st == REC_PAST_SNAPSHOT)) {
			r->handover = s->off + (int64_t)r->pos;
			return NULL;
		}
		if (s && !r->threaded) {
			r->carry_len = s->len - r->pos;
			memcpy(r->carry, s->buf + r->pos, r->carry_len);
		}
		if (s)
			give_back(r);
		s = r->cur = take(r);
		r->pos = 0;
	}
	return s;
}

int file_reader_next(struct file_reader *r, struct file_record *rec)
{
	struct slot *s = r->cur;

	if (!s || record_at(r, s, r->pos) != REC_WHOLE) {
		s = next_slot(r);
		if (!s)
			return 0;
	}
	const uint8_t *h = s->buf + r->pos;
	bool sw = r->swapped;
	uint32_t caplen = rd32(h + 8, sw);

	/* ask for the bytes a few records ahead (read ahead, the slot was
	 * written by the other core) */
	if (s->len - r->pos > 1024)
		PREFETCH(h + 1024);

	rec->ts_sec = rd32(h, sw);
	rec->ts_frac = rd32(h + 4, sw);
	rec->caplen = caplen;
	rec->len = rd32(h + 12, sw);
	rec->data = h + REC_HDR_LEN;
	r->pos += REC_HDR_LEN + caplen;
	return 1;
}

int64_t file_reader_offset(const struct file_reader *r)
{
	if (r->handover >= 0)
		return r->handover;
	/* the current slot stays the consumer's until the next call */
	return r->cur ? r->cur->off + (int64_t)r->pos : FILE_HDR_LEN;
}

void file_reader_close(struct file_reader *r)
{
	if (!r)
		return;
	if (r->threaded) {
		pthread_mutex_lock(&r->mu);
		r->quit = true;
		pthread_cond_signal(&r->has_room);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
	}
	pthread_cond_destroy(&r->has_room);
	pthread_cond_destroy(&r->has_data);
	pthread_mutex_destroy(&r->mu);
	free_reader(r);
}

#endif
