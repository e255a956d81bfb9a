/*
 * Value-to-name tables shared by every output (text, JSON, later the
 * dashboard), so all of them spell flags and options the same way.
 */
#ifndef SYNSCOPE_NAMES_H
#define SYNSCOPE_NAMES_H

#include <stdint.h>

#include "decode.h"
#include "outbuf.h"

/* "SYN,ACK": names in bit order, FIN first; nothing for no flags. */
void names_tcp_flags(struct outbuf *ob, uint16_t flags);

/* tcpdump's letters ("S.", "FP.", "none"). */
void names_tcp_flag_letters(struct outbuf *ob, uint16_t flags);

/* Stable lower-case option name: "mss", "wscale", "sackok", "tfo", ... */
const char *names_tcp_option(uint8_t kind, const uint8_t *tcp_header,
			     const struct tcp_opt *opt);

/* MPTCP subtype name (RFC 8684 3), "unknown" past the table. */
const char *names_mptcp_subtype(uint8_t subtype);

#endif
