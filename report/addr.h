/*
 * Address text without the platform's inet_ntop (absent or different on
 * some Windows toolchains): dotted quad for IPv4, RFC 5952 for IPv6.
 */
#ifndef SYNSCOPE_ADDR_H
#define SYNSCOPE_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN */

/* Writes the text form of a 4- or 16-byte address; returns its length. */
size_t addr_format(char out[ADDR_TEXT_MAX], int ip_version,
		   const uint8_t *addr);

#endif
