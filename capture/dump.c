#include "dump.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

struct capture_dumper {
	pcap_t *p;
	pcap_dumper_t *dumper;
	int nano;
};

int capture_dumper_open(struct capture_dumper **out, const char *path,
			int linktype, int snaplen, int ts_digits, char *err,
			size_t errlen)
{
	struct capture_dumper *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d) {
		snprintf(err, errlen, "%s: out of memory", path);
		return CAPTURE_ERR_WRITE;
	}
	d->nano = ts_digits == 9;
	d->p = pcap_open_dead_with_tstamp_precision(
		linktype, snaplen,
		d->nano ? PCAP_TSTAMP_PRECISION_NANO
			: PCAP_TSTAMP_PRECISION_MICRO);
	if (!d->p) {
		snprintf(err, errlen, "%s: cannot set up a pcap writer", path);
		free(d);
		return CAPTURE_ERR_WRITE;
	}
	d->dumper = pcap_dump_open(d->p, path);
	if (!d->dumper) {
		snprintf(err, errlen, "%s", pcap_geterr(d->p));
		pcap_close(d->p);
		free(d);
		return CAPTURE_ERR_WRITE;
	}
	*out = d;
	return 0;
}

int capture_dumper_write(struct capture_dumper *d,
			 const struct capture_packet *pkt)
{
	struct pcap_pkthdr h;

	h.ts.tv_sec = (time_t)pkt->ts_sec;
	/* a nanosecond handle writes this field as nanoseconds */
	h.ts.tv_usec = d->nano ? pkt->ts_nsec : pkt->ts_nsec / 1000;
	h.caplen = pkt->caplen;
	h.len = pkt->len;
	pcap_dump((u_char *)d->dumper, &h, pkt->bytes);
	return 0;
}

int capture_dumper_close(struct capture_dumper *d)
{
	int rc = 0;

	if (!d)
		return 0;
	if (pcap_dump_flush(d->dumper) < 0)
		rc = CAPTURE_ERR_WRITE;
	pcap_dump_close(d->dumper);
	pcap_close(d->p);
	free(d);
	return rc;
}
