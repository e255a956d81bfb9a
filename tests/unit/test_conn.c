/* Unit tests for report/conn.c and report/conn_zeek.c: connection records
 * as JSON lines, CSV and Zeek's TSV conn.log, from records built by hand. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "flow.h"

#define T0 INT64_C(1700000000123456789) /* 2023-11-14 22:13:20.123456789 */

static const struct conn_output_opts opts = { .uid_salt = 42 };

static void no_options(struct conn_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mss = -1;
	o->wscale = -1;
}

static void linux_syn_options(struct conn_opts *o)
{
	no_options(o);
	o->mss = 1460;
	o->wscale = 7;
	o->sack_ok = true;
	o->ts = true;
}

/* 192.0.2.1:40000 > 192.0.2.2:80: handshake, a request, a reply, FINs
 * from the client first; one retransmission each way, two dup ACKs. */
static void normal_v4(struct conn_record *c)
{
	memset(c, 0, sizeof(*c));
	c->id = 1;
	c->ip_version = 4;
	memcpy(c->orig_addr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(c->resp_addr, (uint8_t[]){ 192, 0, 2, 2 }, 4);
	c->orig_port = 40000;
	c->resp_port = 80;
	c->first_ns = T0;
	c->last_ns = T0 + 12228000;
	c->syn_ns = T0;
	c->synack_ns = T0 + 300000;
	c->ack_ns = T0 + 345000;
	c->irtt_ns = 345000;
	c->syn_synack_ns = 300000;
	c->synack_ack_ns = 45000;
	c->handshake = HS_ESTABLISHED;
	c->close = CLOSE_FIN;
	c->active_closer = SIDE_ORIG;
	c->fins_acked = true;
	c->time_wait = SIDE_ORIG;
	c->conn_state = ZK_SF;
	strcpy(c->history, "ShADadFf");
	c->orig = (struct conn_dir){
		.pkts = 5, .bytes = 100, .ip_bytes = 360, .isn = 1000,
		.isn_seen = true, .win_min = 64240, .win_max = 64256,
		.state = EP_TIME_WAIT,
	};
	c->resp = (struct conn_dir){
		.pkts = 5, .bytes = 200, .ip_bytes = 460, .isn = 5000,
		.isn_seen = true, .win_min = 65160, .win_max = 65535,
		.zero_win_ns = 1500000, .state = EP_CLOSED,
	};
	c->orig.analysis[AN_RETRANS] = 1;
	c->resp.analysis[AN_RETRANS] = 1;
	c->resp.analysis[AN_DUP_ACK] = 2;
	linux_syn_options(&c->orig.opts);
	linux_syn_options(&c->resp.opts);
	c->resp.opts.ecn = true;
}

/* SYN answered by RST+ACK 200 us later. */
static void refused_v4(struct conn_record *c)
{
	memset(c, 0, sizeof(*c));
	c->id = 2;
	c->ip_version = 4;
	memcpy(c->orig_addr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(c->resp_addr, (uint8_t[]){ 192, 0, 2, 2 }, 4);
	c->orig_port = 40001;
	c->resp_port = 81;
	c->first_ns = T0;
	c->last_ns = T0 + 200000;
	c->syn_ns = T0;
	c->synack_ns = -1;
	c->ack_ns = -1;
	c->irtt_ns = -1;
	c->syn_synack_ns = -1;
	c->synack_ack_ns = -1;
	c->handshake = HS_REFUSED;
	c->close = CLOSE_NONE;
	c->rst_by = SIDE_RESP;
	c->rst_in_window = true;
	c->conn_state = ZK_REJ;
	strcpy(c->history, "Sr");
	c->orig = (struct conn_dir){ .pkts = 1, .ip_bytes = 60,
		.win_min = 64240, .win_max = 64240, .state = EP_CLOSED };
	c->resp = (struct conn_dir){ .pkts = 1, .ip_bytes = 40,
		.state = EP_CLOSED };
	linux_syn_options(&c->orig.opts);
	no_options(&c->resp.opts);
}

/* [2001:db8::1]:39680 > [2001:db8::2]:80, handshake only, still open. */
static void handshake_v6(struct conn_record *c)
{
	memset(c, 0, sizeof(*c));
	c->id = 3;
	c->ip_version = 6;
	memcpy(c->orig_addr, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	       16);
	memcpy(c->resp_addr, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	       16);
	c->orig_port = 39680;
	c->resp_port = 80;
	c->first_ns = T0;
	c->last_ns = T0 + 1000;
	c->syn_ns = T0;
	c->synack_ns = T0 + 600;
	c->ack_ns = T0 + 1000;
	c->irtt_ns = 1000;
	c->syn_synack_ns = 600;
	c->synack_ack_ns = 400;
	c->handshake = HS_ESTABLISHED;
	c->close = CLOSE_OPEN;
	c->conn_state = ZK_S1;
	strcpy(c->history, "ShA");
	c->orig = (struct conn_dir){ .pkts = 2, .ip_bytes = 152,
		.win_min = 64800, .win_max = 64800,
		.state = EP_ESTABLISHED };
	c->resp = (struct conn_dir){ .pkts = 1, .ip_bytes = 80,
		.win_min = 64260, .win_max = 64260,
		.state = EP_ESTABLISHED };
	linux_syn_options(&c->orig.opts);
	c->orig.opts.wscale = 10;
	c->orig.opts.mss = 1440;
	linux_syn_options(&c->resp.opts);
}

/* One bare SYN on QinQ VLANs 100 (outer) and 200 (inner). */
static void syn_only_vlan(struct conn_record *c)
{
	memset(c, 0, sizeof(*c));
	c->id = 4;
	c->ip_version = 4;
	memcpy(c->orig_addr, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(c->resp_addr, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	c->orig_port = 5555;
	c->resp_port = 443;
	c->vlan_count = 2;
	c->vlan[0] = 100;
	c->vlan[1] = 200;
	c->first_ns = T0;
	c->last_ns = T0;
	c->syn_ns = T0;
	c->synack_ns = c->ack_ns = -1;
	c->irtt_ns = c->syn_synack_ns = c->synack_ack_ns = -1;
	c->handshake = HS_UNANSWERED;
	c->close = CLOSE_NONE;
	c->conn_state = ZK_S0;
	strcpy(c->history, "S");
	c->orig = (struct conn_dir){ .pkts = 1, .ip_bytes = 60,
		.win_min = 1024, .win_max = 1024, .state = EP_SYN_SENT };
	c->resp.state = EP_UNKNOWN;
	no_options(&c->orig.opts);
	c->orig.opts.mss = 1460;
	no_options(&c->resp.opts);
}

/* Every flag name of flow_analysis_name(), all zero. */
#define AN_ZERO \
	"{\"retransmission\":0,\"fast_retransmission\":0," \
	"\"spurious_retransmission\":0,\"out_of_order\":0," \
	"\"lost_segment\":0,\"ack_lost_segment\":0,\"duplicate_ack\":0," \
	"\"zero_window\":0,\"zero_window_probe\":0," \
	"\"zero_window_probe_ack\":0,\"window_full\":0," \
	"\"window_update\":0,\"keep_alive\":0,\"keep_alive_ack\":0," \
	"\"capture_duplicate\":0}"

static const char csv_header[] =
	"ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,duration,"
	"orig_bytes,resp_bytes,conn_state,missed_bytes,history,"
	"orig_pkts,orig_ip_bytes,resp_pkts,resp_ip_bytes,handshake,"
	"close,irtt,syn_synack_rtt,synack_ack_rtt,syn_retrans,"
	"synack_retrans,orig_state,resp_state,active_closer,rst_by,"
	"rst_in_window,time_wait,reused,reused_time_wait,"
	"orientation_guessed,vlan,analysis.orig.retransmission,"
	"analysis.orig.fast_retransmission,"
	"analysis.orig.spurious_retransmission,"
	"analysis.orig.out_of_order,analysis.orig.lost_segment,"
	"analysis.orig.ack_lost_segment,analysis.orig.duplicate_ack,"
	"analysis.orig.zero_window,analysis.orig.zero_window_probe,"
	"analysis.orig.zero_window_probe_ack,analysis.orig.window_full,"
	"analysis.orig.window_update,analysis.orig.keep_alive,"
	"analysis.orig.keep_alive_ack,analysis.orig.capture_duplicate,"
	"analysis.resp.retransmission,"
	"analysis.resp.fast_retransmission,"
	"analysis.resp.spurious_retransmission,"
	"analysis.resp.out_of_order,analysis.resp.lost_segment,"
	"analysis.resp.ack_lost_segment,analysis.resp.duplicate_ack,"
	"analysis.resp.zero_window,analysis.resp.zero_window_probe,"
	"analysis.resp.zero_window_probe_ack,analysis.resp.window_full,"
	"analysis.resp.window_update,analysis.resp.keep_alive,"
	"analysis.resp.keep_alive_ack,analysis.resp.capture_duplicate,"
	"options.orig.mss,options.orig.wscale,options.orig.sack,"
	"options.orig.ts,options.orig.ecn,options.orig.tfo,"
	"options.orig.mptcp,options.resp.mss,options.resp.wscale,"
	"options.resp.sack,options.resp.ts,options.resp.ecn,"
	"options.resp.tfo,options.resp.mptcp,windows.orig.min,"
	"windows.orig.max,windows.orig.zero_time,windows.resp.min,"
	"windows.resp.max,windows.resp.zero_time,community_id\n";

static const struct {
	const char *what;
	void (*build)(struct conn_record *c);
	enum conn_format fmt;
	const char *want;
} line_cases[] = {
	{ "json normal", normal_v4, CONN_FORMAT_JSON,
	  "{\"ts\":1700000000.123456,\"uid\":\"CPMuFU3l3WIG\","
	  "\"id.orig_h\":\"192.0.2.1\",\"id.orig_p\":40000,"
	  "\"id.resp_h\":\"192.0.2.2\",\"id.resp_p\":80,"
	  "\"proto\":\"tcp\",\"duration\":0.012228,\"orig_bytes\":100,"
	  "\"resp_bytes\":200,\"conn_state\":\"SF\",\"missed_bytes\":0,"
	  "\"history\":\"ShADadFf\",\"orig_pkts\":5,"
	  "\"orig_ip_bytes\":360,\"resp_pkts\":5,\"resp_ip_bytes\":460,"
	  "\"handshake\":\"established\",\"close\":\"fin\","
	  "\"irtt\":0.000345,\"syn_synack_rtt\":0.000300,"
	  "\"synack_ack_rtt\":0.000045,\"syn_retrans\":0,"
	  "\"synack_retrans\":0,\"orig_state\":\"TIME-WAIT\","
	  "\"resp_state\":\"CLOSED\",\"active_closer\":\"orig\","
	  "\"rst_by\":null,\"rst_in_window\":null,\"time_wait\":\"orig\","
	  "\"reused\":false,\"reused_time_wait\":false,"
	  "\"orientation_guessed\":false,"
	  "\"analysis\":{\"orig\":{\"retransmission\":1,"
	  "\"fast_retransmission\":0,\"spurious_retransmission\":0,"
	  "\"out_of_order\":0,\"lost_segment\":0,\"ack_lost_segment\":0,"
	  "\"duplicate_ack\":0,\"zero_window\":0,\"zero_window_probe\":0,"
	  "\"zero_window_probe_ack\":0,\"window_full\":0,"
	  "\"window_update\":0,\"keep_alive\":0,\"keep_alive_ack\":0,"
	  "\"capture_duplicate\":0},\"resp\":{\"retransmission\":1,"
	  "\"fast_retransmission\":0,\"spurious_retransmission\":0,"
	  "\"out_of_order\":0,\"lost_segment\":0,\"ack_lost_segment\":0,"
	  "\"duplicate_ack\":2,\"zero_window\":0,\"zero_window_probe\":0,"
	  "\"zero_window_probe_ack\":0,\"window_full\":0,"
	  "\"window_update\":0,\"keep_alive\":0,\"keep_alive_ack\":0,"
	  "\"capture_duplicate\":0}},\"options\":{\"orig\":{\"mss\":1460,"
	  "\"wscale\":7,\"sack\":true,\"ts\":true,\"ecn\":false,"
	  "\"tfo\":false,\"mptcp\":false},\"resp\":{\"mss\":1460,"
	  "\"wscale\":7,\"sack\":true,\"ts\":true,\"ecn\":true,"
	  "\"tfo\":false,\"mptcp\":false}},"
	  "\"windows\":{\"orig\":{\"min\":64240,\"max\":64256,"
	  "\"zero_time\":0.000000},\"resp\":{\"min\":65160,\"max\":65535,"
	  "\"zero_time\":0.001500}},"
	  "\"community_id\":\"1:G+HkHCrmxWLQgwEnSytJ6z6uCFc=\"}\n" },
	{ "json refused", refused_v4, CONN_FORMAT_JSON,
	  "{\"ts\":1700000000.123456,\"uid\":\"CxuaJmYYEuV3\","
	  "\"id.orig_h\":\"192.0.2.1\",\"id.orig_p\":40001,"
	  "\"id.resp_h\":\"192.0.2.2\",\"id.resp_p\":81,"
	  "\"proto\":\"tcp\",\"duration\":0.000200,\"orig_bytes\":0,"
	  "\"resp_bytes\":0,\"conn_state\":\"REJ\",\"missed_bytes\":0,"
	  "\"history\":\"Sr\",\"orig_pkts\":1,\"orig_ip_bytes\":60,"
	  "\"resp_pkts\":1,\"resp_ip_bytes\":40,"
	  "\"handshake\":\"refused\",\"close\":\"none\",\"irtt\":null,"
	  "\"syn_synack_rtt\":null,\"synack_ack_rtt\":null,"
	  "\"syn_retrans\":0,\"synack_retrans\":0,"
	  "\"orig_state\":\"CLOSED\",\"resp_state\":\"CLOSED\","
	  "\"active_closer\":null,\"rst_by\":\"resp\","
	  "\"rst_in_window\":true,\"time_wait\":null,\"reused\":false,"
	  "\"reused_time_wait\":false,\"orientation_guessed\":false,"
	  "\"analysis\":{\"orig\":"
	  AN_ZERO
	  ",\"resp\":"
	  AN_ZERO
	  "},\"options\":{\"orig\":{\"mss\":1460,\"wscale\":7,"
	  "\"sack\":true,\"ts\":true,\"ecn\":false,\"tfo\":false,"
	  "\"mptcp\":false},\"resp\":{\"mss\":null,\"wscale\":null,"
	  "\"sack\":false,\"ts\":false,\"ecn\":false,\"tfo\":false,"
	  "\"mptcp\":false}},\"windows\":{\"orig\":{\"min\":64240,"
	  "\"max\":64240,\"zero_time\":0.000000},\"resp\":{\"min\":0,"
	  "\"max\":0,\"zero_time\":0.000000}},"
	  "\"community_id\":\"1:qgZ8WmeIX9Hro/FDwC3VojElSA0=\"}\n" },
	{ "json v6", handshake_v6, CONN_FORMAT_JSON,
	  "{\"ts\":1700000000.123456,\"uid\":\"CsUg2MPOyd76\","
	  "\"id.orig_h\":\"2001:db8::1\",\"id.orig_p\":39680,"
	  "\"id.resp_h\":\"2001:db8::2\",\"id.resp_p\":80,"
	  "\"proto\":\"tcp\",\"duration\":0.000001,\"orig_bytes\":0,"
	  "\"resp_bytes\":0,\"conn_state\":\"S1\",\"missed_bytes\":0,"
	  "\"history\":\"ShA\",\"orig_pkts\":2,\"orig_ip_bytes\":152,"
	  "\"resp_pkts\":1,\"resp_ip_bytes\":80,"
	  "\"handshake\":\"established\",\"close\":\"open\","
	  "\"irtt\":0.000001,\"syn_synack_rtt\":0.000000,"
	  "\"synack_ack_rtt\":0.000000,\"syn_retrans\":0,"
	  "\"synack_retrans\":0,\"orig_state\":\"ESTABLISHED\","
	  "\"resp_state\":\"ESTABLISHED\",\"active_closer\":null,"
	  "\"rst_by\":null,\"rst_in_window\":null,\"time_wait\":null,"
	  "\"reused\":false,\"reused_time_wait\":false,"
	  "\"orientation_guessed\":false,\"analysis\":{\"orig\":"
	  AN_ZERO
	  ",\"resp\":"
	  AN_ZERO
	  "},\"options\":{\"orig\":{\"mss\":1440,\"wscale\":10,"
	  "\"sack\":true,\"ts\":true,\"ecn\":false,\"tfo\":false,"
	  "\"mptcp\":false},\"resp\":{\"mss\":1460,\"wscale\":7,"
	  "\"sack\":true,\"ts\":true,\"ecn\":false,\"tfo\":false,"
	  "\"mptcp\":false}},\"windows\":{\"orig\":{\"min\":64800,"
	  "\"max\":64800,\"zero_time\":0.000000},\"resp\":{\"min\":64260,"
	  "\"max\":64260,\"zero_time\":0.000000}},"
	  "\"community_id\":\"1:tD2wLNx7dHOG6OM2Ap4J0Wsxayo=\"}\n" },
	{ "json vlan", syn_only_vlan, CONN_FORMAT_JSON,
	  "{\"ts\":1700000000.123456,\"uid\":\"CiywVhMSO1Z7\","
	  "\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":5555,"
	  "\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":443,"
	  "\"proto\":\"tcp\",\"duration\":0.000000,\"orig_bytes\":0,"
	  "\"resp_bytes\":0,\"conn_state\":\"S0\",\"missed_bytes\":0,"
	  "\"history\":\"S\",\"orig_pkts\":1,\"orig_ip_bytes\":60,"
	  "\"resp_pkts\":0,\"resp_ip_bytes\":0,"
	  "\"handshake\":\"unanswered\",\"close\":\"none\",\"irtt\":null,"
	  "\"syn_synack_rtt\":null,\"synack_ack_rtt\":null,"
	  "\"syn_retrans\":0,\"synack_retrans\":0,"
	  "\"orig_state\":\"SYN-SENT\",\"resp_state\":\"UNKNOWN\","
	  "\"active_closer\":null,\"rst_by\":null,\"rst_in_window\":null,"
	  "\"time_wait\":null,\"reused\":false,"
	  "\"reused_time_wait\":false,\"orientation_guessed\":false,"
	  "\"vlan\":[100,200],\"analysis\":{\"orig\":"
	  AN_ZERO
	  ",\"resp\":"
	  AN_ZERO
	  "},\"options\":{\"orig\":{\"mss\":1460,\"wscale\":null,"
	  "\"sack\":false,\"ts\":false,\"ecn\":false,\"tfo\":false,"
	  "\"mptcp\":false},\"resp\":{\"mss\":null,\"wscale\":null,"
	  "\"sack\":false,\"ts\":false,\"ecn\":false,\"tfo\":false,"
	  "\"mptcp\":false}},\"windows\":{\"orig\":{\"min\":1024,"
	  "\"max\":1024,\"zero_time\":0.000000},\"resp\":{\"min\":null,"
	  "\"max\":null,\"zero_time\":0.000000}},"
	  "\"community_id\":\"1:iM7BTzU48+TxuORPwdlxL+zGsMM=\"}\n" },
	{ "csv normal", normal_v4, CONN_FORMAT_CSV,
	  "1700000000.123456,CPMuFU3l3WIG,192.0.2.1,40000,192.0.2.2,80,"
	  "tcp,0.012228,100,200,SF,0,ShADadFf,5,360,5,460,established,"
	  "fin,0.000345,0.000300,0.000045,0,0,TIME-WAIT,CLOSED,orig,,,"
	  "orig,false,false,false,,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,"
	  "0,0,2,0,0,0,0,0,0,0,0,1460,7,true,true,false,false,false,1460,"
	  "7,true,true,true,false,false,64240,64256,0.000000,65160,65535,"
	  "0.001500,1:G+HkHCrmxWLQgwEnSytJ6z6uCFc=\n" },
	{ "csv refused", refused_v4, CONN_FORMAT_CSV,
	  "1700000000.123456,CxuaJmYYEuV3,192.0.2.1,40001,192.0.2.2,81,"
	  "tcp,0.000200,0,0,REJ,0,Sr,1,60,1,40,refused,none,,,,0,0,"
	  "CLOSED,CLOSED,,resp,true,,false,false,false,,0,0,0,0,0,0,0,0,"
	  "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1460,7,true,true,"
	  "false,false,false,,,false,false,false,false,false,64240,64240,"
	  "0.000000,0,0,0.000000,1:qgZ8WmeIX9Hro/FDwC3VojElSA0=\n" },
	{ "csv v6", handshake_v6, CONN_FORMAT_CSV,
	  "1700000000.123456,CsUg2MPOyd76,2001:db8::1,39680,2001:db8::2,"
	  "80,tcp,0.000001,0,0,S1,0,ShA,2,152,1,80,established,open,"
	  "0.000001,0.000000,0.000000,0,0,ESTABLISHED,ESTABLISHED,,,,,"
	  "false,false,false,,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
	  "0,0,0,0,0,0,0,0,0,1440,10,true,true,false,false,false,1460,7,"
	  "true,true,false,false,false,64800,64800,0.000000,64260,64260,"
	  "0.000000,1:tD2wLNx7dHOG6OM2Ap4J0Wsxayo=\n" },
	{ "csv vlan", syn_only_vlan, CONN_FORMAT_CSV,
	  "1700000000.123456,CiywVhMSO1Z7,10.0.0.1,5555,10.0.0.2,443,tcp,"
	  "0.000000,0,0,S0,0,S,1,60,0,0,unanswered,none,,,,0,0,SYN-SENT,"
	  "UNKNOWN,,,,,false,false,false,\"100,200\",0,0,0,0,0,0,0,0,0,0,"
	  "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1460,,false,false,"
	  "false,false,false,,,false,false,false,false,false,1024,1024,"
	  "0.000000,,,0.000000,1:iM7BTzU48+TxuORPwdlxL+zGsMM=\n" },
	{ "zeek normal", normal_v4, CONN_FORMAT_ZEEK,
	  "1700000000.123456\tCPMuFU3l3WIG\t192.0.2.1\t40000\t192.0.2.2\t"
	  "80\ttcp\t-\t0.012228\t100\t200\tSF\t-\t-\t0\tShADadFf\t5\t"
	  "360\t5\t460\t-\n" },
	{ "zeek refused", refused_v4, CONN_FORMAT_ZEEK,
	  "1700000000.123456\tCxuaJmYYEuV3\t192.0.2.1\t40001\t192.0.2.2\t"
	  "81\ttcp\t-\t0.000200\t0\t0\tREJ\t-\t-\t0\tSr\t1\t60\t1\t40\t"
	  "-\n" },
	{ "zeek v6", handshake_v6, CONN_FORMAT_ZEEK,
	  "1700000000.123456\tCsUg2MPOyd76\t2001:db8::1\t39680\t"
	  "2001:db8::2\t80\ttcp\t-\t0.000001\t0\t0\tS1\t-\t-\t0\tShA\t2\t"
	  "152\t1\t80\t-\n" },
	{ "zeek vlan", syn_only_vlan, CONN_FORMAT_ZEEK,
	  "1700000000.123456\tCiywVhMSO1Z7\t10.0.0.1\t5555\t10.0.0.2\t"
	  "443\ttcp\t-\t-\t-\t-\tS0\t-\t-\t0\tS\t1\t60\t0\t0\t-\n" },
};

static char *render(enum conn_format fmt, const struct conn_record *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_conn_write(f, fmt, &opts, c), 0);
	fclose(f);
	return text;
}

static char *render_header(enum conn_format fmt, int64_t open_ns)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_conn_header(f, fmt, open_ns), 0);
	fclose(f);
	return text;
}

/* Check's failure messages are too short for whole records: print both
 * lines in full, then fail. */
static void expect_text(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want)) {
		fprintf(stderr, "%s:\n got: %s\nwant: %s\n", what, got, want);
		ck_abort_msg("%s differs (both printed above)", what);
	}
}

/* Counts CSV fields in one line, honouring RFC 4180 quotes. */
static unsigned csv_fields(const char *s)
{
	unsigned n = 1;
	bool quoted = false;

	for (; *s && *s != '\n'; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == ',' && !quoted)
			n++;
	}
	return n;
}

/* Counts the leaf values of a JSON object: keys whose value is not an
 * object (an array counts as one). */
static unsigned json_leaves(const char *s)
{
	unsigned n = 0;
	bool in_str = false;

	for (; *s; s++) {
		if (in_str) {
			if (*s == '\\')
				s++;
			else if (*s == '"')
				in_str = false;
		} else if (*s == '"') {
			in_str = true;
		} else if (*s == ':' && s[1] != '{') {
			n++;
		}
	}
	return n;
}

START_TEST(conn_lines_are_exact_for_normal_refused_ipv6_and_vlan_records)
{
	struct conn_record c;
	char *line;

	line_cases[_i].build(&c);
	line = render(line_cases[_i].fmt, &c);
	expect_text(line_cases[_i].what, line, line_cases[_i].want);
	free(line);
}
END_TEST

START_TEST(conn_csv_header_names_every_column_with_dotted_paths)
{
	char *text = render_header(CONN_FORMAT_CSV, T0);

	expect_text("csv header", text, csv_header);
	free(text);
}
END_TEST

START_TEST(conn_csv_columns_and_json_keys_stay_in_step)
{
	void (*build[])(struct conn_record *) = {
		normal_v4, refused_v4, handshake_v6, syn_only_vlan,
	};
	unsigned columns = csv_fields(csv_header);

	ck_assert_uint_eq(columns, 85);
	for (unsigned i = 0; i < sizeof(build) / sizeof(build[0]); i++) {
		struct conn_record c;
		build[i](&c);
		char *csv = render(CONN_FORMAT_CSV, &c);
		char *json = render(CONN_FORMAT_JSON, &c);
		ck_assert_uint_eq(csv_fields(csv), columns);
		/* JSON leaves out `vlan` for an untagged connection */
		ck_assert_uint_eq(json_leaves(json) + !c.vlan_count, columns);
		free(csv);
		free(json);
	}
}
END_TEST

START_TEST(conn_outputs_escape_odd_bytes_in_strings)
{
	struct conn_record c;
	char *line;

	normal_v4(&c);
	strcpy(c.history, "S\"a,b\tc\\");
	line = render(CONN_FORMAT_JSON, &c);
	ck_assert_ptr_nonnull(strstr(line,
		",\"history\":\"S\\\"a,b\\u0009c\\\\\","));
	free(line);
	/* RFC 4180: quoted because of the comma and quote, quote doubled */
	line = render(CONN_FORMAT_CSV, &c);
	ck_assert_ptr_nonnull(strstr(line, ",\"S\"\"a,b\tc\\\",5,"));
	free(line);
	/* Zeek: the separator and the backslash as \xNN */
	line = render(CONN_FORMAT_ZEEK, &c);
	ck_assert_ptr_nonnull(strstr(line, "\tS\"a,b\\x09c\\x5c\t5\t"));
	free(line);
}
END_TEST

START_TEST(conn_zeek_marks_an_empty_history_unset_and_escapes_markers)
{
	struct conn_record c;
	char *line;

	normal_v4(&c);
	c.history[0] = '\0';
	line = render(CONN_FORMAT_ZEEK, &c);
	ck_assert_ptr_nonnull(strstr(line, "\t0\t-\t5\t360\t"));
	free(line);
	line = render(CONN_FORMAT_JSON, &c);
	ck_assert_ptr_nonnull(strstr(line, ",\"history\":\"\","));
	free(line);
	/* a value equal to the unset marker must not read as unset */
	strcpy(c.history, "-");
	line = render(CONN_FORMAT_ZEEK, &c);
	ck_assert_ptr_nonnull(strstr(line, "\t0\t\\x2d\t5\t"));
	free(line);
}
END_TEST

START_TEST(conn_history_without_a_terminator_is_read_to_its_size)
{
	struct conn_record c;
	char *line;

	normal_v4(&c);
	memset(c.history, 'A', sizeof(c.history));
	line = render(CONN_FORMAT_JSON, &c);
	ck_assert_ptr_nonnull(strstr(line, "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""
					   ",\"orig_pkts\""));
	free(line);
}
END_TEST

START_TEST(conn_zeek_header_is_what_zeek_cut_reads)
{
	char *text = render_header(CONN_FORMAT_ZEEK, T0);

	expect_text("zeek header", text,
		"#separator \\x09\n"
		"#set_separator\t,\n"
		"#empty_field\t(empty)\n"
		"#unset_field\t-\n"
		"#path\tconn\n"
		"#open\t2023-11-14-22-13-20\n"
		"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
		"proto\tservice\tduration\torig_bytes\tresp_bytes\t"
		"conn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
		"orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\t"
		"tunnel_parents\n"
		"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
		"interval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\t"
		"count\tcount\tcount\tcount\tset[string]\n");
	free(text);
}
END_TEST

START_TEST(conn_zeek_footer_closes_at_the_last_packet_time)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(report_conn_footer(f, CONN_FORMAT_ZEEK,
					    T0 + INT64_C(86400000000000)), 0);
	ck_assert_int_eq(report_conn_footer(f, CONN_FORMAT_JSON, T0), 0);
	ck_assert_int_eq(report_conn_footer(f, CONN_FORMAT_CSV, T0), 0);
	ck_assert_int_eq(report_conn_header(f, CONN_FORMAT_JSON, T0), 0);
	fclose(f);
	ck_assert_str_eq(text, "#close\t2023-11-15-22-13-20\n");
	free(text);
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(conn_uid_is_stable_for_a_salt_and_unique_per_id)
{
	enum { N = 20000 };
	static char uids[N][CONN_UID_MAX];
	static char *sorted[N];
	char other[CONN_UID_MAX];

	for (unsigned i = 0; i < N; i++) {
		size_t n = report_conn_uid(uids[i], 42, i + 1);
		ck_assert_uint_eq(n, strlen(uids[i]));
		ck_assert_uint_lt(n, CONN_UID_MAX);
		ck_assert_int_eq(uids[i][0], 'C');
		sorted[i] = uids[i];
	}
	qsort(sorted, N, sizeof(sorted[0]), cmp_str);
	for (unsigned i = 1; i < N; i++)
		ck_assert_str_ne(sorted[i - 1], sorted[i]);
	report_conn_uid(other, 42, 1);
	ck_assert_str_eq(other, uids[0]);
	report_conn_uid(other, 43, 1);
	ck_assert_str_ne(other, uids[0]);
	/* the largest value still fits */
	ck_assert_uint_lt(report_conn_uid(other, 0, UINT64_MAX), CONN_UID_MAX);
}
END_TEST

START_TEST(conn_seconds_keep_sign_and_truncate_to_microseconds)
{
	char buf[64];
	struct outbuf ob;

	ob_init(&ob, buf, sizeof(buf));
	conn_put_secs(&ob, 0);
	ob_putc(&ob, ' ');
	conn_put_secs(&ob, 1999999);
	ob_putc(&ob, ' ');
	conn_put_secs(&ob, -1500);
	ob_putc(&ob, ' ');
	conn_put_secs(&ob, INT64_MIN);
	ob_putc(&ob, '\0');
	ck_assert_str_eq(buf, "0.000000 0.001999 -0.000001 "
			      "-9223372036.854775");
}
END_TEST

START_TEST(conn_write_reports_a_failed_stream)
{
	struct conn_record c;
	FILE *f = fopen("/dev/null", "r");

	ck_assert_ptr_nonnull(f);
	normal_v4(&c);
	ck_assert_int_eq(report_conn_write(f, CONN_FORMAT_JSON, &opts, &c), -1);
	ck_assert_int_eq(report_conn_header(f, CONN_FORMAT_CSV, T0), -1);
	ck_assert_int_eq(report_conn_footer(f, CONN_FORMAT_ZEEK, T0), -1);
	fclose(f);
}
END_TEST

static Suite *conn_suite(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc,
		conn_lines_are_exact_for_normal_refused_ipv6_and_vlan_records,
		0, sizeof(line_cases) / sizeof(line_cases[0]));
	tcase_add_test(tc, conn_csv_header_names_every_column_with_dotted_paths);
	tcase_add_test(tc, conn_csv_columns_and_json_keys_stay_in_step);
	tcase_add_test(tc, conn_outputs_escape_odd_bytes_in_strings);
	tcase_add_test(tc,
		conn_zeek_marks_an_empty_history_unset_and_escapes_markers);
	tcase_add_test(tc, conn_history_without_a_terminator_is_read_to_its_size);
	tcase_add_test(tc, conn_zeek_header_is_what_zeek_cut_reads);
	tcase_add_test(tc, conn_zeek_footer_closes_at_the_last_packet_time);
	tcase_add_test(tc, conn_uid_is_stable_for_a_salt_and_unique_per_id);
	tcase_add_test(tc, conn_seconds_keep_sign_and_truncate_to_microseconds);
	tcase_add_test(tc, conn_write_reports_a_failed_stream);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conn_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
