/*
 * The libpcap back end of capture.h. Everything here is plain libpcap API,
 * which Npcap provides on Windows as well; what differs by platform (how
 * to wait for packets) lives in platform_posix.c and platform_win32.c.
 */
#include "capture.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file_magic.h"
#include "file_reader.h"
#include "platform.h"

#define DEFAULT_SNAPLEN 262144

struct capture {
	pcap_t *p;
	pcap_dumper_t *dumper;
	FILE *fp;              /* the offline file, owned by p */
	struct file_reader *fast; /* reads fp's plain records, while it can */
	struct bpf_program filter; /* what pcap_setfilter() got, for fast */
	bool has_filter;
	bool live;
	bool nano;             /* the handle delivers nanoseconds */
	int ts_digits;
	int timeout_ms;        /* live: longest wait in capture_next() */
	char warning[CAPTURE_ERRBUF];
};

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static struct capture *capture_alloc(void)
{
	return calloc(1, sizeof(struct capture));
}

/*
 * Opens `path` (or stdin) and learns the timestamp precision the file was
 * written with, so the handle can deliver exactly that precision and -w
 * writes it back unchanged.
 */
static int open_file_stream(const char *path, FILE **fpp, int *digits,
			    char *err, size_t errlen)
{
	FILE *fp;

	if (strcmp(path, "-") == 0) {
		int c = getc(stdin);

		if (c == EOF) {
			set_err(err, errlen, "standard input is empty");
			return CAPTURE_ERR_FORMAT;
		}
		/* One byte of push-back is all C guarantees: enough to tell
		 * little-endian micro (0xd4) from nano (0x4d) pcap files. */
		ungetc(c, stdin);
		*digits = file_magic_first_byte_digits((uint8_t)c);
		*fpp = stdin;
		return 0;
	}

	fp = fopen(path, "rb");
	if (!fp) {
		set_err(err, errlen, "cannot open %s: %s", path,
			strerror(errno));
		return CAPTURE_ERR_NOFILE;
	}
	struct stat st;
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		set_err(err, errlen, "cannot open %s: is a directory", path);
		return CAPTURE_ERR_NOFILE;
	}
	uint8_t head[FILE_MAGIC_PEEK];
	size_t n = fread(head, 1, sizeof(head), fp);
	*digits = file_magic_ts_digits(head, n);
	rewind(fp);
	*fpp = fp;
	return 0;
}

int capture_open_file(struct capture **out, const char *path, char *err,
		      size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;
	FILE *fp = NULL;
	int digits = 6;
	int rc;

	*out = NULL;
	rc = open_file_stream(path, &fp, &digits, err, errlen);
	if (rc < 0)
		return rc;
	c = capture_alloc();
	if (!c) {
		if (fp != stdin)
			fclose(fp);
		set_err(err, errlen, "out of memory");
		return CAPTURE_ERR_READ;
	}
	c->nano = digits > 6;
	c->ts_digits = digits;
	c->p = pcap_fopen_offline_with_tstamp_precision(
		fp, c->nano ? PCAP_TSTAMP_PRECISION_NANO
			    : PCAP_TSTAMP_PRECISION_MICRO, pcap_err);
	if (!c->p) {
		if (fp != stdin)
			fclose(fp);
		free(c);
		set_err(err, errlen, "%s is not a pcap or pcapng capture (%s)",
			strcmp(path, "-") == 0 ? "standard input" : path,
			pcap_err);
		return CAPTURE_ERR_FORMAT;
	}
	c->fp = fp;
	/* A regular file can be read at any offset, so the block reader
	 * can run ahead and hand back to libpcap wherever it stops. */
	struct stat st;
	if (fp != stdin && fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
		c->fast = file_reader_open(fileno(fp), pcap_datalink(c->p),
					   pcap_snapshot(c->p));
	*out = c;
	return 0;
}

void capture_read_ahead(struct capture *c)
{
	if (c && c->fast)
		(void)file_reader_read_ahead(c->fast);
}

static int activate_error(int rc, const char *iface, pcap_t *p, char *err,
			  size_t errlen)
{
	switch (rc) {
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		set_err(err, errlen,
			"no permission to capture on %s: run as root or give "
			"synscope CAP_NET_RAW and CAP_NET_ADMIN (%s)",
			iface, pcap_geterr(p));
		return CAPTURE_ERR_PERM;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		set_err(err, errlen, "no such interface: %s (%s)", iface,
			pcap_geterr(p));
		return CAPTURE_ERR_NODEV;
	case PCAP_ERROR_IFACE_NOT_UP:
		set_err(err, errlen, "interface %s is down", iface);
		return CAPTURE_ERR_READ;
	default:
		set_err(err, errlen, "cannot capture on %s: %s", iface,
			rc == PCAP_ERROR ? pcap_geterr(p)
					 : pcap_statustostr(rc));
		return CAPTURE_ERR_READ;
	}
}

int capture_open_live(struct capture **out, const struct capture_live_opts *o,
		      char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	struct capture *c;
	int snaplen = o->snaplen > 0 ? o->snaplen : DEFAULT_SNAPLEN;
	int rc;

	*out = NULL;
	if (o->snaplen < 0 || o->buffer_kib < 0 ||
	    o->buffer_kib > INT_MAX / 1024) {
		set_err(err, errlen, "bad snaplen or buffer size for %s",
			o->iface);
		return CAPTURE_ERR_ARG;
	}
	c = capture_alloc();
	if (!c) {
		set_err(err, errlen, "out of memory");
		return CAPTURE_ERR_READ;
	}
	c->live = true;
	c->ts_digits = 6;
	c->p = pcap_create(o->iface, pcap_err);
	if (!c->p) {
		set_err(err, errlen, "cannot capture on %s: %s", o->iface,
			pcap_err);
		free(c);
		return CAPTURE_ERR_NODEV;
	}
	pcap_set_snaplen(c->p, snaplen);
	pcap_set_promisc(c->p, o->promisc ? 1 : 0);
	pcap_set_timeout(c->p, o->timeout_ms > 0 ? o->timeout_ms : 100);
	/* Immediate mode hands each packet over as it arrives: what a
	 * person watching (the dashboard, lines on a terminal) wants. Without
	 * it the kernel hands over whole blocks, at the latest after
	 * timeout_ms: one wake-up per block instead of per packet, which is
	 * what keeps up with a flood when the output goes to files. */
	pcap_set_immediate_mode(c->p, o->immediate ? 1 : 0);
	if (o->buffer_kib > 0)
		pcap_set_buffer_size(c->p, o->buffer_kib * 1024);
	rc = pcap_activate(c->p);
	if (rc < 0) {
		rc = activate_error(rc, o->iface, c->p, err, errlen);
		pcap_close(c->p);
		free(c);
		return rc;
	}
	if (rc > 0)
		snprintf(c->warning, sizeof(c->warning), "%s: %s", o->iface,
			 pcap_geterr(c->p));
	/* Non-blocking reads plus our own bounded wait: libpcap's blocking
	 * read may loop inside poll() with no packets and never hand control
	 * back, so a stop request would go unseen. */
	if (pcap_setnonblock(c->p, 1, pcap_err) < 0) {
		set_err(err, errlen, "cannot capture on %s: %s", o->iface,
			pcap_err);
		pcap_close(c->p);
		free(c);
		return CAPTURE_ERR_READ;
	}
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 100;
	*out = c;
	return 0;
}

const char *capture_warning(const struct capture *c)
{
	return c->warning[0] ? c->warning : NULL;
}

int capture_set_filter(struct capture *c, const char *expr, char *err,
		       size_t errlen)
{
	struct bpf_program prog;
	if (!expr || !*expr)
		return 0;
	if (pcap_compile(c->p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		set_err(err, errlen, "bad filter \"%s\": %s", expr,
			pcap_geterr(c->p));
		return CAPTURE_ERR_FILTER;
	}
	if (pcap_setfilter(c->p, &prog) < 0) {
		set_err(err, errlen, "cannot apply filter \"%s\": %s", expr,
			pcap_geterr(c->p));
		pcap_freecode(&prog);
		return CAPTURE_ERR_FILTER;
	}
	/* the block reader runs the same program (pcap_offline_filter) */
	if (c->has_filter)
		pcap_freecode(&c->filter);
	c->filter = prog;
	c->has_filter = true;
	return 0;
}

/* A corrupt record may carry a sub-second field of a second or more;
 * carry it into the seconds rather than wrap. */
static void put_time(struct capture_packet *pkt, int64_t sec, uint32_t frac,
		     bool nano)
{
	uint64_t ns = (uint64_t)frac * (nano ? 1u : 1000u);

	pkt->ts_sec = sec;
	if (ns >= 1000000000u) {
		pkt->ts_sec += (int64_t)(ns / 1000000000u);
		ns %= 1000000000u;
	}
	pkt->ts_nsec = (uint32_t)ns;
}

/*
 * The next record from the block reader that passes the filter, in the
 * form pcap_next_ex() would have given it: libpcap reads the record
 * header's 32-bit fields as signed. Returns false when the block reader
 * has stopped; libpcap then goes on from where it stopped.
 */
static bool fast_next(struct capture *c, struct pcap_pkthdr *hdr,
		      const u_char **data)
{
	struct file_record rec;

	while (file_reader_next(c->fast, &rec) == 1) {
		hdr->ts.tv_sec = (int32_t)rec.ts_sec;
		hdr->ts.tv_usec = (int32_t)rec.ts_frac;
		hdr->caplen = rec.caplen;
		hdr->len = rec.len;
		*data = rec.data;
		if (!c->has_filter ||
		    pcap_offline_filter(&c->filter, hdr, *data))
			return true;
	}
	return false;
}

/* The block reader stopped: libpcap reads on from the same offset. */
static int hand_over(struct capture *c, char *err, size_t errlen)
{
	int64_t off = file_reader_offset(c->fast);

	file_reader_close(c->fast);
	c->fast = NULL;
	if (fseeko(c->fp, (off_t)off, SEEK_SET) != 0) {
		set_err(err, errlen, "error reading dump file: %s",
			strerror(errno));
		return CAPTURE_ERR_READ;
	}
	return 0;
}

/*
 * Every case but the plain one of capture_next(). Kept out of line so the
 * plain case, once per packet, does not pay for this one's stack frame.
 */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int next_slow(struct capture *c, struct capture_packet *pkt, char *err,
		     size_t errlen)
{
	struct pcap_pkthdr fast_hdr;
	struct pcap_pkthdr *hdr = &fast_hdr;
	const u_char *data;
	int rc = 1;

	if (!c->fast || !fast_next(c, hdr, &data)) {
		if (c->fast && hand_over(c, err, errlen) < 0)
			return CAPTURE_ERR_READ;
		rc = pcap_next_ex(c->p, &hdr, &data);
	}

	if (rc == 0 && c->live &&
	    capture_wait_readable(c->p, c->timeout_ms) > 0)
		rc = pcap_next_ex(c->p, &hdr, &data);

	if (rc == 1) {
		put_time(pkt, (int64_t)hdr->ts.tv_sec,
			 (uint32_t)hdr->ts.tv_usec, c->nano);
		pkt->caplen = hdr->caplen;
		pkt->len = hdr->len;
		pkt->bytes = data;
		if (c->dumper)
			pcap_dump((u_char *)c->dumper, hdr, data);
		return CAPTURE_PACKET;
	}
	if (rc == 0)
		return CAPTURE_TIMEOUT;
	if (rc == PCAP_ERROR_BREAK)
		return CAPTURE_EOF;
	const char *why = pcap_geterr(c->p);
	if (!c->live && strstr(why, "truncated")) {
		set_err(err, errlen, "%s", why);
		return CAPTURE_ERR_TRUNCATED;
	}
	set_err(err, errlen, "%s", why);
	return CAPTURE_ERR_READ;
}

int capture_next(struct capture *c, struct capture_packet *pkt, char *err,
		 size_t errlen)
{
	struct file_record rec;

	/* The plain case, straight from the block reader: no filter to run,
	 * no writer to feed. libpcap reads the seconds as signed 32 bits. */
	if (c->fast && !c->has_filter && !c->dumper &&
	    file_reader_next(c->fast, &rec) == 1) {
		put_time(pkt, (int32_t)rec.ts_sec, rec.ts_frac, c->nano);
		pkt->caplen = rec.caplen;
		pkt->len = rec.len;
		pkt->bytes = rec.data;
		return CAPTURE_PACKET;
	}
	return next_slow(c, pkt, err, errlen);
}

int capture_linktype(const struct capture *c)
{
	return pcap_datalink(c->p);
}

const char *capture_linktype_name(int linktype)
{
	const char *name = pcap_datalink_val_to_name(linktype);
	return name ? name : "unknown";
}

int capture_ts_digits(const struct capture *c)
{
	return c->ts_digits;
}

bool capture_is_live(const struct capture *c)
{
	return c->live;
}

int64_t capture_file_offset(const struct capture *c)
{
	if (c->fast)
		return file_reader_offset(c->fast);
	if (c->live || !c->fp)
		return -1;
	long off = ftell(c->fp);
	return off < 0 ? -1 : (int64_t)off;
}

int capture_stats(struct capture *c, struct capture_stats *st)
{
	struct pcap_stat ps;

	memset(st, 0, sizeof(*st));
	if (!c->live)
		return CAPTURE_ERR_ARG;
	if (pcap_stats(c->p, &ps) < 0)
		return CAPTURE_ERR_READ;
	st->received = ps.ps_recv;
	st->dropped_kernel = ps.ps_drop;
	st->dropped_iface = ps.ps_ifdrop;
	return 0;
}

int capture_fd(const struct capture *c)
{
	return c->live ? capture_selectable_fd(c->p) : -1;
}

int capture_dump_open(struct capture *c, const char *path, char *err,
		      size_t errlen)
{
	c->dumper = pcap_dump_open(c->p, path);
	if (!c->dumper) {
		set_err(err, errlen, "cannot write %s: %s", path,
			pcap_geterr(c->p));
		return CAPTURE_ERR_WRITE;
	}
	return 0;
}

int capture_dump_fopen(struct capture *c, FILE *fp, const char *name,
		       char *err, size_t errlen)
{
	c->dumper = pcap_dump_fopen(c->p, fp);
	if (!c->dumper) {
		set_err(err, errlen, "cannot write %s: %s", name,
			pcap_geterr(c->p));
		fclose(fp);
		return CAPTURE_ERR_WRITE;
	}
	return 0;
}

int capture_dump_flush(struct capture *c)
{
	if (c->dumper && pcap_dump_flush(c->dumper) < 0)
		return CAPTURE_ERR_WRITE;
	return 0;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	/* first: its thread reads the descriptor pcap_close() closes */
	file_reader_close(c->fast);
	if (c->has_filter)
		pcap_freecode(&c->filter);
	if (c->dumper)
		pcap_dump_close(c->dumper);
	if (c->p)
		pcap_close(c->p);
	free(c);
}

int capture_list_interfaces(capture_iface_fn fn, void *ctx, char *err,
			    size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;

	if (pcap_findalldevs(&all, pcap_err) < 0) {
		set_err(err, errlen, "cannot list interfaces: %s", pcap_err);
		return CAPTURE_ERR_READ;
	}
	for (pcap_if_t *d = all; d; d = d->next)
		fn(ctx, d->name, d->description,
		   (d->flags & PCAP_IF_UP) != 0,
		   (d->flags & PCAP_IF_LOOPBACK) != 0);
	pcap_freealldevs(all);
	return 0;
}
