/*
 * Value-to-name tables for anomalies and statuses. The names are an output
 * format (text, JSON, CSV, TUI all print them), so they never change once
 * released; new anomalies get new names.
 */
#include <stddef.h>

#include "decode_internal.h"

static const char *const anomaly_names[ANOM__COUNT] = {
	[ANOM_LINK_TRUNCATED] = "decode.link.truncated",
	[ANOM_VLAN_TOO_MANY] = "decode.vlan.too_many",
	[ANOM_NULL_FAMILY_UNKNOWN] = "decode.null.family_unknown",
	[ANOM_IP_VERSION_MISMATCH] = "decode.ip.version_mismatch",
	[ANOM_IPV4_TRUNCATED] = "decode.ipv4.truncated",
	[ANOM_IPV4_HLEN_SHORT] = "decode.ipv4.hlen_short",
	[ANOM_IPV4_HLEN_LONG] = "decode.ipv4.hlen_long",
	[ANOM_IPV4_TOTLEN_SHORT] = "decode.ipv4.totlen_short",
	[ANOM_IPV4_TOTLEN_LONG] = "decode.ipv4.totlen_long",
	[ANOM_IPV4_CHECKSUM_BAD] = "decode.ipv4.checksum_bad",
	[ANOM_IPV4_OPT_BAD] = "decode.ipv4.opt_bad",
	[ANOM_IPV4_FRAGMENT] = "decode.ipv4.fragment",
	[ANOM_IPV6_TRUNCATED] = "decode.ipv6.truncated",
	[ANOM_IPV6_PAYLEN_LONG] = "decode.ipv6.paylen_long",
	[ANOM_IPV6_EXT_TRUNCATED] = "decode.ipv6.ext_truncated",
	[ANOM_IPV6_EXT_TOO_MANY] = "decode.ipv6.ext_too_many",
	[ANOM_IPV6_FRAGMENT] = "decode.ipv6.fragment",
	[ANOM_TCP_TRUNCATED] = "decode.tcp.truncated",
	[ANOM_TCP_HLEN_SHORT] = "decode.tcp.hlen_short",
	[ANOM_TCP_HLEN_LONG] = "decode.tcp.hlen_long",
	[ANOM_TCP_CHECKSUM_BAD] = "decode.tcp.checksum_bad",
	[ANOM_TCP_SNAPLEN] = "decode.tcp.snaplen",
	[ANOM_TCP_OPT_LEN_BAD] = "decode.tcp.opt.len_bad",
	[ANOM_TCP_OPT_OVERRUN] = "decode.tcp.opt.overrun",
	[ANOM_TCP_OPT_DUPLICATE] = "decode.tcp.opt.duplicate",
	[ANOM_TCP_OPT_MSS_LEN] = "decode.tcp.opt.mss_len",
	[ANOM_TCP_OPT_WSCALE_LEN] = "decode.tcp.opt.wscale_len",
	[ANOM_TCP_OPT_WSCALE_LARGE] = "decode.tcp.opt.wscale_large",
	[ANOM_TCP_OPT_SACKOK_LEN] = "decode.tcp.opt.sackok_len",
	[ANOM_TCP_OPT_SACK_LEN] = "decode.tcp.opt.sack_len",
	[ANOM_TCP_OPT_TS_LEN] = "decode.tcp.opt.ts_len",
	[ANOM_TCP_OPT_TFO_LEN] = "decode.tcp.opt.tfo_len",
	[ANOM_TCP_OPT_MPTCP_LEN] = "decode.tcp.opt.mptcp_len",
	[ANOM_TCP_OPT_MD5_LEN] = "decode.tcp.opt.md5_len",
	[ANOM_TCP_OPT_AO_LEN] = "decode.tcp.opt.ao_len",
	[ANOM_TCP_OPT_UTO_LEN] = "decode.tcp.opt.uto_len",
	[ANOM_IPV6_EXT_LONG] = "decode.ipv6.ext_long",
};

static const char *const status_names[] = {
	[DECODE_TCP] = "TCP",
	[DECODE_NOT_IP] = "not IP",
	[DECODE_NOT_TCP] = "not TCP",
	[DECODE_FRAGMENT] = "fragment",
	[DECODE_TRUNCATED] = "truncated",
	[DECODE_MALFORMED] = "malformed",
	[DECODE_UNSUPPORTED_LINK] = "unsupported link",
};

const char *decode_anomaly_name(enum decode_anomaly a)
{
	if ((unsigned)a >= ANOM__COUNT || !anomaly_names[a])
		return "decode.unknown";
	return anomaly_names[a];
}

const char *decode_status_name(enum decode_status st)
{
	size_t n = sizeof(status_names) / sizeof(status_names[0]);

	if ((unsigned)st >= n || !status_names[st])
		return "unknown";
	return status_names[st];
}

bool decode_has_anomaly(const struct decoded_packet *p, enum decode_anomaly a)
{
	for (unsigned i = 0; i < p->anom_count && i < DECODE_ANOM_MAX; i++)
		if (p->anom[i] == a)
			return true;
	return false;
}

void decode_anom_add(struct decoded_packet *p, enum decode_anomaly a)
{
	if (decode_has_anomaly(p, a))
		return;
	if (p->anom_count < DECODE_ANOM_MAX)
		p->anom[p->anom_count++] = (uint8_t)a;
	else if (p->anom_dropped < UINT8_MAX)
		p->anom_dropped++;
}
