/*
 * Timestamp precision of a capture file, read from its first bytes: pcap
 * says it in the magic number, pcapng in the first interface's if_tsresol
 * option. libpcap converts to whatever precision it is asked for and does
 * not tell which one the file had, so synscope reads it itself.
 */
#ifndef SYNSCOPE_FILE_MAGIC_H
#define SYNSCOPE_FILE_MAGIC_H

#include <stddef.h>
#include <stdint.h>

/* How many leading bytes file_magic_ts_digits() wants to see. */
#define FILE_MAGIC_PEEK 1024

/* 6 (micro) or 9 (nano, or finer, capped); 6 when nothing says otherwise. */
int file_magic_ts_digits(const uint8_t *head, size_t len);

/* The same from the first byte alone (for a stream that cannot rewind):
 * tells little-endian nano pcap (0x4d) apart; everything else is 6. */
int file_magic_first_byte_digits(uint8_t first);

#endif
