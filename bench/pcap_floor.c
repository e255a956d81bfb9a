/*
 * The fastest anything built on libpcap can read a file: open, loop over
 * pcap_next_ex(), touch one byte per packet so the loop is not optimised
 * away, print the packet count. bench/ compares synscope against it.
 */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, sum = 0;
	int rc;

	if (argc != 2) {
		fputs("usage: pcap-floor FILE\n", stderr);
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcap-floor: %s\n", err);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		n++;
		sum += h->caplen ? d[0] : 0;
	}
	pcap_close(p);
	printf("%llu packets (%llu)\n", n, sum & 1);
	return rc == PCAP_ERROR ? 1 : 0;
}
