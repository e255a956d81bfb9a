/*
 * Seeds for fuzz_decode: cuts the first frames of each capture file into
 * one file per frame, in fuzz_decode's input format (fuzz_input.h). Files
 * are named by a hash of their content, so a frame seen twice is written
 * once. Captures synscope cannot read, or whose link type decode does not
 * know, are skipped with a note on stderr.
 *
 * Usage: extract_frames OUTDIR MAX_PER_FILE CAPTURE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "fuzz_input.h"

/* FNV-1a, 64 bits: a name, not a defence. */
static uint64_t fnv1a(const uint8_t *b, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int write_seed(const char *dir, uint8_t hdr[FUZZ_DECODE_HDR],
		      const struct capture_packet *pkt)
{
	char path[4096];
	uint64_t h = fnv1a(hdr, FUZZ_DECODE_HDR, 0xcbf29ce484222325ULL);
	FILE *f;

	h = fnv1a(pkt->bytes, pkt->caplen, h);
	snprintf(path, sizeof(path), "%s/frame-%016llx", dir,
		 (unsigned long long)h);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	if (fwrite(hdr, 1, FUZZ_DECODE_HDR, f) != FUZZ_DECODE_HDR ||
	    fwrite(pkt->bytes, 1, pkt->caplen, f) != pkt->caplen) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* Returns the frames written, or -1 when OUTDIR cannot be written. */
static long extract(const char *dir, long max, const char *file)
{
	char err[CAPTURE_ERRBUF];
	struct capture *c;
	struct capture_packet pkt;
	long n = 0;

	if (capture_open_file(&c, file, err, sizeof(err)) < 0) {
		fprintf(stderr, "extract_frames: skipped: %s\n", err);
		return 0;
	}
	int link = fuzz_link_to_byte(capture_linktype(c));
	if (link < 0) {
		fprintf(stderr, "extract_frames: skipped: %s: link type %d\n",
			file, capture_linktype(c));
		capture_close(c);
		return 0;
	}
	while (n < max && capture_next(c, &pkt, err, sizeof(err)) ==
				  CAPTURE_PACKET) {
		uint8_t hdr[FUZZ_DECODE_HDR] = {
			(uint8_t)link, fuzz_wirelen_byte(pkt.caplen, pkt.len),
		};
		if (write_seed(dir, hdr, &pkt) < 0) {
			capture_close(c);
			return -1;
		}
		n++;
	}
	capture_close(c);
	return n;
}

int main(int argc, char **argv)
{
	long total = 0;

	if (argc < 3) {
		fputs("usage: extract_frames OUTDIR MAX_PER_FILE CAPTURE...\n",
		      stderr);
		return 2;
	}
	long max = strtol(argv[2], NULL, 10);
	for (int i = 3; i < argc; i++) {
		long n = extract(argv[1], max, argv[i]);
		if (n < 0) {
			fprintf(stderr, "extract_frames: cannot write to %s\n",
				argv[1]);
			return 1;
		}
		total += n;
	}
	printf("extract_frames: %ld frames from %d captures\n", total,
	       argc - 3);
	return 0;
}
