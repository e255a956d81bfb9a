/*
 * decode: turns the bytes of one captured frame into a parsed view of its
 * link, IP and TCP headers.
 *
 * Threat model: every byte is attacker-controlled. The decoder is a pure
 * function of (bytes, caplen, wirelen, linktype): it allocates nothing, does
 * no I/O, keeps no state between calls and reads nothing beyond caplen. A
 * malformed or truncated frame is a status code plus named anomalies, never a
 * crash. The view points into the caller's buffer, so it is valid only as
 * long as that buffer is.
 */
#ifndef SYNSCOPE_DECODE_H
#define SYNSCOPE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Link types, as libpcap's pcap_datalink() reports them (DLT_*). LINKTYPE_*
 * values that libpcap may hand through unmapped are accepted as well.
 */
enum decode_link {
	DECODE_LINK_NULL = 0,       /* BSD loopback, host-order AF word */
	DECODE_LINK_ETHERNET = 1,
	DECODE_LINK_RAW = 12,       /* DLT_RAW on most systems */
	DECODE_LINK_RAW_BSD = 14,   /* DLT_RAW on OpenBSD */
	DECODE_LINK_RAW_LT = 101,   /* LINKTYPE_RAW */
	DECODE_LINK_LOOP = 108,     /* OpenBSD loopback, network-order AF */
	DECODE_LINK_LINUX_SLL = 113,
	DECODE_LINK_IPV4 = 228,
	DECODE_LINK_IPV6 = 229,
	DECODE_LINK_LINUX_SLL2 = 276,
};

/* True when decode_packet() understands this link type. */
bool decode_link_supported(int linktype);

/* What decode_packet() got to. Only DECODE_TCP fills in the TCP part. */
enum decode_status {
	DECODE_TCP = 0,         /* a TCP header was decoded */
	DECODE_NOT_IP,          /* link layer carries something else (ARP, ...) */
	DECODE_NOT_TCP,         /* IP, but not TCP (UDP, ICMP, ...) */
	DECODE_FRAGMENT,        /* a non-first IP fragment: no TCP header here */
	DECODE_TRUNCATED,       /* caplen ends before a header we needed */
	DECODE_MALFORMED,       /* a header is inconsistent (bad IHL, version) */
	DECODE_UNSUPPORTED_LINK,
};

/*
 * Anomalies: stable dotted names (decode_anomaly_name()), shared by every
 * output. Keep the enum and the name table in decode/anomaly.c in step; add
 * new values at the end only.
 */
enum decode_anomaly {
	ANOM_LINK_TRUNCATED = 0,        /* decode.link.truncated */
	ANOM_VLAN_TOO_MANY,             /* decode.vlan.too_many */
	ANOM_NULL_FAMILY_UNKNOWN,       /* decode.null.family_unknown */
	ANOM_IP_VERSION_MISMATCH,       /* decode.ip.version_mismatch */
	ANOM_IPV4_TRUNCATED,            /* decode.ipv4.truncated */
	ANOM_IPV4_HLEN_SHORT,           /* decode.ipv4.hlen_short: IHL < 5 */
	ANOM_IPV4_HLEN_LONG,            /* decode.ipv4.hlen_long: IHL > wire bytes */
	ANOM_IPV4_TOTLEN_SHORT,         /* decode.ipv4.totlen_short: total < IHL */
	ANOM_IPV4_TOTLEN_LONG,          /* decode.ipv4.totlen_long: total > frame */
	ANOM_IPV4_CHECKSUM_BAD,         /* decode.ipv4.checksum_bad */
	ANOM_IPV4_OPT_BAD,              /* decode.ipv4.opt_bad */
	ANOM_IPV4_FRAGMENT,             /* decode.ipv4.fragment: first fragment */
	ANOM_IPV6_TRUNCATED,            /* decode.ipv6.truncated */
	ANOM_IPV6_PAYLEN_LONG,          /* decode.ipv6.paylen_long */
	ANOM_IPV6_EXT_TRUNCATED,        /* decode.ipv6.ext_truncated */
	ANOM_IPV6_EXT_TOO_MANY,         /* decode.ipv6.ext_too_many */
	ANOM_IPV6_FRAGMENT,             /* decode.ipv6.fragment: first fragment */
	ANOM_TCP_TRUNCATED,             /* decode.tcp.truncated: header cut */
	ANOM_TCP_HLEN_SHORT,            /* decode.tcp.hlen_short: offset < 5 */
	ANOM_TCP_HLEN_LONG,             /* decode.tcp.hlen_long: beyond IP payload */
	ANOM_TCP_CHECKSUM_BAD,          /* decode.tcp.checksum_bad */
	ANOM_TCP_SNAPLEN,               /* decode.tcp.snaplen: payload cut by snaplen */
	ANOM_TCP_OPT_LEN_BAD,           /* decode.tcp.opt.len_bad: len < 2 */
	ANOM_TCP_OPT_OVERRUN,           /* decode.tcp.opt.overrun */
	ANOM_TCP_OPT_DUPLICATE,         /* decode.tcp.opt.duplicate */
	ANOM_TCP_OPT_MSS_LEN,           /* decode.tcp.opt.mss_len */
	ANOM_TCP_OPT_WSCALE_LEN,        /* decode.tcp.opt.wscale_len */
	ANOM_TCP_OPT_WSCALE_LARGE,      /* decode.tcp.opt.wscale_large: > 14 */
	ANOM_TCP_OPT_SACKOK_LEN,        /* decode.tcp.opt.sackok_len */
	ANOM_TCP_OPT_SACK_LEN,          /* decode.tcp.opt.sack_len */
	ANOM_TCP_OPT_TS_LEN,            /* decode.tcp.opt.ts_len */
	ANOM_TCP_OPT_TFO_LEN,           /* decode.tcp.opt.tfo_len */
	ANOM_TCP_OPT_MPTCP_LEN,         /* decode.tcp.opt.mptcp_len */
	ANOM_TCP_OPT_MD5_LEN,           /* decode.tcp.opt.md5_len */
	ANOM_TCP_OPT_AO_LEN,            /* decode.tcp.opt.ao_len */
	ANOM_TCP_OPT_UTO_LEN,           /* decode.tcp.opt.uto_len */
	ANOM_IPV6_EXT_LONG,             /* decode.ipv6.ext_long: past payload */
	ANOM__COUNT
};

const char *decode_anomaly_name(enum decode_anomaly a);

/* TCP flag bits of the 12-bit field (RFC 9293 3.1, RFC 9768 for AE). */
enum tcp_flag {
	TCP_FIN = 0x001,
	TCP_SYN = 0x002,
	TCP_RST = 0x004,
	TCP_PSH = 0x008,
	TCP_ACK = 0x010,
	TCP_URG = 0x020,
	TCP_ECE = 0x040,
	TCP_CWR = 0x080,
	TCP_AE = 0x100,
};

/* Option kinds (IANA "TCP Option Kind Numbers"). */
enum tcp_opt_kind {
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,
	TCPOPT_WSCALE = 3,
	TCPOPT_SACKOK = 4,
	TCPOPT_SACK = 5,
	TCPOPT_TS = 8,
	TCPOPT_MD5 = 19,
	TCPOPT_UTO = 28,
	TCPOPT_AO = 29,
	TCPOPT_MPTCP = 30,
	TCPOPT_TFO = 34,
	TCPOPT_EXP = 254,           /* experimental; 0xF989 magic means TFO */
};

/* Bits of tcp_opts.present: one per option the summary below holds. */
enum tcp_opt_bit {
	TCPOPT_HAS_MSS = 1u << 0,
	TCPOPT_HAS_WSCALE = 1u << 1,
	TCPOPT_HAS_SACKOK = 1u << 2,
	TCPOPT_HAS_SACK = 1u << 3,
	TCPOPT_HAS_TS = 1u << 4,
	TCPOPT_HAS_TFO = 1u << 5,   /* kind 34, or 254 with magic 0xF989 */
	TCPOPT_HAS_MPTCP = 1u << 6,
	TCPOPT_HAS_MD5 = 1u << 7,
	TCPOPT_HAS_AO = 1u << 8,
	TCPOPT_HAS_UTO = 1u << 9,
	TCPOPT_HAS_EOL = 1u << 10,
	TCPOPT_HAS_UNKNOWN = 1u << 11,
};

#define TCP_OPT_MAX 40          /* 40 option bytes: at most 40 entries */
#define TCP_SACK_MAX 4          /* (40 - 2) / 8 */

/*
 * One option as it stood on the wire, in order. `len` is the length byte
 * (1 for EOL and NOP); `off` is its offset from the start of the TCP header.
 * `bad` is set when its length was wrong for its kind: the summary then does
 * not hold its value. Every listed option lies wholly inside the captured
 * bytes; one that ran past them (see decode.tcp.opt.overrun and
 * decode.tcp.truncated) ended the walk and is not listed.
 */
struct tcp_opt {
	uint8_t kind;
	uint8_t len;
	uint8_t off;
	uint8_t bad;
};

struct tcp_sack_block {
	uint32_t left;
	uint32_t right;
};

/*
 * Options parsed once into a summary. A value is meaningful only when its
 * TCPOPT_HAS_* bit is set; with duplicates the first one wins. Only the
 * first `count` entries of list[] and `sack_count` of sack[] are written:
 * the decoder does not spend a memset on the rest, so read no further.
 */
struct tcp_opts {
	uint32_t present;
	uint16_t mss;
	uint8_t wscale;             /* as sent (may exceed 14; see anomaly) */
	uint8_t sack_count;
	struct tcp_sack_block sack[TCP_SACK_MAX];
	uint32_t tsval;
	uint32_t tsecr;
	uint8_t tfo_cookie_len;     /* 0 = cookie request */
	uint8_t tfo_off;            /* cookie offset from the TCP header */
	uint8_t mptcp_subtype;      /* upper 4 bits of the first data byte */
	uint8_t ao_keyid;
	uint8_t ao_rnextkeyid;
	uint8_t uto_granularity;    /* 1 = minutes, 0 = seconds (RFC 5482) */
	uint16_t uto_timeout;       /* 15 bits */
	uint8_t count;              /* entries in list[] */
	struct tcp_opt list[TCP_OPT_MAX];
};

/* A checksum that was verified, found wrong, or could not be checked. */
enum decode_csum {
	CSUM_UNCHECKED = 0,         /* bytes missing (snaplen), or a fragment */
	CSUM_GOOD,
	CSUM_BAD,
};

#define DECODE_VLAN_MAX 4
#define DECODE_ANOM_MAX 8
#define DECODE_IPV6_EXT_MAX 8   /* longer chains are an anomaly */

struct ip_view {
	uint8_t version;            /* 4 or 6; 0 when no IP header */
	uint16_t hlen;              /* IPv4 IHL*4; IPv6: 40 + extension bytes */
	uint8_t tos;                /* IPv4 TOS / IPv6 traffic class */
	uint8_t ttl;                /* IPv4 TTL / IPv6 hop limit */
	uint8_t proto;              /* upper-layer protocol after extensions */
	uint8_t df, mf;             /* IPv4 flags; mf also from IPv6 fragment */
	uint8_t is_fragment;        /* any fragment (first or not) */
	uint8_t ext_count;          /* IPv6 extension headers walked */
	uint16_t id;                /* IPv4 identification */
	uint16_t frag_offset;       /* in bytes */
	/*
	 * IPv4 total length / IPv6 40 + payload length, as used to size the
	 * segment: a 0 (TSO, jumbogram) is replaced by the bytes on the wire
	 * and a value beyond the wire is clamped to it (see the *_long
	 * anomalies), so it can exceed 65535.
	 */
	uint32_t total_len;
	uint32_t flow_label;        /* IPv6, 20 bits */
	uint32_t frag_id;           /* IPv6 fragment identification */
	enum decode_csum csum;      /* IPv4 header checksum */
	uint8_t src[16];            /* IPv4 uses the first 4 bytes */
	uint8_t dst[16];
};

struct tcp_view {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hlen;               /* data offset * 4 */
	uint16_t flags;             /* 12-bit field, AE = 0x100 */
	uint16_t win;               /* raw, unscaled */
	uint16_t csum_value;        /* checksum field as sent */
	uint16_t urp;
	enum decode_csum csum;      /* over the pseudo-header (RFC 9293 3.1) */
	uint32_t payload_len;       /* from the IP lengths, never from caplen */
	uint32_t payload_caplen;    /* payload bytes actually captured */
	const uint8_t *payload;     /* payload_caplen bytes, in the frame */
	struct tcp_opts opts;
};

struct decoded_packet {
	const uint8_t *frame;
	uint32_t caplen, wirelen;
	int linktype;
	uint16_t l3_off;            /* offset of the IP header in the frame */
	uint16_t ethertype;         /* after VLAN tags (or SLL protocol) */
	uint8_t vlan_count;
	uint16_t vlan[DECODE_VLAN_MAX]; /* 12-bit ids, outermost first */
	uint8_t anom_count;
	uint8_t anom_dropped;       /* anomalies beyond DECODE_ANOM_MAX */
	uint8_t anom[DECODE_ANOM_MAX];
	struct ip_view ip;
	struct tcp_view tcp;        /* valid only when status is DECODE_TCP */
};

/*
 * Decodes one frame. Always fills `out` as far as it got (link and IP parts
 * are valid whenever ip.version != 0) and returns how far that was.
 */
enum decode_status decode_packet(const uint8_t *bytes, uint32_t caplen,
				 uint32_t wirelen, int linktype,
				 struct decoded_packet *out);

/* Short human name of a status ("not TCP", "truncated", ...). */
const char *decode_status_name(enum decode_status st);

/* True when the anomaly is recorded in the packet. */
bool decode_has_anomaly(const struct decoded_packet *p, enum decode_anomaly a);

#endif
