/*
 * Value-to-name tables for flow/'s enums, shared by every output so the
 * text report, the JSON and the dashboard spell things the same way. The
 * strings are the ones flow.h documents; out-of-range values get "?".
 */
#include "flow.h"

#define NAME_OF(table, v)                                                  \
	((unsigned)(v) < sizeof(table) / sizeof((table)[0]) && (table)[v]   \
		 ? (table)[v]                                               \
		 : "?")

static const char *const ep_state_names[EP__COUNT] = {
	[EP_UNKNOWN] = "UNKNOWN",
	[EP_SYN_SENT] = "SYN-SENT",
	[EP_SYN_RECEIVED] = "SYN-RECEIVED",
	[EP_ESTABLISHED] = "ESTABLISHED",
	[EP_FIN_WAIT_1] = "FIN-WAIT-1",
	[EP_FIN_WAIT_2] = "FIN-WAIT-2",
	[EP_CLOSE_WAIT] = "CLOSE-WAIT",
	[EP_CLOSING] = "CLOSING",
	[EP_LAST_ACK] = "LAST-ACK",
	[EP_TIME_WAIT] = "TIME-WAIT",
	[EP_CLOSED] = "CLOSED",
};

static const char *const side_names[] = {
	[SIDE_NONE] = "",
	[SIDE_ORIG] = "orig",
	[SIDE_RESP] = "resp",
};

static const char *const handshake_names[HS__COUNT] = {
	[HS_PENDING] = "pending",
	[HS_ESTABLISHED] = "established",
	[HS_REFUSED] = "refused",
	[HS_UNANSWERED] = "unanswered",
	[HS_SIMULTANEOUS] = "simultaneous_open",
	[HS_MIDSTREAM] = "midstream",
	[HS_ABORTED] = "aborted",
};

static const char *const close_names[CLOSE__COUNT] = {
	[CLOSE_OPEN] = "open",
	[CLOSE_FIN] = "fin",
	[CLOSE_HALF] = "half_close",
	[CLOSE_RST] = "rst",
	[CLOSE_IDLE] = "idle_timeout",
	[CLOSE_EVICTED] = "evicted",
	[CLOSE_NONE] = "none",
};

static const char *const zeek_names[ZK__COUNT] = {
	[ZK_S0] = "S0",
	[ZK_S1] = "S1",
	[ZK_SF] = "SF",
	[ZK_REJ] = "REJ",
	[ZK_S2] = "S2",
	[ZK_S3] = "S3",
	[ZK_RSTO] = "RSTO",
	[ZK_RSTR] = "RSTR",
	[ZK_RSTOS0] = "RSTOS0",
	[ZK_RSTRH] = "RSTRH",
	[ZK_SH] = "SH",
	[ZK_SHR] = "SHR",
	[ZK_OTH] = "OTH",
};

/* Wireshark's display-filter suffixes (tcp.analysis.<name>). */
static const char *const analysis_names[AN__COUNT] = {
	[AN_RETRANS] = "retransmission",
	[AN_FAST_RETRANS] = "fast_retransmission",
	[AN_SPURIOUS_RETRANS] = "spurious_retransmission",
	[AN_OUT_OF_ORDER] = "out_of_order",
	[AN_LOST_SEGMENT] = "lost_segment",
	[AN_ACK_UNSEEN] = "ack_lost_segment",
	[AN_DUP_ACK] = "duplicate_ack",
	[AN_ZERO_WINDOW] = "zero_window",
	[AN_ZERO_WINDOW_PROBE] = "zero_window_probe",
	[AN_ZERO_WINDOW_PROBE_ACK] = "zero_window_probe_ack",
	[AN_WINDOW_FULL] = "window_full",
	[AN_WINDOW_UPDATE] = "window_update",
	[AN_KEEP_ALIVE] = "keep_alive",
	[AN_KEEP_ALIVE_ACK] = "keep_alive_ack",
	[AN_CAPTURE_DUP] = "capture_duplicate",
};

static const char *const event_names[FLOW_EV__COUNT] = {
	[FLOW_EV_SYN] = "syn",
	[FLOW_EV_SYNACK] = "synack",
	[FLOW_EV_ESTABLISHED] = "established",
	[FLOW_EV_REFUSED] = "refused",
	[FLOW_EV_TIMEOUT] = "timeout",
	[FLOW_EV_FIN] = "fin",
	[FLOW_EV_RST] = "rst",
	[FLOW_EV_CLOSED] = "closed",
	[FLOW_EV_EVICTED] = "evicted",
};

const char *flow_ep_state_name(enum ep_state s)
{
	return NAME_OF(ep_state_names, s);
}

const char *flow_side_name(enum flow_side s)
{
	return NAME_OF(side_names, s);
}

const char *flow_handshake_name(enum handshake_outcome h)
{
	return NAME_OF(handshake_names, h);
}

const char *flow_close_name(enum close_kind c)
{
	return NAME_OF(close_names, c);
}

const char *flow_zeek_state_name(enum zeek_state z)
{
	return NAME_OF(zeek_names, z);
}

const char *flow_analysis_name(enum flow_analysis a)
{
	return NAME_OF(analysis_names, a);
}

const char *flow_event_name(enum flow_event_type t)
{
	return NAME_OF(event_names, t);
}
