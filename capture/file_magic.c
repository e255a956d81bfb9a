#include "file_magic.h"

#include <stdbool.h>

#define PCAP_MAGIC_NANO 0xa1b23c4du
#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_BOM 0x1a2b3c4du
#define PCAPNG_IDB 1u
#define IDB_OPT_TSRESOL 9u

static uint32_t rd32(const uint8_t *b, bool le)
{
	return le ? (uint32_t)b[0] | (uint32_t)b[1] << 8 |
			    (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
		  : (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			    (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static uint16_t rd16(const uint8_t *b, bool le)
{
	return le ? (uint16_t)(b[0] | b[1] << 8) : (uint16_t)(b[0] << 8 | b[1]);
}

/* if_tsresol: high bit clear = 10^-v, set = 2^-v (pcapng spec 4.2). */
static int tsresol_digits(uint8_t v)
{
	int digits;

	if (v & 0x80) {
		/* 2^-n needs ceil(n * log10(2)) decimal digits */
		digits = ((v & 0x7f) * 30103 + 99999) / 100000;
	} else {
		digits = v;
	}
	if (digits <= 6)
		return 6;
	return 9;
}

/* Walks SHB, then the first IDB's options, all inside `len` bytes. */
static int pcapng_digits(const uint8_t *h, size_t len)
{
	if (len < 12)
		return 6;
	bool le = rd32(h + 8, true) == PCAPNG_BOM;
	if (!le && rd32(h + 8, false) != PCAPNG_BOM)
		return 6;
	uint32_t shb_len = rd32(h + 4, le);
	if (shb_len < 28 || shb_len > len || len - shb_len < 20)
		return 6;
	const uint8_t *idb = h + shb_len;
	size_t room = len - shb_len;
	uint32_t idb_len = rd32(idb + 4, le);
	if (rd32(idb, le) != PCAPNG_IDB || idb_len < 20 || idb_len > room)
		return 6;
	/* options run from byte 16 up to the trailing length word */
	size_t off = 16, end = idb_len - 4;
	while (off + 4 <= end) {
		uint16_t code = rd16(idb + off, le);
		uint16_t olen = rd16(idb + off + 2, le);
		if (code == 0)
			break;
		if (code == IDB_OPT_TSRESOL && olen >= 1 && off + 5 <= end)
			return tsresol_digits(idb[off + 4]);
		off += 4 + (((size_t)olen + 3) & ~(size_t)3);
	}
	return 6;
}

int file_magic_ts_digits(const uint8_t *head, size_t len)
{
	if (len < 4)
		return 6;
	if (rd32(head, true) == PCAP_MAGIC_NANO ||
	    rd32(head, false) == PCAP_MAGIC_NANO)
		return 9;
	if (rd32(head, true) == PCAPNG_SHB)
		return pcapng_digits(head, len);
	return 6;
}

int file_magic_first_byte_digits(uint8_t first)
{
	return first == 0x4d ? 9 : 6;
}
