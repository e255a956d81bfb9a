/*
 * Community ID v1 (github.com/corelight/community-id-spec): a flow hash
 * that Zeek, Suricata, Arkime and Wireshark all write, so one string joins
 * a connection across their logs.
 *
 *   "1:" + base64(SHA1(seed . addr_lo . addr_hi . proto . 0 .
 *                      port_lo . port_hi))
 *
 * seed is 2 bytes big-endian; the endpoint whose (address bytes, port) is
 * smaller comes first, so both directions give the same ID.
 */
#ifndef SYNSCOPE_COMMUNITY_ID_H
#define SYNSCOPE_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>

/* "1:" + 28 base64 characters + NUL */
#define COMMUNITY_ID_MAX 31

/* The hashed bytes before SHA-1: at most 2 + 16 + 16 + 2 + 4. */
#define COMMUNITY_ID_INPUT_MAX 40

struct community_id_flow {
	int ip_version;         /* 4 or 6 */
	const uint8_t *saddr;   /* 4 or 16 bytes, network order */
	const uint8_t *daddr;
	uint8_t proto;          /* IANA protocol number, 6 for TCP */
	uint16_t sport, dport;  /* host order */
};

/*
 * Writes the hash input (endpoints ordered, network byte order) to `in`
 * and returns its length; kept apart so tests can check the layout.
 */
size_t community_id_input(uint8_t in[COMMUNITY_ID_INPUT_MAX], uint16_t seed,
			  const struct community_id_flow *f);

/* Writes the NUL-terminated ID to `out`; returns its length (30). */
size_t community_id_v1(char out[COMMUNITY_ID_MAX], uint16_t seed,
		       const struct community_id_flow *f);

#endif
