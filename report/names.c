#include "names.h"

#include <stdbool.h>

static const struct {
	uint16_t bit;
	char letter;
	const char *name;
} flag_table[] = {
	{ TCP_FIN, 'F', "FIN" }, { TCP_SYN, 'S', "SYN" },
	{ TCP_RST, 'R', "RST" }, { TCP_PSH, 'P', "PSH" },
	{ TCP_ACK, '.', "ACK" }, { TCP_URG, 'U', "URG" },
	{ TCP_ECE, 'E', "ECE" }, { TCP_CWR, 'W', "CWR" },
	{ TCP_AE, 'e', "AE" },
};

#define FLAG_COUNT (sizeof(flag_table) / sizeof(flag_table[0]))

void names_tcp_flags(struct outbuf *ob, uint16_t flags)
{
	bool first = true;

	for (size_t i = 0; i < FLAG_COUNT; i++) {
		if (!(flags & flag_table[i].bit))
			continue;
		if (!first)
			ob_putc(ob, ',');
		ob_puts(ob, flag_table[i].name);
		first = false;
	}
}

void names_tcp_flag_letters(struct outbuf *ob, uint16_t flags)
{
	if (!(flags & 0x1ff)) {
		ob_puts(ob, "none");
		return;
	}
	for (size_t i = 0; i < FLAG_COUNT; i++)
		if (flags & flag_table[i].bit)
			ob_putc(ob, flag_table[i].letter);
}

const char *names_tcp_option(uint8_t kind, const uint8_t *tcp_header,
			     const struct tcp_opt *opt)
{
	switch (kind) {
	case TCPOPT_EOL: return "eol";
	case TCPOPT_NOP: return "nop";
	case TCPOPT_MSS: return "mss";
	case TCPOPT_WSCALE: return "wscale";
	case TCPOPT_SACKOK: return "sackok";
	case TCPOPT_SACK: return "sack";
	case TCPOPT_TS: return "ts";
	case TCPOPT_MD5: return "md5";
	case TCPOPT_UTO: return "uto";
	case TCPOPT_AO: return "ao";
	case TCPOPT_MPTCP: return "mptcp";
	case TCPOPT_TFO: return "tfo";
	case 253: /* RFC 4727 experiment, no magic to tell it apart */
		return "exp";
	case TCPOPT_EXP:
		/* RFC 6994 shared experimental kind; 0xF989 is TFO's magic */
		if (tcp_header && opt && opt->len >= 4 &&
		    tcp_header[opt->off + 2] == 0xf9 &&
		    tcp_header[opt->off + 3] == 0x89)
			return "tfo";
		return "exp";
	default: return "unknown";
	}
}

const char *names_mptcp_subtype(uint8_t subtype)
{
	static const char *const names[] = {
		"mp_capable", "mp_join", "dss", "add_addr", "remove_addr",
		"mp_prio", "mp_fail", "mp_fastclose", "mp_tcprst",
	};
	if (subtype < sizeof(names) / sizeof(names[0]))
		return names[subtype];
	if (subtype == 0xf)
		return "mp_experimental";
	return "unknown";
}
