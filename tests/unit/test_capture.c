/* Unit tests for capture/: opening files of each kind, the errors told
 * apart, truncation, filters, the pcap writer and the precision sniffing. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "file_magic.h"

static char tmpdir[] = "/tmp/synscope-test-capture-XXXXXX";

static void make_tmpdir(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *tmp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void put32le(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };
	fwrite(b, 1, 4, f);
}

/* A 20-byte IPv4 header + 20-byte TCP header, as a raw-IP frame. */
static const uint8_t raw_tcp[40] = {
	0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
	0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff,
	0, 0, 0, 0,
};

/* A UDP datagram header in IPv4, to be filtered out by "tcp". */
static const uint8_t raw_udp[28] = {
	0x45, 0, 0, 28, 0, 2, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
	0x13, 0x88, 0x13, 0x89, 0, 8, 0, 0,
};

/* Creates `path` as a little-endian pcap file (LINKTYPE_RAW, snapshot
 * length 65535) with the micro- or (`nano`) nanosecond magic, and
 * returns it open for the records. */
static FILE *open_pcap(const char *path, int nano)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	put32le(f, nano ? 0xa1b23c4d : 0xa1b2c3d4);
	put32le(f, 0x00040002); /* version 2.4 */
	put32le(f, 0);          /* thiszone */
	put32le(f, 0);          /* sigfigs */
	put32le(f, 65535);      /* snaplen */
	put32le(f, 101);        /* LINKTYPE_RAW */
	return f;
}

/* A record header: time, captured and wire lengths. */
static void put_record(FILE *f, uint32_t sec, uint32_t frac,
		       uint32_t caplen, uint32_t len)
{
	put32le(f, sec);
	put32le(f, frac);
	put32le(f, caplen);
	put32le(f, len);
}

/*
 * Writes a little-endian pcap file (LINKTYPE_RAW) holding a TCP frame and
 * a UDP frame, with timestamps 100.000001 and 101.5; `nano` picks the
 * nanosecond magic; `cut` drops that many bytes from the end.
 */
static const char *write_pcap(const char *name, int nano, size_t cut)
{
	const char *path = tmp_path(name);
	FILE *f = open_pcap(path, nano);

	put_record(f, 100, nano ? 1000 : 1, sizeof(raw_tcp), sizeof(raw_tcp));
	fwrite(raw_tcp, 1, sizeof(raw_tcp), f);
	put_record(f, 101, nano ? 500000000 : 500000, sizeof(raw_udp),
		   sizeof(raw_udp));
	fwrite(raw_udp, 1, sizeof(raw_udp) - cut, f);
	fclose(f);
	return path;
}

START_TEST(open_file_reports_a_missing_file_as_nofile)
{
	struct capture *c;
	char err[CAPTURE_ERRBUF];

	ck_assert_int_eq(capture_open_file(&c, tmp_path("absent.pcap"), err,
					   sizeof(err)),
			 CAPTURE_ERR_NOFILE);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(err, "absent.pcap"));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

START_TEST(open_file_reports_a_directory_as_nofile)
{
	struct capture *c;
	char err[CAPTURE_ERRBUF];

	ck_assert_int_eq(capture_open_file(&c, tmpdir, err, sizeof(err)),
			 CAPTURE_ERR_NOFILE);
	ck_assert_ptr_nonnull(strstr(err, "directory"));
}
END_TEST

START_TEST(open_file_tells_a_non_capture_apart)
{
	static const char *const contents[] = { "", "hello, world\n",
						"\xd4\xc3" };
	struct capture *c;
	char err[CAPTURE_ERRBUF];
	const char *path = tmp_path("text.txt");
	FILE *f = fopen(path, "wb");

	fputs(contents[_i], f);
	fclose(f);
	ck_assert_int_eq(capture_open_file(&c, path, err, sizeof(err)),
			 CAPTURE_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err, "not a pcap or pcapng"));
}
END_TEST

static void read_two(const char *path, int digits, uint32_t nsec1)
{
	struct capture *c;
	struct capture_packet pkt;
	char err[CAPTURE_ERRBUF];

	ck_assert_int_eq(capture_open_file(&c, path, err, sizeof(err)), 0);
	ck_assert_int_eq(capture_ts_digits(c), digits);
	ck_assert_int_eq(capture_linktype(c), 12); /* DLT_RAW */
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)),
			 CAPTURE_PACKET);
	ck_assert_int_eq(pkt.ts_sec, 100);
	ck_assert_uint_eq(pkt.ts_nsec, nsec1);
	ck_assert_uint_eq(pkt.caplen, sizeof(raw_tcp));
	ck_assert_int_eq(memcmp(pkt.bytes, raw_tcp, sizeof(raw_tcp)), 0);
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)),
			 CAPTURE_PACKET);
	ck_assert_uint_eq(pkt.ts_nsec, 500000000);
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)), CAPTURE_EOF);
	capture_close(c);
}

START_TEST(reads_microsecond_pcap_with_six_digits)
{
	read_two(write_pcap("micro.pcap", 0, 0), 6, 1000);
}
END_TEST

START_TEST(reads_nanosecond_pcap_with_nine_digits)
{
	read_two(write_pcap("nano.pcap", 1, 0), 9, 1000);
}
END_TEST

START_TEST(truncated_file_yields_the_packets_before_the_cut)
{
	struct capture *c;
	struct capture_packet pkt;
	char err[CAPTURE_ERRBUF];
	const char *path = write_pcap("cut.pcap", 0, 5);

	ck_assert_int_eq(capture_open_file(&c, path, err, sizeof(err)), 0);
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)),
			 CAPTURE_PACKET);
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)),
			 CAPTURE_ERR_TRUNCATED);
	/* 24 header + 16 + 40 + 16 + 23 bytes were written */
	ck_assert_int_eq(capture_file_offset(c), 24 + 16 + 40 + 16 + 23);
	capture_close(c);
}
END_TEST

START_TEST(file_offset_follows_each_record_handed_out)
{
	struct capture *c;
	struct capture_packet pkt;
	char err[CAPTURE_ERRBUF];
	const char *path = write_pcap("offsets.pcap", 0, 0);

	ck_assert_int_eq(capture_open_file(&c, path, err, sizeof(err)), 0);
	/* the file header, then each record's 16 bytes and its frame */
	ck_assert_int_eq(capture_file_offset(c), 24);
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)),
			 CAPTURE_PACKET);
	ck_assert_int_eq(capture_file_offset(c), 24 + 16 + 40);
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)),
			 CAPTURE_PACKET);
	ck_assert_int_eq(capture_file_offset(c), 24 + 16 + 40 + 16 + 28);
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)), CAPTURE_EOF);
	ck_assert_int_eq(capture_file_offset(c), 24 + 16 + 40 + 16 + 28);
	capture_close(c);
}
END_TEST

/*
 * A file of `n` records over several of the block reader's blocks (512
 * KiB each): record i holds 40 + i % 1500 bytes, each byte (i + j) & 0xff,
 * and says it is `huge_at`'s record with a capture length past the
 * snapshot length (65535) when i == huge_at. The last record loses `cut`
 * bytes.
 */
static const char *write_big(const char *name, unsigned n, unsigned huge_at,
			     size_t cut)
{
	const char *path = tmp_path(name);
	FILE *f = open_pcap(path, 0);
	static uint8_t frame[1540];

	for (unsigned i = 0; i < n; i++) {
		uint32_t len = 40 + i % 1500;

		for (uint32_t j = 0; j < len; j++)
			frame[j] = (uint8_t)(i + j);
		put_record(f, 1000 + i, i, i == huge_at ? 70000 : len, len);
		fwrite(frame, 1, len - (i == n - 1 ? cut : 0), f);
	}
	fclose(f);
	return path;
}

/* Reads `path` to its end, read ahead or not, checking the bytes of the
 * first `check` records; returns the number of packets, the last status
 * in *rc, the file offset reached in *end_off. */
static unsigned read_big(const char *path, bool ahead, unsigned check,
			 int *rc, int64_t *end_off)
{
	struct capture *c;
	struct capture_packet pkt;
	char err[CAPTURE_ERRBUF];
	unsigned i = 0;

	ck_assert_int_eq(capture_open_file(&c, path, err, sizeof(err)), 0);
	if (ahead)
		capture_read_ahead(c);
	while ((*rc = capture_next(c, &pkt, err, sizeof(err))) ==
	       CAPTURE_PACKET) {
		if (i++ >= check)
			continue;
		i--;
		uint8_t want[1540];

		ck_assert_int_eq(pkt.ts_sec, 1000 + i);
		ck_assert_uint_eq(pkt.caplen, 40 + i % 1500);
		for (uint32_t j = 0; j < pkt.caplen; j++)
			want[j] = (uint8_t)(i + j);
		ck_assert_msg(memcmp(pkt.bytes, want, pkt.caplen) == 0,
			      "record %u differs", i);
		i++;
	}
	*end_off = capture_file_offset(c);
	capture_close(c);
	return i;
}

/* _i: 0 on the caller's thread, 1 read ahead */
START_TEST(big_file_yields_every_record_across_blocks)
{
	const char *path = write_big("big.pcap", 3000, UINT32_MAX, 0);
	int rc;
	int64_t off;

	ck_assert_uint_eq(read_big(path, _i, 3000, &rc, &off), 3000);
	ck_assert_int_eq(rc, CAPTURE_EOF);
}
END_TEST

START_TEST(big_file_cut_in_its_last_record_warns_after_the_rest)
{
	const char *path = write_big("bigcut.pcap", 3000, UINT32_MAX, 7);
	FILE *f = fopen(path, "rb");
	int rc;
	int64_t off;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	ck_assert_uint_eq(read_big(path, _i, 3000, &rc, &off), 2999);
	ck_assert_int_eq(rc, CAPTURE_ERR_TRUNCATED);
	ck_assert_int_eq(off, size);
}
END_TEST

/* A capture length past the snapshot length is libpcap's to judge: the
 * block reader hands over there, read ahead or not, with the same
 * outcome. (libpcap takes the record and the bytes after it, up to the
 * snapshot length, as its packet.) */
START_TEST(big_file_hands_over_at_a_record_past_the_snapshot)
{
	const char *path = write_big("bighuge.pcap", 3000, 1700, 0);
	int rc[2];
	int64_t off[2];
	unsigned got[2];

	for (int ahead = 0; ahead < 2; ahead++)
		got[ahead] = read_big(path, ahead, 1700, &rc[ahead],
				      &off[ahead]);
	ck_assert_uint_gt(got[0], 1700);
	ck_assert_uint_lt(got[0], 3000);
	ck_assert_uint_eq(got[0], got[1]);
	ck_assert_int_eq(rc[0], rc[1]);
	ck_assert_int_eq(off[0], off[1]);
}
END_TEST

START_TEST(filter_keeps_only_matching_packets)
{
	struct capture *c;
	struct capture_packet pkt;
	char err[CAPTURE_ERRBUF];

	ck_assert_int_eq(capture_open_file(&c, write_pcap("f.pcap", 0, 0),
					   err, sizeof(err)), 0);
	ck_assert_int_eq(capture_set_filter(c, "udp", err, sizeof(err)), 0);
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)),
			 CAPTURE_PACKET);
	ck_assert_uint_eq(pkt.caplen, sizeof(raw_udp));
	ck_assert_int_eq(capture_next(c, &pkt, err, sizeof(err)), CAPTURE_EOF);
	capture_close(c);
}
END_TEST

START_TEST(bad_filter_says_why)
{
	struct capture *c;
	char err[CAPTURE_ERRBUF];

	ck_assert_int_eq(capture_open_file(&c, write_pcap("bf.pcap", 0, 0),
					   err, sizeof(err)), 0);
	ck_assert_int_eq(capture_set_filter(c, "tcp port", err, sizeof(err)),
			 CAPTURE_ERR_FILTER);
	ck_assert_ptr_nonnull(strstr(err, "tcp port"));
	ck_assert_ptr_nonnull(strstr(err, "syntax error"));
	capture_close(c);
}
END_TEST

START_TEST(writer_keeps_every_packet_read)
{
	struct capture *c;
	struct capture_packet pkt;
	char err[CAPTURE_ERRBUF];
	char out[256];

	snprintf(out, sizeof(out), "%s", tmp_path("copy.pcap"));
	ck_assert_int_eq(capture_open_file(&c, write_pcap("w.pcap", 1, 0),
					   err, sizeof(err)), 0);
	ck_assert_int_eq(capture_dump_open(c, out, err, sizeof(err)), 0);
	while (capture_next(c, &pkt, err, sizeof(err)) == CAPTURE_PACKET)
		;
	capture_close(c);
	/* the copy keeps the nanosecond precision of its source */
	read_two(out, 9, 1000);
}
END_TEST

START_TEST(writer_reports_an_unwritable_path)
{
	struct capture *c;
	char err[CAPTURE_ERRBUF];

	ck_assert_int_eq(capture_open_file(&c, write_pcap("u.pcap", 0, 0),
					   err, sizeof(err)), 0);
	ck_assert_int_eq(capture_dump_open(c, tmp_path("no/such/dir.pcap"),
					   err, sizeof(err)),
			 CAPTURE_ERR_WRITE);
	capture_close(c);
}
END_TEST

/* pcapng: SHB (28 bytes, no options), then an IDB with if_tsresol. */
static size_t pcapng_head(uint8_t *b, uint8_t tsresol, int with_opt)
{
	static const uint8_t shb[28] = {
		0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a,
		1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		28, 0, 0, 0,
	};
	/* IDB: type 1, length 32, linktype 1, snaplen 0, option 9 len 1
	 * value tsresol (padded), opt_endofopt, trailing length */
	uint8_t idb[32] = { 1, 0, 0, 0, 32, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
			    9, 0, 1, 0, tsresol, 0, 0, 0, 0, 0, 0, 0,
			    32, 0, 0, 0 };
	if (!with_opt)
		idb[16] = 0; /* endofopt right away */
	memcpy(b, shb, sizeof(shb));
	memcpy(b + sizeof(shb), idb, sizeof(idb));
	return sizeof(shb) + sizeof(idb);
}

START_TEST(magic_reads_pcapng_tsresol)
{
	uint8_t b[64];
	size_t n;

	n = pcapng_head(b, 9, 1);
	ck_assert_int_eq(file_magic_ts_digits(b, n), 9);
	n = pcapng_head(b, 6, 1);
	ck_assert_int_eq(file_magic_ts_digits(b, n), 6);
	n = pcapng_head(b, 0x80 | 30, 1); /* 2^-30 s needs 10 digits */
	ck_assert_int_eq(file_magic_ts_digits(b, n), 9);
	n = pcapng_head(b, 0x80 | 10, 1); /* 2^-10 s fits in 6 */
	ck_assert_int_eq(file_magic_ts_digits(b, n), 6);
	n = pcapng_head(b, 9, 0);
	ck_assert_int_eq(file_magic_ts_digits(b, n), 6);
	/* every prefix of the header stays in bounds and says 6 or 9 */
	pcapng_head(b, 9, 1);
	for (size_t cut = 0; cut <= n; cut++) {
		int d = file_magic_ts_digits(b, cut);
		ck_assert(d == 6 || d == 9);
	}
}
END_TEST

START_TEST(magic_reads_pcap_magic_in_both_byte_orders)
{
	static const uint8_t micro_le[] = { 0xd4, 0xc3, 0xb2, 0xa1 };
	static const uint8_t nano_le[] = { 0x4d, 0x3c, 0xb2, 0xa1 };
	static const uint8_t nano_be[] = { 0xa1, 0xb2, 0x3c, 0x4d };

	ck_assert_int_eq(file_magic_ts_digits(micro_le, 4), 6);
	ck_assert_int_eq(file_magic_ts_digits(nano_le, 4), 9);
	ck_assert_int_eq(file_magic_ts_digits(nano_be, 4), 9);
	ck_assert_int_eq(file_magic_ts_digits(nano_be, 3), 6);
	ck_assert_int_eq(file_magic_first_byte_digits(0x4d), 9);
	ck_assert_int_eq(file_magic_first_byte_digits(0xd4), 6);
}
END_TEST

static Suite *capture_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("files");

	tcase_add_unchecked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, open_file_reports_a_missing_file_as_nofile);
	tcase_add_test(tc, open_file_reports_a_directory_as_nofile);
	tcase_add_loop_test(tc, open_file_tells_a_non_capture_apart, 0, 3);
	tcase_add_test(tc, reads_microsecond_pcap_with_six_digits);
	tcase_add_test(tc, reads_nanosecond_pcap_with_nine_digits);
	tcase_add_test(tc, truncated_file_yields_the_packets_before_the_cut);
	tcase_add_test(tc, file_offset_follows_each_record_handed_out);
	tcase_add_loop_test(tc, big_file_yields_every_record_across_blocks,
			    0, 2);
	tcase_add_loop_test(tc,
			    big_file_cut_in_its_last_record_warns_after_the_rest,
			    0, 2);
	tcase_add_test(tc, big_file_hands_over_at_a_record_past_the_snapshot);
	tcase_add_test(tc, filter_keeps_only_matching_packets);
	tcase_add_test(tc, bad_filter_says_why);
	tcase_add_test(tc, writer_keeps_every_packet_read);
	tcase_add_test(tc, writer_reports_an_unwritable_path);
	suite_add_tcase(s, tc);
	tc = tcase_create("magic");
	tcase_add_test(tc, magic_reads_pcapng_tsresol);
	tcase_add_test(tc, magic_reads_pcap_magic_in_both_byte_orders);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(capture_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
