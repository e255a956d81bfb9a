/*
 * Per-packet lines: text in the shape of `tcpdump -n -S` (absolute
 * sequence numbers, since one line knows nothing of its connection) and
 * JSON lines whose keys are documented in docs/packets-json.md.
 */
#include <string.h>

#include "addr.h"
#include "names.h"
#include "outbuf.h"
#include "report.h"

#define LINE_MAX_BYTES 8192

static const uint8_t *tcp_header(const struct decoded_packet *p)
{
	return p->frame + p->l3_off + p->ip.hlen;
}

/*
 * Values are read from each option's own bytes, not from the parsed
 * summary, so a duplicated option shows what it carried. The decoder only
 * lists options that lie wholly inside the captured header, and only with
 * a length right for their kind unless marked bad.
 */
static uint32_t opt16(const uint8_t *h, const struct tcp_opt *o, unsigned at)
{
	const uint8_t *b = h + o->off + at;
	return (uint32_t)b[0] << 8 | b[1];
}

static uint32_t opt32(const uint8_t *h, const struct tcp_opt *o, unsigned at)
{
	return opt16(h, o, at) << 16 | opt16(h, o, at + 2);
}

static void put_addrs(const struct decoded_packet *p,
		      char src[ADDR_TEXT_MAX], char dst[ADDR_TEXT_MAX])
{
	addr_format(src, p->ip.version, p->ip.src);
	addr_format(dst, p->ip.version, p->ip.dst);
}

/*
 * HH:MM:SS.frac like tcpdump, which also takes the local offset from UTC
 * once at start-up and then does plain arithmetic per packet.
 */
static void put_clock(struct outbuf *ob, const struct frame_meta *m)
{
	int64_t day = (m->ts_sec + m->utc_offset) % 86400;
	char hms[8];

	if (day < 0)
		day += 86400;
	int h = (int)(day / 3600), mi = (int)(day / 60 % 60), se = (int)(day % 60);
	hms[0] = (char)('0' + h / 10);
	hms[1] = (char)('0' + h % 10);
	hms[2] = ':';
	hms[3] = (char)('0' + mi / 10);
	hms[4] = (char)('0' + mi % 10);
	hms[5] = ':';
	hms[6] = (char)('0' + se / 10);
	hms[7] = (char)('0' + se % 10);
	ob_putn(ob, hms, sizeof(hms));
	ob_putc(ob, '.');
	ob_frac(ob, m->ts_nsec, m->ts_digits);
}

/* SACK blocks as "{l:r}{l:r}" (text, as tcpdump) or "[l,r],[l,r]". */
static void put_sack(struct outbuf *ob, const uint8_t *h,
		     const struct tcp_opt *o, bool json)
{
	for (unsigned i = 2; i + 8 <= o->len; i += 8) {
		if (json && i > 2)
			ob_putc(ob, ',');
		ob_putc(ob, json ? '[' : '{');
		ob_u64(ob, opt32(h, o, i));
		ob_putc(ob, json ? ',' : ':');
		ob_u64(ob, opt32(h, o, i + 4));
		ob_putc(ob, json ? ']' : '}');
	}
}

/* Where an option's opaque data starts: after kind 254's 2-byte magic
 * (RFC 6994), else after kind and length. */
static size_t opt_data_off(const struct tcp_opt *o)
{
	return o->kind == TCPOPT_EXP && o->len >= 4 ? 4 : 2;
}

static bool is_tfo(const char *name)
{
	return strcmp(name, "tfo") == 0;
}

/* TFO (34, or 254 with its magic), experiments and unknown kinds: the raw
 * data, as tcpdump shows it. */
static void text_option_raw(struct outbuf *ob, const uint8_t *h,
			    const struct tcp_opt *o, const char *name)
{
	size_t skip = opt_data_off(o);

	if (is_tfo(name)) {
		ob_puts(ob, o->len <= skip ? " cookiereq" : " cookie ");
	} else {
		if (o->kind != TCPOPT_EXP) {
			ob_putc(ob, '-');
			ob_u64(ob, o->kind);
		}
		if (o->len > skip)
			ob_lit(ob, " 0x");
	}
	if (o->len > skip)
		ob_hex(ob, h + o->off + skip, o->len - skip);
}

static void text_option(struct outbuf *ob, const struct decoded_packet *p,
			const struct tcp_opt *o)
{
	const uint8_t *h = tcp_header(p);
	const char *name = names_tcp_option(o->kind, h, o);

	if (o->bad) {
		ob_puts(ob, name);
		if (strcmp(name, "unknown") == 0) { /* "unknown-48", as tcpdump */
			ob_putc(ob, '-');
			ob_u64(ob, o->kind);
		}
		ob_lit(ob, " [bad length ");
		ob_u64(ob, o->len);
		ob_putc(ob, ']');
		return;
	}
	switch (o->kind) {
	case TCPOPT_MSS:
		ob_lit(ob, "mss ");
		ob_u64(ob, opt16(h, o, 2));
		return;
	case TCPOPT_WSCALE:
		ob_lit(ob, "wscale ");
		ob_u64(ob, h[o->off + 2]);
		return;
	case TCPOPT_SACKOK:
		ob_lit(ob, "sackOK");
		return;
	case TCPOPT_SACK:
		ob_lit(ob, "sack ");
		ob_u64(ob, (uint64_t)(o->len - 2) / 8);
		ob_putc(ob, ' ');
		put_sack(ob, h, o, false);
		return;
	case TCPOPT_TS:
		ob_lit(ob, "TS val ");
		ob_u64(ob, opt32(h, o, 2));
		ob_lit(ob, " ecr ");
		ob_u64(ob, opt32(h, o, 6));
		return;
	}
	ob_puts(ob, name);
	switch (o->kind) {
	case TCPOPT_EOL:
	case TCPOPT_NOP:
	case TCPOPT_MD5:
		return;
	case TCPOPT_MPTCP:
		ob_putc(ob, ' ');
		ob_puts(ob, names_mptcp_subtype(h[o->off + 2] >> 4));
		return;
	case TCPOPT_UTO:
		ob_putc(ob, ' ');
		ob_u64(ob, opt16(h, o, 2) & 0x7fff);
		ob_puts(ob, (h[o->off + 2] & 0x80) ? "min" : "sec");
		return;
	case TCPOPT_AO:
		ob_lit(ob, " keyid ");
		ob_u64(ob, h[o->off + 2]);
		ob_lit(ob, " rnextkeyid ");
		ob_u64(ob, h[o->off + 3]);
		return;
	default:
		text_option_raw(ob, h, o, name);
	}
}

static void text_anomalies(struct outbuf *ob, const struct decoded_packet *p)
{
	if (!p->anom_count)
		return;
	ob_lit(ob, " [");
	for (unsigned i = 0; i < p->anom_count; i++) {
		if (i)
			ob_putc(ob, ',');
		ob_puts(ob, decode_anomaly_name(p->anom[i]));
	}
	ob_putc(ob, ']');
}

static void text_prefix(struct outbuf *ob, const struct frame_meta *m,
			const struct decoded_packet *p)
{
	if (m->show_frame) {
		/* tcpdump -# pads the number to five columns */
		char num[24];
		struct outbuf nb;
		ob_init(&nb, num, sizeof(num));
		ob_u64(&nb, m->frame);
		/* nb.len <= sizeof(num), said so for gcc's LTO, which
		 * otherwise warns of a read past num */
		size_t n = nb.len < sizeof(num) ? nb.len : sizeof(num);
		for (size_t i = n; i < 5; i++)
			ob_putc(ob, ' ');
		ob_putn(ob, num, n);
		ob_lit(ob, "  ");
	}
	put_clock(ob, m);
	if (p->vlan_count) {
		ob_lit(ob, " vlan ");
		for (unsigned i = 0; i < p->vlan_count; i++) {
			if (i)
				ob_putc(ob, ',');
			ob_u64(ob, p->vlan[i]);
		}
	}
	ob_puts(ob, p->ip.version == 6 ? " IP6 " : " IP ");
}

static void text_segment(struct outbuf *ob, const struct decoded_packet *p)
{
	const struct tcp_view *t = &p->tcp;
	char src[ADDR_TEXT_MAX], dst[ADDR_TEXT_MAX];

	put_addrs(p, src, dst);
	ob_puts(ob, src);
	ob_putc(ob, '.');
	ob_u64(ob, t->sport);
	ob_lit(ob, " > ");
	ob_puts(ob, dst);
	ob_putc(ob, '.');
	ob_u64(ob, t->dport);
	ob_lit(ob, ": Flags [");
	names_tcp_flag_letters(ob, t->flags);
	ob_putc(ob, ']');
	/* tcpdump prints seq only when it means something */
	if (t->payload_len || (t->flags & (TCP_SYN | TCP_FIN | TCP_RST))) {
		ob_lit(ob, ", seq ");
		ob_u64(ob, t->seq);
		if (t->payload_len) {
			ob_putc(ob, ':');
			ob_u64(ob, (uint32_t)(t->seq + t->payload_len));
		}
	}
	if (t->flags & TCP_ACK) {
		ob_lit(ob, ", ack ");
		ob_u64(ob, t->ack);
	}
	ob_lit(ob, ", win ");
	ob_u64(ob, t->win);
	if (t->flags & TCP_URG) {
		ob_lit(ob, ", urg ");
		ob_u64(ob, t->urp);
	}
	if (t->opts.count) {
		ob_lit(ob, ", options [");
		for (unsigned i = 0; i < t->opts.count; i++) {
			if (i)
				ob_putc(ob, ',');
			text_option(ob, p, &t->opts.list[i]);
		}
		ob_putc(ob, ']');
	}
	ob_lit(ob, ", length ");
	ob_u64(ob, t->payload_len);
}

static bool shown_as_broken_tcp(enum decode_status st,
				const struct decoded_packet *p)
{
	return p->ip.version && p->ip.proto == 6 &&
	       (st == DECODE_TRUNCATED || st == DECODE_MALFORMED ||
		st == DECODE_FRAGMENT);
}

static void text_broken(struct outbuf *ob, enum decode_status st,
			const struct decoded_packet *p)
{
	char src[ADDR_TEXT_MAX], dst[ADDR_TEXT_MAX];

	put_addrs(p, src, dst);
	ob_puts(ob, src);
	ob_lit(ob, " > ");
	ob_puts(ob, dst);
	if (st == DECODE_FRAGMENT) {
		ob_lit(ob, ": tcp fragment id ");
		ob_u64(ob, p->ip.version == 6 ? p->ip.frag_id : p->ip.id);
		ob_lit(ob, " offset ");
		ob_u64(ob, p->ip.frag_offset);
		return;
	}
	ob_lit(ob, ": tcp ");
	ob_puts(ob, decode_status_name(st));
}

static void json_option_raw(struct outbuf *ob, const uint8_t *h,
			    const struct tcp_opt *o, const char *name)
{
	size_t skip = opt_data_off(o);

	if (!is_tfo(name)) {
		ob_lit(ob, ",\"len\":");
		ob_u64(ob, o->len);
	} else if (o->len <= skip) {
		ob_lit(ob, ",\"cookie_request\":true");
	} else {
		ob_lit(ob, ",\"cookie\":\"");
		ob_hex(ob, h + o->off + skip, o->len - skip);
		ob_putc(ob, '"');
	}
}

static void json_option(struct outbuf *ob, const struct decoded_packet *p,
			const struct tcp_opt *o)
{
	const uint8_t *h = tcp_header(p);
	const char *name = names_tcp_option(o->kind, h, o);

	ob_lit(ob, "{\"kind\":");
	ob_u64(ob, o->kind);
	ob_lit(ob, ",\"name\":\"");
	ob_puts(ob, name);
	ob_putc(ob, '"');
	if (o->bad) {
		ob_lit(ob, ",\"len\":");
		ob_u64(ob, o->len);
		ob_lit(ob, ",\"bad\":true}");
		return;
	}
	switch (o->kind) {
	case TCPOPT_MSS:
		ob_lit(ob, ",\"mss\":");
		ob_u64(ob, opt16(h, o, 2));
		break;
	case TCPOPT_WSCALE:
		ob_lit(ob, ",\"wscale\":");
		ob_u64(ob, h[o->off + 2]);
		break;
	case TCPOPT_SACK:
		ob_lit(ob, ",\"sack\":[");
		put_sack(ob, h, o, true);
		ob_putc(ob, ']');
		break;
	case TCPOPT_TS:
		ob_lit(ob, ",\"tsval\":");
		ob_u64(ob, opt32(h, o, 2));
		ob_lit(ob, ",\"tsecr\":");
		ob_u64(ob, opt32(h, o, 6));
		break;
	case TCPOPT_MPTCP:
		ob_lit(ob, ",\"subtype\":");
		ob_u64(ob, h[o->off + 2] >> 4);
		ob_lit(ob, ",\"subtype_name\":\"");
		ob_puts(ob, names_mptcp_subtype(h[o->off + 2] >> 4));
		ob_putc(ob, '"');
		break;
	case TCPOPT_UTO:
		ob_lit(ob, ",\"granularity\":\"");
		ob_puts(ob, (h[o->off + 2] & 0x80) ? "min\"" : "sec\"");
		ob_lit(ob, ",\"timeout\":");
		ob_u64(ob, opt16(h, o, 2) & 0x7fff);
		break;
	case TCPOPT_AO:
		ob_lit(ob, ",\"keyid\":");
		ob_u64(ob, h[o->off + 2]);
		ob_lit(ob, ",\"rnextkeyid\":");
		ob_u64(ob, h[o->off + 3]);
		break;
	case TCPOPT_EOL:
	case TCPOPT_NOP:
	case TCPOPT_SACKOK:
	case TCPOPT_MD5:
		break;
	default:
		json_option_raw(ob, h, o, name);
	}
	ob_putc(ob, '}');
}

static void json_ip(struct outbuf *ob, const struct decoded_packet *p)
{
	char src[ADDR_TEXT_MAX], dst[ADDR_TEXT_MAX];

	put_addrs(p, src, dst);
	ob_lit(ob, ",\"src\":\"");
	ob_puts(ob, src);
	ob_lit(ob, "\",\"dst\":\"");
	ob_puts(ob, dst);
	ob_lit(ob, "\",\"ip_version\":");
	ob_u64(ob, p->ip.version);
	ob_lit(ob, ",\"ttl\":");
	ob_u64(ob, p->ip.ttl);
	ob_lit(ob, ",\"tos\":");
	ob_u64(ob, p->ip.tos);
	if (p->ip.version == 4) {
		ob_lit(ob, ",\"ip_id\":");
		ob_u64(ob, p->ip.id);
		ob_puts(ob, p->ip.df ? ",\"df\":true" : ",\"df\":false");
	} else {
		ob_lit(ob, ",\"flow_label\":");
		ob_u64(ob, p->ip.flow_label);
	}
	if (p->vlan_count) {
		ob_lit(ob, ",\"vlan\":[");
		for (unsigned i = 0; i < p->vlan_count; i++) {
			if (i)
				ob_putc(ob, ',');
			ob_u64(ob, p->vlan[i]);
		}
		ob_putc(ob, ']');
	}
}

static void json_tcp(struct outbuf *ob, const struct decoded_packet *p)
{
	static const char *const csum[] = { "unchecked", "good", "bad" };
	const struct tcp_view *t = &p->tcp;

	ob_lit(ob, ",\"sport\":");
	ob_u64(ob, t->sport);
	ob_lit(ob, ",\"dport\":");
	ob_u64(ob, t->dport);
	ob_lit(ob, ",\"seq\":");
	ob_u64(ob, t->seq);
	ob_lit(ob, ",\"ack\":");
	ob_u64(ob, t->ack);
	ob_lit(ob, ",\"tcp_flags\":");
	ob_u64(ob, t->flags);
	ob_lit(ob, ",\"flags\":\"");
	names_tcp_flags(ob, t->flags);
	ob_lit(ob, "\",\"win\":");
	ob_u64(ob, t->win);
	ob_lit(ob, ",\"hlen\":");
	ob_u64(ob, t->hlen);
	ob_lit(ob, ",\"len\":");
	ob_u64(ob, t->payload_len);
	if (t->flags & TCP_URG) {
		ob_lit(ob, ",\"urp\":");
		ob_u64(ob, t->urp);
	}
	ob_lit(ob, ",\"checksum\":\"");
	ob_puts(ob, csum[t->csum <= CSUM_BAD ? t->csum : 0]);
	ob_lit(ob, "\",\"options\":[");
	for (unsigned i = 0; i < t->opts.count; i++) {
		if (i)
			ob_putc(ob, ',');
		json_option(ob, p, &t->opts.list[i]);
	}
	ob_putc(ob, ']');
}

static void json_anomalies(struct outbuf *ob, const struct decoded_packet *p)
{
	if (!p->anom_count)
		return;
	ob_lit(ob, ",\"anomalies\":[");
	for (unsigned i = 0; i < p->anom_count; i++) {
		if (i)
			ob_putc(ob, ',');
		ob_json_str(ob, decode_anomaly_name(p->anom[i]));
	}
	ob_putc(ob, ']');
}

static void json_line(struct outbuf *ob, const struct frame_meta *m,
		      enum decode_status st, const struct decoded_packet *p)
{
	ob_lit(ob, "{\"frame\":");
	ob_u64(ob, m->frame);
	ob_lit(ob, ",\"ts\":");
	ob_i64(ob, m->ts_sec);
	ob_putc(ob, '.');
	ob_frac(ob, m->ts_nsec, m->ts_digits);
	json_ip(ob, p);
	if (st == DECODE_TCP) {
		json_tcp(ob, p);
	} else {
		ob_lit(ob, ",\"error\":\"");
		ob_puts(ob, decode_status_name(st));
		ob_putc(ob, '"');
	}
	json_anomalies(ob, p);
	ob_putc(ob, '}');
}

int report_packet(FILE *out, enum report_packet_format fmt,
		  const struct frame_meta *m, enum decode_status st,
		  const struct decoded_packet *p)
{
	char buf[LINE_MAX_BYTES];
	struct outbuf ob;

	if (st != DECODE_TCP && !shown_as_broken_tcp(st, p))
		return 0;
	ob_init(&ob, buf, sizeof(buf) - 1);
	if (fmt == REPORT_PACKETS_JSON) {
		/* a JSON record is a TCP segment, or one that failed to
		 * decode; IP fragments hold no segment of their own */
		if (st == DECODE_FRAGMENT)
			return 0;
		json_line(&ob, m, st, p);
	} else {
		text_prefix(&ob, m, p);
		if (st == DECODE_TCP)
			text_segment(&ob, p);
		else
			text_broken(&ob, st, p);
		text_anomalies(&ob, p);
	}
	buf[ob.len++] = '\n';
	if (fwrite(buf, 1, ob.len, out) != ob.len)
		return -1;
	return 1;
}
