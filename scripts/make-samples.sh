#!/usr/bin/env bash
# make-samples.sh - record small captures of real kernel TCP traffic into samples/.
#
# Usage: sudo scripts/make-samples.sh [SAMPLE...]      (default: every sample)
#        scripts/make-samples.sh -l                    (list the sample names)
# SAMPLE is a file name in samples/ with or without ".pcap": tcp4-normal,
# tcp4-refused.pcap, tcp4-normal.pcapng, ...  (tcp4-normal brings its pcapng copy along)
# e.g. sudo scripts/make-samples.sh flood-spoofed    (also rewrites its row of floods.tsv)
#
# Traffic only flows between two network namespaces made here (ssmk-PID-cli and
# ssmk-PID-srv, joined by the veth pair v-c <-> v-s), on documentation addresses
# (192.0.2.0/24, 2001:db8::/64).  socat is both client and server; the kernel's
# TCP stack does the TCP.  Captures are taken in the client namespace.  Every
# namespace and process made here is removed on exit, failure included.
# The connection-outcome samples (tcp4-unanswered ... tcp4-keepalive) use a
# small python3 peer on plain kernel sockets instead of socat, for socket options
# socat cannot time (SO_LINGER, shutdown, keep-alive, SO_RCVBUF), and shape the
# veth with a tc BPF dropper or a tbf qdisc (this kernel has no sch_netem).
# The SYN-flood samples (flood-*, scan-syn, backscatter) and their benign
# look-alikes (benign-*) aim at a python3 listener in the server namespace
# (write_crowd), most with a listen backlog of 8 and net.core.somaxconn and
# net.ipv4.tcp_max_syn_backlog at 8 in that namespace only (both are per
# namespace); hping3 and nmap attack from the client namespace, the python3
# helper is the legitimate clients.  Flood sources other than 192.0.2.1 and
# 192.0.2.3 belong to no interface, so nothing answers the server's replies;
# flood-spoofed* use hping3's random sources, the only addresses outside the
# documentation ranges, and those packets too stay inside the namespaces.
# backscatter adds a third namespace, ssmk-PID-tel (198.51.100.0/24, a darknet
# behind the server) and captures there.  Each of these samples also writes its
# row of samples/floods.tsv: verdict, target, first and last flood packet time.
set -euo pipefail

SAMPLES=(tcp4-normal tcp4-refused tcp6-normal vlan-normal qinq-normal
         tcp4-sll tcp4-sll2 tcp4-nano tcp4-normal.pcapng
         tcp4-unanswered tcp4-rst-abort tcp4-half-close tcp4-simultaneous-close
         tcp4-reuse-timewait tcp4-loss tcp4-zero-window tcp4-keepalive
         flood-spoofed flood-spoofed-nocookies flood-single flood-closed-port
         scan-syn backscatter benign-flash-crowd benign-slow-server)
OUT=$(cd "$(dirname "$0")/.." && pwd)/samples
PFX=ssmk-$$
C=$PFX-cli S=$PFX-srv           # client and server namespaces
T=$PFX-tel                      # backscatter's third namespace, behind $S
declare -A DEV=([$C]=v-c [$S]=v-s)
V4C=192.0.2.1 V4S=192.0.2.2 V6C=2001:db8::1 V6S=2001:db8::2
PORT=80 CLOSED=81
CPORT=40000                     # fixed client port of tcp4-reuse-timewait
V4SCAN=192.0.2.3                # scan-syn's scanner, a second address of $C
V4ATK=192.0.2.66                # flood-single's source, on no interface
BOTS=(192.0.2 70 73)            # flood-closed-port's sources: 192.0.2.70-73, likewise
V4B=203.0.113.1 V4T=203.0.113.2 # the link $S (v-b) <-> $T (v-t)
DARK=198.51.100                 # $T's /24: .1 is a real host, .2-.254 are unused
PIDS=() WORK="" CAP="" SRV="" CUR=""
CAPNS="" ROW="" STATS=""        # per sample: capture namespace if not $C, floods.tsv row, counters
TSV_HEAD=$'file\tverdict\ttarget_ip\ttarget_port\tflood_start\tflood_end\tcomment'

die() { echo "make-samples: ${CUR:+$CUR: }$*" >&2; exit 1; }
note() { echo "make-samples: $*" >&2; }
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }   # not for &: $! must be the process

teardown() {    # kill our processes, delete our namespaces (and with them the veths)
    local pid ns
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do reap "$pid" 2>/dev/null || true; done
    for ns in $(ip netns list 2>/dev/null | awk -v p="$PFX-" 'index($1, p) == 1 {print $1}'); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
}
cleanup() {
    local rc=$?
    teardown
    if [[ -n $WORK ]]; then rm -rf "$WORK"; fi
    if ((rc)) && [[ -n $CUR ]]; then note "$CUR: FAILED, samples/ left as it was for it"; fi
}

preflight() {   # preflight SAMPLE...: root and tools
    [[ $(id -u) -eq 0 ]] || die "must run as root (it creates network namespaces)"
    local tool missing=() need=(ip:iproute2 ss:iproute2 tc:iproute2 tcpdump:tcpdump
        socat:socat tshark:tshark editcap:wireshark-common capinfos:wireshark-common
        timeout:coreutils)
    local name
    for name in "$@"; do
        case $name in       # ;;& goes on matching: a sample can need several
        vlan-normal | qinq-normal | tcp4-unanswered | tcp4-loss) need+=(clang:clang) ;;&
        tcp4-reuse-timewait) need+=(sysctl:procps) ;;&
        flood-* | scan-syn | backscatter | benign-*)
            need+=(python3:python3 sysctl:procps nstat:iproute2) ;;&
        flood-* | backscatter) need+=(hping3:hping3) ;;&
        scan-syn) need+=(nmap:nmap) ;;&
        tcp4-unanswered | tcp4-rst-abort | tcp4-half-close | tcp4-simultaneous-close | \
        tcp4-reuse-timewait | tcp4-loss | tcp4-zero-window | tcp4-keepalive)
            need+=(python3:python3) ;;
        esac
    done
    for tool in "${need[@]}"; do
        command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
    done
    if ((${#missing[@]})); then
        note "missing tools; install them with:"
        echo "  apt-get install -y $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')" >&2
        exit 1
    fi
    command -v ethtool >/dev/null ||
        note "ethtool not found (apt-get install -y ethtool): veth offloads stay on," \
             "so captured segments may be oversized and carry partial checksums"
}

# --- shared steps -----------------------------------------------------------

mkpair() {      # fresh namespace pair $C/$S joined by v-c <-> v-s, offloads off
    teardown
    ip netns add "$C"
    ip netns add "$S"
    ip link add v-c netns "$C" type veth peer name v-s netns "$S"
    linkup "$C" v-c
    linkup "$S" v-s
}

linkup() {      # linkup NS DEV: lo and DEV up in NS, DEV's offloads off
    inns "$1" ip link set lo up
    if command -v ethtool >/dev/null; then
        inns "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
            note "ethtool -K $2 failed; offloads may still be on"
    fi
    inns "$1" ip link set "$2" up
}

addrs() {       # addrs 4|6: address v-c and v-s
    if [[ $1 == 4 ]]; then
        inns "$C" ip addr add "$V4C/24" dev v-c
        inns "$S" ip addr add "$V4S/24" dev v-s
    else            # nodad: the addresses are usable at once
        inns "$C" ip -6 addr add "$V6C/64" dev v-c nodad
        inns "$S" ip -6 addr add "$V6S/64" dev v-s nodad
    fi
}

tag() {         # tag 802.1Q|802.1ad ID [INNER-ID]: VLAN-tag every frame on v-c/v-s
    # Two tc BPF programs push the tag(s) on egress and pop them on ingress, so
    # no 8021q module or VLAN sub-interface is needed (the kernel this was made
    # on lacks CONFIG_VLAN_8021Q and act_vlan).  tcpdump taps the veth after tc
    # egress and before tc ingress, so it sees tagged frames both ways.
    local obj=$WORK/tag.o ns proto=0x8100
    [[ $1 == 802.1ad ]] && proto=0x88a8
    clang -O2 -target bpf -x c -c -o "$obj" -DPROTO="$proto" -DID="$2" -DINNER="${3:-0}" - <<'BPF'
#define SEC(s) __attribute__((section(s), used))
static long (*skb_vlan_push)(void *skb, unsigned short proto, unsigned short tci) = (void *)18;
static long (*skb_vlan_pop)(void *skb) = (void *)19;
SEC("egress") int push(void *skb)
{
	if (INNER)      /* pushed first, so it ends up inside */
		skb_vlan_push(skb, __builtin_bswap16(0x8100), INNER);
	skb_vlan_push(skb, __builtin_bswap16(PROTO), ID);
	return 0;       /* TC_ACT_OK */
}
SEC("ingress") int pop(void *skb)
{
	skb_vlan_pop(skb);
	skb_vlan_pop(skb);      /* no-op when there is no second tag */
	return 0;
}
char _license[] SEC("license") = "GPL";
BPF
    for ns in "$C" "$S"; do
        inns "$ns" tc qdisc add dev "${DEV[$ns]}" clsact
        inns "$ns" tc filter add dev "${DEV[$ns]}" egress bpf da obj "$obj" sec egress
        inns "$ns" tc filter add dev "${DEV[$ns]}" ingress bpf da obj "$obj" sec ingress
    done
}

wait_for() {    # wait_for SECONDS CMD...: poll CMD every 0.1 s, bounded
    local i
    for ((i = 0; i < $1 * 10; i++)); do "${@:2}" && return 0; sleep 0.1; done
    return 1
}

cap_start() {   # cap_start FILE TCPDUMP-ARGS...: capture in $C (or $CAPNS), return once listening
    local file=$1; shift
    rm -f "$WORK/tcpdump.err"   # a stale "listening on" must not pass for this one's
    # -Z root: do not switch to the tcpdump user (the work dir is private)
    ip netns exec "${CAPNS:-$C}" timeout 30 tcpdump -Z root -U --immediate-mode -s 0 -c 200 -w "$file" "$@" \
        2>"$WORK/tcpdump.err" &
    CAP=$!; PIDS+=("$CAP")
    wait_for 5 grep -qs 'listening on' "$WORK/tcpdump.err" ||
        { cat "$WORK/tcpdump.err" >&2; die "tcpdump did not start"; }
}

cap_stop() {    # let the last segments land, then stop tcpdump so the file is complete
    sleep 0.5
    kill -TERM "$CAP" 2>/dev/null || true
    if ! reap "$CAP" || ! grep -q 'packets captured' "$WORK/tcpdump.err"; then
        cat "$WORK/tcpdump.err" >&2; die "tcpdump did not stop cleanly"
    fi
}

reap() {        # reap PID: wait for one of our background processes (all run under timeout)
    local pid rc=0 keep=()
    wait "$1" || rc=$?
    for pid in "${PIDS[@]}"; do [[ $pid == "$1" ]] || keep+=("$pid"); done
    PIDS=("${keep[@]}")
    return "$rc"
}

serve() {       # serve 4|6: one-shot server in $S: reads the request, sends $WORK/reply, closes
    ip netns exec "$S" timeout 20 socat -t 2 "TCP$1-LISTEN:$PORT,reuseaddr" \
        SYSTEM:"head -n 2 >/dev/null; cat $WORK/reply" &
    SRV=$!; PIDS+=("$SRV")
    wait_for 5 listening || die "server did not start"
}
listening() { [[ -n $(inns "$S" ss -Hltn "sport = :$PORT") ]]; }

exchange() {    # exchange FILE 4|6 SERVER-ADDR TCPDUMP-ARGS...: capture one request/reply/close
    local file=$1 fam=$2 addr=$3; shift 3
    serve "$fam"
    cap_start "$file" "$@"
    # shut-none: the client keeps its side open until the server has answered and closed
    printf 'GET / HTTP/1.0\r\n\r\n' |
        inns "$C" timeout 10 socat -t 3 - "TCP$fam:$addr:$PORT,shut-none" >"$WORK/got"
    cap_stop
    reap "$SRV" || die "server failed"
    cmp -s "$WORK/got" "$WORK/reply" || die "client did not receive the expected reply"
}

drop() {        # drop C-EXPR: drop the IPv4 TCP segments to $PORT for which C-EXPR holds
    # A tc BPF program on v-s ingress, so inside the server namespace (this kernel
    # has no sch_netem; nf_tables is built in but nft/iptables are not installed,
    # and BPF needs only clang, as tag does).  C-EXPR may use syn (a SYN
    # without ACK), len (payload bytes) and n (segments with payload seen so far,
    # this one included).  tcpdump on v-c has seen them leave: the capture holds
    # the originals, as a capture on the sender would.
    local obj=$WORK/drop.o
    # -g: BTF for the counter map; -mcpu=v3: atomic fetch-and-add
    clang -O2 -g -mcpu=v3 -target bpf -x c -c -o "$obj" -DPORT="$PORT" -DDROP="($1)" - <<'BPF'
#define SEC(s) __attribute__((section(s), used))
static void *(*map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*skb_load_bytes)(const void *skb, unsigned int off, void *to, unsigned int len) = (void *)26;
struct {                /* one counter: BPF_MAP_TYPE_ARRAY (2) of one entry */
	int (*type)[2];
	int (*max_entries)[1];
	unsigned int *key;
	unsigned int *value;
} seen SEC(".maps");
SEC("ingress") int drop(void *skb)
{
	unsigned char ip[20], th[14];
	unsigned int zero = 0, *count, hl, syn, len, n = 0;

	if (skb_load_bytes(skb, 12, ip, 2) || ip[0] != 0x08 || ip[1] != 0x00)
		return 0;                       /* not IPv4: TC_ACT_OK */
	if (skb_load_bytes(skb, 14, ip, 20) || ip[9] != 6)
		return 0;                       /* not TCP */
	hl = (ip[0] & 15) * 4;
	if (skb_load_bytes(skb, 14 + hl, th, 14) || (th[2] << 8 | th[3]) != PORT)
		return 0;
	syn = (th[13] & 0x12) == 0x02;
	len = (ip[2] << 8 | ip[3]) - hl - (th[12] >> 4) * 4;
	count = map_lookup_elem(&seen, &zero);
	if (count && len)
		n = __sync_fetch_and_add(count, 1) + 1;
	(void)syn; (void)n;
	return DROP ? 2 : 0;                    /* TC_ACT_SHOT : TC_ACT_OK */
}
char _license[] SEC("license") = "GPL";
BPF
    inns "$S" tc qdisc add dev v-s clsact
    inns "$S" tc filter add dev v-s ingress bpf da obj "$obj" sec ingress
}

throttle() {    # throttle: slow v-s egress to 2000 bytes/s with a 200-byte bucket (tbf;
    # no netem here): a segment after a pause leaves at once, a 66-byte one right
    # behind a 166-byte one waits ~0.033 s (long enough for segments to cross), the
    # next one as long again: all well within the 0.2-s minimum retransmission timeout
    inns "$S" tc qdisc add dev v-s root tbf rate 16kbit burst 200 limit 10000
}

peer_serve() {  # peer_serve SCENARIO: the python3 peer as server in $S, for one scenario
    ip netns exec "$S" timeout 20 python3 "$WORK/peer.py" serve "$1" "$V4S" "$PORT" "$CPORT" "$WORK/reply" &
    SRV=$!; PIDS+=("$SRV")
    wait_for 5 listening || die "server did not start"
}
peer_connect() {    # peer_connect SCENARIO: the python3 peer as client in $C; fails unless all went as planned
    inns "$C" timeout 20 python3 "$WORK/peer.py" connect "$1" "$V4S" "$PORT" "$CPORT" "$WORK/reply" ||
        die "client failed"
}
converse() {    # converse FILE SCENARIO TCPDUMP-ARGS...: capture one python3 client/server scenario
    local file=$1 what=$2; shift 2
    peer_serve "$what"
    cap_start "$file" "$@"
    peer_connect "$what"
    cap_stop
    reap "$SRV" || die "server failed"
}

write_peer() {  # the python3 peer: one side of each scripted scenario, plain kernel sockets
    cat <<'PY'
"""peer.py serve|connect SCENARIO SERVER-ADDR PORT CLIENT-PORT REPLY-FILE

One side of one scripted TCP exchange; exits non-zero unless it went as planned.
The request is make-samples.sh's HTTP/1.0 GET, the reply the contents of REPLY-FILE.
"""
import socket
import struct
import sys
import time

ROLE, WHAT, ADDR = sys.argv[1:4]
PORT, CPORT = int(sys.argv[4]), int(sys.argv[5])
with open(sys.argv[6], "rb") as f:
    REPLY = f.read()
REQ = b"GET / HTTP/1.0\r\n\r\n"
BULK = b"".join(b"%05d synscope sample bulk data\n" % i for i in range(6144))  # 192 KiB, tcp4-loss
SINK = BULK[:32768]                     # sent to the stalled reader of tcp4-zero-window
HELLO = REPLY[:100]                     # what the server says before its FIN in tcp4-simultaneous-close


def fail(msg):
    sys.exit(f"peer.py {ROLE} {WHAT}: {msg}")


def read_exactly(s, n):
    buf = b""
    while len(buf) < n:
        data = s.recv(n - len(buf))
        if not data:
            fail(f"EOF after {len(buf)} of {n} bytes")
        buf += data
    return buf


def read_to_eof(s, want):
    buf = b""
    while len(buf) <= len(want):
        data = s.recv(65536)
        if not data:
            break
        buf += data
    if buf != want:
        fail(f"read {len(buf)} bytes before EOF, want {len(want)} bytes")


def expect_request(c):
    if read_exactly(c, len(REQ)) != REQ:
        fail("unexpected request")


# --- server side: called with the accepted socket, which is closed afterwards

def srv_rst_abort(c):           # reply, then wait for the client's RST
    expect_request(c)
    c.sendall(REPLY)
    try:
        data = c.recv(1)
    except ConnectionResetError:
        return
    fail(f"want a reset, got {data!r}")


def srv_half_close(c):          # read up to the client's FIN, then keep sending for a second
    read_to_eof(c, REQ)
    step = -(-len(REPLY) // 5)
    for at in range(0, len(REPLY), step):
        if at:
            time.sleep(0.25)
        c.sendall(REPLY[at:at + step])


def srv_simultaneous_close(c):  # after a pause (a full tbf bucket) send HELLO and FIN at once
    time.sleep(0.6)
    c.sendall(HELLO)
    c.shutdown(socket.SHUT_WR)
    read_to_eof(c, b"")


def srv_reply(c):               # reply, then wait for the client to close first
    expect_request(c)
    c.sendall(REPLY)
    read_to_eof(c, b"")


def srv_loss(c):
    read_to_eof(c, BULK)


def srv_zero_window(c):
    expect_request(c)
    c.sendall(SINK)


SERVE = {"rst-abort": srv_rst_abort, "half-close": srv_half_close,
         "simultaneous-close": srv_simultaneous_close, "reuse-timewait": srv_reply,
         "loss": srv_loss, "zero-window": srv_zero_window, "keepalive": srv_reply}


def serve():
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ADDR, PORT))
    ls.listen(1)
    ls.settimeout(15)
    for _ in range(2 if WHAT == "reuse-timewait" else 1):
        c, _ = ls.accept()
        c.settimeout(15)
        SERVE[WHAT](c)
        c.close()


# --- client side

def connect(*opts, port=0, timeout=10):
    s = socket.socket()
    for level, name, value in opts:     # before connect: SO_RCVBUF sets the window scale
        s.setsockopt(level, name, value)
    if port:
        s.bind(("", port))
    s.settimeout(timeout)
    s.connect((ADDR, PORT))
    return s


def cli_unanswered():           # SYN at 0 s, retransmitted at 1 and 2 s, given up at 2.5 s
    try:                        # (linear, not doubling: net.ipv4.tcp_syn_linear_timeouts, 6.6+)
        connect(timeout=2.5)
    except TimeoutError:
        return
    fail("connected")


def cli_rst_abort():            # read the whole reply, then abort: SO_LINGER {1, 0} makes close send RST
    s = connect()
    s.sendall(REQ)
    read_exactly(s, len(REPLY))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def cli_half_close():           # request, FIN, then read the reply to the server's FIN
    s = connect()
    s.sendall(REQ)
    s.shutdown(socket.SHUT_WR)
    read_to_eof(s, REPLY)
    s.close()


def cli_simultaneous_close():   # FIN as soon as HELLO is in: the server's FIN is still in its tbf
    s = connect()
    read_exactly(s, len(HELLO))
    s.shutdown(socket.SHUT_WR)
    read_to_eof(s, b"")
    s.close()


def cli_reuse_timewait():       # twice from CPORT; the client closes first, so the 2nd connect meets
    for i in range(2):          # its own TIME-WAIT (tcp_tw_reuse=1: reusable 1 s after the last segment)
        if i:
            time.sleep(1.5)
        s = connect((socket.SOL_SOCKET, socket.SO_REUSEADDR, 1), port=CPORT)
        s.sendall(REQ)
        read_exactly(s, len(REPLY))
        s.close()


def cli_loss():                 # upload BULK, FIN, wait for the server's FIN
    s = connect()
    s.sendall(BULK)
    s.shutdown(socket.SHUT_WR)
    read_to_eof(s, b"")
    s.close()


def cli_zero_window():          # a tiny receive buffer, not read for 1.5 s
    s = connect((socket.SOL_SOCKET, socket.SO_RCVBUF, 2048))
    s.sendall(REQ)
    time.sleep(1.5)
    read_to_eof(s, SINK)
    s.close()


def cli_keepalive():            # idle 3.5 s with keep-alives every second, then close
    s = connect((socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
                (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1),
                (socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1),
                (socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3))
    s.sendall(REQ)
    read_exactly(s, len(REPLY))
    time.sleep(3.5)
    s.close()


CONNECT = {"unanswered": cli_unanswered, "rst-abort": cli_rst_abort,
           "half-close": cli_half_close, "simultaneous-close": cli_simultaneous_close,
           "reuse-timewait": cli_reuse_timewait, "loss": cli_loss,
           "zero-window": cli_zero_window, "keepalive": cli_keepalive}

if ROLE == "serve":
    serve()
else:
    CONNECT[WHAT]()
PY
}

# --- floods: a python3 server and its clients, hping3 and nmap ---------------

backlog_small() {   # backlog_small 0|1: $S's listen backlogs capped at 8, SYN cookies off|on
    inns "$S" sysctl -qw net.core.somaxconn=8 net.ipv4.tcp_max_syn_backlog=8 \
        net.ipv4.tcp_syncookies="$1"
}

ghost() {       # ghost ADDR...: $S sends to ADDR, which no interface has, through v-c
    # A permanent neighbour entry sends the server's replies to v-c, where $C
    # (which does not forward) drops them without a word: as from a flooder that
    # firewalls its own RSTs, nothing resets the server's half-open entries.
    local mac a
    mac=$(inns "$C" ip -br link show v-c | awk '{print $3}')
    for a in "$@"; do inns "$S" ip neigh replace "$a" lladdr "$mac" dev v-s nud permanent; done
}

darknet() {     # darknet: $T behind $S (v-b <-> v-t), routed $DARK.0/24, where only $DARK.1 exists
    # $T does not forward either, so what $S sends to $DARK.2-.254 ends on v-t unanswered.
    ip netns add "$T"
    ip link add v-b netns "$S" type veth peer name v-t netns "$T"
    linkup "$S" v-b
    linkup "$T" v-t
    inns "$S" ip addr add "$V4B/24" dev v-b
    inns "$T" ip addr add "$V4T/24" dev v-t
    inns "$T" ip addr add "$DARK.1/32" dev lo
    inns "$S" ip route add "$DARK.0/24" via "$V4T"
    inns "$T" ip route add default via "$V4B"
    # SYNs "from" $DARK.0/24 come in on v-s while the route to them leaves by v-b
    inns "$S" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.v-s.rp_filter=0
}

crowd_serve() {     # crowd_serve PORTS BACKLOG DELAY: the python3 server in $S, until crowd_stop
    ip netns exec "$S" timeout 40 python3 "$WORK/crowd.py" serve "$V4S" "$1" "$2" "$3" "$WORK/reply" &
    SRV=$!; PIDS+=("$SRV")
    wait_for 5 listening || die "server did not start"
}
crowd_stop() { kill "$SRV" 2>/dev/null || true; reap "$SRV" || true; }
crowd() {       # crowd NS COUNT SPACING [SOURCES]: COUNT connections to $V4S:$PORT; all must complete
    inns "$1" timeout 30 python3 "$WORK/crowd.py" connect "$V4S" "$PORT" "$2" "$3" "${4:--}" "$WORK/reply" ||
        die "clients failed"
}

hping() {       # hping HPING3-ARGS...: hping3 in $C; its status only says whether replies came back
    # (and -c counts replies too: with replies that it sees, it stops a few SYNs short)
    inns "$C" timeout 15 hping3 -q "$@" >>"$WORK/hping3.log" 2>&1 || true
}
spoof() {       # spoof ARGS...: hping3 exec spoof.htcl ARGS (see write_spoof) in $C, then 1 s calm
    # Tcl rather than several hping3 -a: hping3 seeds its random numbers with the
    # time, so hping3s started together send the same source ports and ISNs
    inns "$C" timeout 15 hping3 exec "$WORK/spoof.htcl" "$@" >>"$WORK/hping3.log" 2>&1 ||
        die "hping3 exec failed"
    sleep 1
}
scan() {        # scan: nmap SYN scan of ports 1-1000 of $V4S from $V4SCAN, 400 probes/s, no retries
    inns "$C" timeout 20 nmap -sS -Pn -n -e v-c -S "$V4SCAN" -p 1-1000 --max-retries 0 \
        --min-rate 400 --max-rate 400 --host-timeout 15s "$V4S" >"$WORK/nmap.out" 2>&1 ||
        { cat "$WORK/nmap.out" >&2; die "nmap failed"; }
    sleep 1
}

counters() {    # counters: $S's SYN-queue counters and its half-open entries now, into STATS
    STATS=$(inns "$S" nstat -saz TcpExtSyncookiesSent TcpExtTCPReqQFullDoCookies \
        TcpExtTCPReqQFullDrop TcpExtListenOverflows TcpExtListenDrops |
        awk '!/^#/ {printf "%s=%s ", substr($1, 7), $2}')
    STATS+="SYN-RECV=$(inns "$S" ss -Htn state syn-recv | wc -l)"
}
stat_of() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$STATS"; }     # stat_of NAME: one of STATS
expect_stat() {     # expect_stat NAME MIN [MAX]: a counter of STATS within MIN..MAX
    local n; n=$(stat_of "$1")
    if [[ -z $n ]] || ((n < $2 || n > ${3:-$2})); then die "$1 is '$n', want $2..${3:-$2} ($STATS)"; fi
}

flood_around() {    # flood_around FILE DEV NS SRC CMD...: on DEV: 2 connections from NS (source
    # SRC, - for any), then the flood CMD (~2.5 s, then ~1 s of calm), $S's counters,
    # 3 more connections 1.5 s apart: the last packets come ~4 s after the flood
    local file=$1 dev=$2 ns=$3 src=$4; shift 4
    cap_start "$file" -i "$dev" -s 96 -c 9000 tcp
    crowd "$ns" 2 0.4 "$src"
    sleep 0.3
    "$@"
    counters
    crowd "$ns" 3 1.5 "$src"
    cap_stop
}
expect_normal() {   # expect_normal FILE CLIENT N: N replies to CLIENT, checksums good, no RST for it
    expect "$1" "ip.src==$V4S && ip.dst==$2 && tcp.len>0" "$3"
    expect "$1" "ip.addr==$2 && tcp.flags.reset==1" 0
    expect "$1" 'tcp.checksum.status==0' 0
}

flood_row() {   # flood_row FILE VERDICT TARGET-PORT FILTER NOTE: ROW for floods.tsv from
    # the first and last packet of FILTER, which must span 1.5-4 s at 300/s or more
    local times n t0 t1 span rate
    times=$(fields "$1" "$4" frame.time_epoch | sed 's/\(\.[0-9]\{6\}\)[0-9]*$/\1/')
    n=$(wc -l <<<"$times")
    t0=$(head -n 1 <<<"$times")
    t1=$(tail -n 1 <<<"$times")
    read -r span rate < <(awk -v a="$t0" -v b="$t1" -v n="$n" \
        'BEGIN { printf "%.3f %d\n", b - a, (b > a) ? (n - 1) / (b - a) : 0 }')
    awk -v s="$span" -v r="$rate" 'BEGIN { exit !(s >= 1.5 && s <= 4 && r >= 300) }' ||
        die "'$4': $n packets over $span s ($rate/s), want 1.5-4 s at >= 300/s"
    (($(stat -c %s "$1") < 320000)) || die "$(stat -c %s "$1") bytes, want < 320000"
    ROW=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s' "${1##*/}" "$2" "$V4S" "$3" "$t0" "$t1" \
        "$5; flood: $n packets over $span s ($rate/s); server after it: $STATS")
}
benign_row() {  # benign_row FILE NOTE: ROW for floods.tsv, no flood times
    ROW=$(printf '%s\tnone\t%s\t%s\t-\t-\t%s' "${1##*/}" "$V4S" "$PORT" "$2; server: $STATS")
}
tsv_put() {     # tsv_put ROW: ROW replaces its file's row of samples/floods.tsv, rows in SAMPLES order
    local tsv=$OUT/floods.tsv name
    {
        printf '%s\n' "$TSV_HEAD"
        for name in "${SAMPLES[@]}"; do
            if [[ $name.pcap == "${1%%$'\t'*}" ]]; then
                printf '%s\n' "$1"
            elif [[ -f $tsv ]]; then
                awk -F '\t' -v f="$name.pcap" '$1 == f' "$tsv"
            fi
        done
    } >"$WORK/floods.tsv"
    chmod 644 "$WORK/floods.tsv"
    mv -f "$WORK/floods.tsv" "$tsv"
}

write_crowd() {     # the python3 server and legitimate clients of the flood samples
    cat <<'PY'
"""crowd.py serve ADDR PORTS BACKLOG DELAY REPLY-FILE
crowd.py connect ADDR PORT COUNT SPACING SOURCES REPLY-FILE

serve: listen on ADDR at each of PORTS (comma-separated) with listen(BACKLOG),
answer each request with REPLY-FILE and close, then wait DELAY seconds before
the next accept (a slow server); runs until killed.
connect: COUNT connections to ADDR:PORT, one begun every SPACING seconds, each
in a thread of its own so that they overlap, from the SOURCES addresses
(comma-separated) in turn or "-" for the kernel's choice; each sends
make-samples.sh's request and reads the reply up to EOF.  Fails unless all did.
"""
import socket
import sys
import threading
import time

ROLE, ADDR = sys.argv[1:3]
REQ = b"GET / HTTP/1.0\r\n\r\n"
with open(sys.argv[-1], "rb") as f:
    REPLY = f.read()


def answer(c):                  # a client that went away is no failure of the server
    try:
        c.settimeout(5)
        buf = b""
        while len(buf) < len(REQ):
            data = c.recv(len(REQ) - len(buf))
            if not data:
                return
            buf += data
        if buf == REQ:
            c.sendall(REPLY)
    except OSError:
        pass
    finally:
        c.close()


def accept_loop(ls, delay):
    while True:
        c, _ = ls.accept()
        answer(c)
        time.sleep(delay)


def serve(ports, backlog, delay):
    loops = []
    for port in ports.split(","):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((ADDR, int(port)))
        ls.listen(int(backlog))
        loops.append(threading.Thread(target=accept_loop, args=(ls, float(delay)), daemon=True))
    for t in loops:
        t.start()
    for t in loops:
        t.join()


def fetch(i, src, port, ok):
    s = socket.socket()
    try:
        if src:
            s.bind((src, 0))
        s.settimeout(15)
        s.connect((ADDR, port))
        s.sendall(REQ)
        buf = b""
        while len(buf) <= len(REPLY):
            data = s.recv(65536)
            if not data:
                break
            buf += data
        ok[i] = buf == REPLY
    except OSError as e:
        print(f"crowd.py: connection {i} from {src or 'any'}: {e}", file=sys.stderr)
    finally:
        s.close()


def connect(port, count, spacing, sources):
    srcs = [] if sources == "-" else sources.split(",")
    ok = [False] * count
    threads = []
    for i in range(count):
        if i:
            time.sleep(spacing)
        src = srcs[i % len(srcs)] if srcs else ""
        threads.append(threading.Thread(target=fetch, args=(i, src, port, ok)))
        threads[-1].start()
    for t in threads:
        t.join()
    if not all(ok):
        sys.exit(f"crowd.py: {ok.count(False)} of {count} connections failed")


if ROLE == "serve":
    serve(*sys.argv[3:6])
else:
    connect(int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
PY
}

write_spoof() {     # a SYN flood from a range of addresses, for hping3's Tcl mode
    cat <<'TCL'
# spoof.htcl COUNT ADDR PORT ALT-PORT EVERY NET FIRST LAST: COUNT SYNs to ADDR, about
# one a millisecond, each from a random one of NET.FIRST-NET.LAST; every EVERYth goes
# to ALT-PORT instead of PORT.  Each source counts its source ports up from a random
# start, as a kernel would; sequence numbers are random; window 512 as hping3's.
lassign $argv count addr port alt every net first last
for {set i 0} {$i < $count} {incr i} {
    set src $net.[expr {$first + int(rand() * ($last - $first + 1))}]
    if {![info exists next($src)]} {
        set next($src) [expr {32768 + int(rand() * 28000)}]
    }
    set sport $next($src)
    incr next($src)
    set seq [expr {int(rand() * 4294967296.0)}]
    set dport [expr {$i % $every == $every - 1 ? $alt : $port}]
    hping send "ip(saddr=$src,daddr=$addr,ttl=64)+tcp(sport=$sport,dport=$dport,seq=$seq,flags=s,win=512)"
    after 1
}
TCL
}

# --- validation -------------------------------------------------------------

count() { tshark -r "$1" -o tcp.check_checksum:TRUE -Y "$2" 2>/dev/null | wc -l; }
expect() {      # expect FILE FILTER MIN [MAX]: packets matching FILTER within MIN..MAX
    local n; n=$(count "$1" "$2")
    ((n >= $3 && n <= ${4:-$3})) || die "'$2' matched $n packets, want $3..${4:-$3}"
}
expect_all() { expect "$1" "$2" "$(count "$1" frame)"; }
check_normal() {    # handshake, request, reply, both FINs, no RST, good checksums, only TCP
    expect_all "$1" tcp
    expect "$1" tcp 8 40
    expect "$1" 'tcp.flags.syn==1 && tcp.flags.ack==0' 1
    expect "$1" 'tcp.flags.syn==1 && tcp.flags.ack==1' 1
    expect "$1" "tcp.dstport==$PORT && tcp.len>0" 1
    expect "$1" "tcp.srcport==$PORT && tcp.len>0" 1 5
    expect "$1" "tcp.flags.fin==1 && tcp.srcport==$PORT" 1
    expect "$1" "tcp.flags.fin==1 && tcp.dstport==$PORT" 1
    expect "$1" 'tcp.flags.reset==1' 0
    expect "$1" 'tcp.checksum.status!=1' 0
}
expect_info() {     # expect_info FILE CAPINFOS-FLAG TEXT: capinfos line contains TEXT
    local got; got=$(capinfos "$2" "$1" | tail -n 1)
    [[ $got == *"$3"* ]] || die "capinfos $2 says '$got', want '$3'"
}
fields() {      # fields FILE FILTER FIELD...: FIELDs of the packets matching FILTER, a line each
    local file=$1 filter=$2 args=() f; shift 2
    for f in "$@"; do args+=(-e "$f"); done
    tshark -r "$file" -Y "$filter" -T fields "${args[@]}" 2>/dev/null
}
first() { fields "$1" "$2" frame.number | awk 'NR == 1'; }  # frame number of the first match
expect_before() {   # expect_before FILE FILTER1 FILTER2: a FILTER1 packet precedes every FILTER2 one
    local a b; a=$(first "$1" "$2"); b=$(first "$1" "$3")
    [[ -n $a && -n $b && $a -lt $b ]] || die "no '$2' before the first '$3' (frames '$a', '$b')"
}
check_outcome() {   # check_outcome FILE: only TCP to or from $PORT, no bad checksum, one handshake
    # (checksums of packets cut by a snaplen stay unverified, so those are not judged)
    expect_all "$1" "tcp.port==$PORT"
    expect "$1" 'tcp.checksum.status==0' 0
    expect "$1" 'tcp.flags.syn==1 && tcp.flags.ack==0' 1
    expect "$1" 'tcp.flags.syn==1 && tcp.flags.ack==1' 1
}
expect_fins() {     # expect_fins FILE: one FIN each way, no RST
    expect "$1" "tcp.flags.fin==1 && tcp.dstport==$PORT" 1
    expect "$1" "tcp.flags.fin==1 && tcp.srcport==$PORT" 1
    expect "$1" 'tcp.flags.reset==1' 0
}

# --- samples: each records into $1 (a temporary file) and validates it -------

sample_tcp4-normal() {
    mkpair; addrs 4
    exchange "$1" 4 "$V4S" -i v-c tcp
    check_normal "$1"; expect_all "$1" ip
}
sample_tcp4-refused() {     # two connection attempts to a closed port
    mkpair; addrs 4
    cap_start "$1" -i v-c tcp
    local i
    for i in 1 2; do
        if inns "$C" timeout 5 socat -u /dev/null "TCP4:$V4S:$CLOSED" 2>/dev/null; then
            die "connection to closed port $CLOSED (attempt $i) succeeded"
        fi
    done
    cap_stop
    expect "$1" tcp 4
    expect "$1" 'tcp.flags.syn==1 && tcp.flags.ack==0' 2
    expect "$1" 'tcp.flags.reset==1 && tcp.flags.ack==1' 2
}
sample_tcp6-normal() {
    mkpair; addrs 6
    exchange "$1" 6 "[$V6S]" -i v-c tcp
    check_normal "$1"; expect_all "$1" ipv6
}
sample_vlan-normal() {      # 802.1Q tag 100
    mkpair; addrs 4; tag 802.1Q 100
    exchange "$1" 4 "$V4S" -i v-c 'vlan 100 and tcp'
    check_normal "$1"; expect_all "$1" 'eth.type==0x8100 && vlan.id==100'
}
sample_qinq-normal() {      # 802.1ad outer tag 200, 802.1Q inner tag 100
    mkpair; addrs 4; tag 802.1ad 200 100
    exchange "$1" 4 "$V4S" -i v-c 'vlan 200 and vlan 100 and tcp'
    check_normal "$1"; expect_all "$1" 'eth.type==0x88a8 && ieee8021ad.id==200 && vlan.id==100'
}
sample_tcp4-sll() {         # -i any: Linux cooked capture v1 (tcpdump 4.99 defaults to v2)
    mkpair; addrs 4
    exchange "$1" 4 "$V4S" -i any -y LINUX_SLL tcp
    check_normal "$1"; expect_info "$1" -E "Linux cooked-mode capture v1"
}
sample_tcp4-sll2() {        # -i any -y LINUX_SLL2: Linux cooked capture v2
    mkpair; addrs 4
    exchange "$1" 4 "$V4S" -i any -y LINUX_SLL2 tcp
    check_normal "$1"; expect_info "$1" -E "Linux cooked-mode capture v2"
}
sample_tcp4-nano() {        # pcap with nanosecond timestamps
    mkpair; addrs 4
    exchange "$1" 4 "$V4S" -i v-c --time-stamp-precision=nano tcp
    check_normal "$1"; expect_info "$1" -t "nanosecond"
}
sample_tcp4-normal.pcapng() {  # converted from tcp4-normal.pcap (made first if missing)
    [[ -f $OUT/tcp4-normal.pcap ]] || record tcp4-normal
    editcap -F pcapng "$OUT/tcp4-normal.pcap" "$1"
    check_normal "$1"; expect_info "$1" -t pcapng
    expect "$1" frame "$(count "$OUT/tcp4-normal.pcap" frame)"
}

# connection outcomes: IPv4, python3 peers (see write_peer), Ethernet on v-c

sample_tcp4-unanswered() {  # SYNs dropped in $S: the client's kernel retransmits, then gives up
    mkpair; addrs 4; drop syn
    cap_start "$1" -i v-c tcp
    peer_connect unanswered
    cap_stop
    expect_all "$1" "tcp.port==$PORT && tcp.flags.syn==1 && tcp.flags.ack==0"
    expect "$1" tcp 3
    expect "$1" tcp.analysis.retransmission 2
}
sample_tcp4-rst-abort() {   # request, reply, then close with SO_LINGER {1, 0}: RST from the client
    mkpair; addrs 4
    converse "$1" rst-abort -i v-c tcp
    check_outcome "$1"
    expect "$1" tcp 6 20
    expect "$1" "tcp.srcport==$PORT && tcp.len>0" 1 5
    expect "$1" 'tcp.flags.fin==1' 0
    expect "$1" 'tcp.flags.reset==1' 1
    expect "$1" "tcp.flags.reset==1 && tcp.dstport==$PORT" 1
    expect_before "$1" "tcp.srcport==$PORT && tcp.len>0" 'tcp.flags.reset==1'
}
sample_tcp4-half-close() {  # request and FIN from the client, then 5 reply segments over a second
    mkpair; addrs 4
    converse "$1" half-close -i v-c tcp
    check_outcome "$1"; expect_fins "$1"
    expect "$1" tcp 10 40
    expect "$1" "tcp.srcport==$PORT && tcp.len>0" 5
    expect_before "$1" "tcp.flags.fin==1 && tcp.dstport==$PORT" "tcp.srcport==$PORT && tcp.len>0"
}
sample_tcp4-simultaneous-close() {  # both FINs sent before either side saw the other's
    mkpair; addrs 4; throttle
    converse "$1" simultaneous-close -i v-c tcp
    check_outcome "$1"; expect_fins "$1"
    expect "$1" tcp 8 12
    expect "$1" 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission' 0
    # crossed: each FIN acknowledges up to the other's FIN, not past it
    local s1 a1 s2 a2
    read -r s1 a1 s2 a2 <<<"$(fields "$1" tcp.flags.fin==1 tcp.seq tcp.ack | tr '\n' ' ')"
    [[ $a1 == "$s2" && $a2 == "$s1" ]] || die "FINs did not cross: seq/ack $s1/$a1 and $s2/$a2"
}
sample_tcp4-reuse-timewait() {  # 2nd connection from client port $CPORT while the 1st is in TIME-WAIT
    mkpair; addrs 4
    inns "$C" sysctl -qw net.ipv4.tcp_tw_reuse=1        # per namespace; timestamps are on by default
    converse "$1" reuse-timewait -i v-c tcp
    expect_all "$1" "tcp.port==$CPORT && tcp.port==$PORT"
    expect "$1" 'tcp.checksum.status==0' 0
    expect "$1" 'tcp.flags.syn==1 && tcp.flags.ack==0' 2
    expect "$1" 'tcp.flags.syn==1 && tcp.flags.ack==1' 2
    expect "$1" "tcp.flags.fin==1" 4
    expect "$1" 'tcp.flags.reset==1' 0
    expect "$1" tcp.analysis.reused_ports 1
    # the client closed first: its FIN leads, the server's follows
    expect_before "$1" "tcp.flags.fin==1 && tcp.dstport==$PORT" "tcp.flags.fin==1 && tcp.srcport==$PORT"
    local isns; isns=$(fields "$1" 'tcp.flags.syn==1 && tcp.flags.ack==0' tcp.seq_raw | sort -u | wc -l)
    ((isns == 2)) || die "the two SYNs carry $isns different ISNs, want 2"
}
sample_tcp4-loss() {        # 192 KiB upload; the 20th, 50th, 51st and 90th data segments dropped in $S
    mkpair; addrs 4; drop 'len && (n == 20 || n == 50 || n == 51 || n == 90)'
    converse "$1" loss -i v-c -s 128 -c 600 tcp      # later -s/-c win over cap_start's
    check_outcome "$1"; expect_fins "$1"
    expect "$1" tcp 150 599
    expect "$1" 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission' 4 20
    expect "$1" tcp.analysis.duplicate_ack 2 200
    expect "$1" "tcp.srcport==$PORT && tcp.options.sack_le" 2 200
    (($(stat -c %s "$1") < 500000)) || die "$(stat -c %s "$1") bytes, want < 500000"
}
sample_tcp4-zero-window() { # SO_RCVBUF 2048 on the client, which stops reading for 1.5 s
    mkpair; addrs 4
    converse "$1" zero-window -i v-c -s 128 -c 600 tcp
    check_outcome "$1"; expect_fins "$1"
    expect "$1" tcp 20 599
    expect "$1" "tcp.analysis.zero_window && tcp.srcport!=$PORT" 1 100
    expect "$1" "tcp.analysis.window_update && tcp.srcport!=$PORT" 1 100
    # Linux probes a zero window with a segment one below the next sequence number
    expect "$1" "tcp.srcport==$PORT && (tcp.analysis.zero_window_probe || tcp.analysis.keep_alive)" 2 10
}
sample_tcp4-keepalive() {   # keep-alives every second over a 3.5-s idle time, then a normal close
    mkpair; addrs 4
    converse "$1" keepalive -i v-c tcp
    check_outcome "$1"; expect_fins "$1"
    expect "$1" "tcp.analysis.keep_alive && tcp.dstport==$PORT" 3 4
    expect "$1" "tcp.analysis.keep_alive_ack && tcp.srcport==$PORT" 3 4
}

# SYN floods, a scan, backscatter and two benign look-alikes: python3 server (write_crowd)
# on $V4S, legitimate python3 clients, ~0.7 s of them before each flood and ~4 s after

SYN='tcp.flags.syn==1 && tcp.flags.ack==0'
SYNACK='tcp.flags.syn==1 && tcp.flags.ack==1'

flood_spoofed() {   # flood_spoofed FILE 0|1: hping3 --rand-source at $PORT, SYN cookies off|on
    mkpair; addrs 4; backlog_small "$2"
    inns "$S" ip route add default via "$V4C"     # replies to the spoofed sources: to v-c, dropped there
    crowd_serve "$PORT" 8 0
    flood_around "$1" v-c "$C" - hping -S -p "$PORT" --rand-source -i u1300 -c 1800 "$V4S"
    crowd_stop
    expect_normal "$1" "$V4C" 5
    expect "$1" "$SYN && ip.src!=$V4C" 1700 1800
    expect "$1" "$SYN && ip.src!=$V4C && tcp.dstport!=$PORT" 0
    expect_stat SYN-RECV 7 9        # the queue is full (see sample_flood-spoofed-nocookies)
}
sample_flood-spoofed() {    # the queue overflows into SYN cookies
    flood_spoofed "$1" 1
    expect_stat SyncookiesSent 1000 1800
    expect "$1" "$SYNACK && ip.dst!=$V4C && !tcp.analysis.retransmission" 1000 1800
    flood_row "$1" spoofed_syn_flood "$PORT" "$SYN && ip.src!=$V4C" \
        "hping3 -S --rand-source -i u1300 -c 1800 (random sources; the server ignores the martians among them, from 127/8 and 224/4); SYN cookies on and used (SyncookiesSent)"
}
sample_flood-spoofed-nocookies() {  # the queue overflows: SYNs dropped unanswered
    flood_spoofed "$1" 0
    expect_stat SyncookiesSent 0
    # without cookies the kernel keeps a quarter of tcp_max_syn_backlog for peers it
    # knows, so the queue stops at 7 and the other SYNs count as ListenDrops
    expect_stat ListenDrops 1000 1800
    expect "$1" "$SYNACK && ip.dst!=$V4C && !tcp.analysis.retransmission" 7 20
    flood_row "$1" spoofed_syn_flood "$PORT" "$SYN && ip.src!=$V4C" \
        "hping3 -S --rand-source -i u1300 -c 1800; SYN cookies off: the first SYNs fill the queue (SYN-RECV; their SYN-ACKs retransmitted), the rest are dropped unanswered (ListenDrops); $V4C, a peer the server knows, still gets in: the kernel keeps the last quarter of tcp_max_syn_backlog for such peers"
}
sample_flood-single() {     # one source, a new source port for every SYN; SYN cookies on
    mkpair; addrs 4; backlog_small 1; ghost "$V4ATK"
    crowd_serve "$PORT" 8 0
    flood_around "$1" v-c "$C" - hping -S -p "$PORT" -a "$V4ATK" -i u1300 -c 1800 "$V4S"
    crowd_stop
    expect_normal "$1" "$V4C" 5
    expect "$1" "$SYN && ip.src==$V4ATK" 1700 1800
    expect_all "$1" "ip.addr==$V4C || ip.addr==$V4ATK"
    local ports; ports=$(fields "$1" "$SYN && ip.src==$V4ATK" tcp.srcport | sort -u | wc -l)
    ((ports >= 1690)) || die "$ports source ports, want >= 1700"
    expect_stat SyncookiesSent 1000 1800
    flood_row "$1" single_source_flood "$PORT" "$SYN && ip.src==$V4ATK" \
        "hping3 -S -a $V4ATK -i u1300 -c 1800 ($ports source ports; $V4ATK answers nothing); SYN cookies on and used"
}
sample_flood-closed-port() {    # 4 sources at closed port $CLOSED: an RST+ACK for every SYN
    mkpair; addrs 4; backlog_small 1
    local i
    for ((i = BOTS[1]; i <= BOTS[2]; i++)); do ghost "${BOTS[0]}.$i"; done
    crowd_serve "$PORT" 8 0
    flood_around "$1" v-c "$C" - spoof 1800 "$V4S" "$CLOSED" "$CLOSED" 1 "${BOTS[@]}"
    crowd_stop
    expect_normal "$1" "$V4C" 5
    expect "$1" "$SYN && tcp.dstport==$CLOSED" 1800
    local srcs; srcs=$(fields "$1" "$SYN && tcp.dstport==$CLOSED" ip.src | sort -u | wc -l)
    ((srcs == 4)) || die "$srcs sources, want 4"
    expect "$1" "tcp.flags.reset==1 && tcp.flags.ack==1 && tcp.srcport==$CLOSED" \
        "$(count "$1" "$SYN && tcp.dstport==$CLOSED")"
    expect "$1" "$SYNACK && tcp.srcport==$CLOSED" 0
    flood_row "$1" syn_flood "$CLOSED" "$SYN && tcp.dstport==$CLOSED" \
        "hping3 Tcl (write_spoof): 1800 SYNs from ${BOTS[0]}.${BOTS[1]}-${BOTS[2]} at random (4 sources, each counting its source ports up; none answers); closed port: every SYN answered by RST+ACK, no half-open state"
}
sample_scan-syn() {         # nmap -sS of ports 1-1000 from $V4SCAN; 22, 80 and 443 open
    mkpair; addrs 4; backlog_small 1
    inns "$C" ip addr add "$V4SCAN/24" dev v-c
    crowd_serve "22,$PORT,443" 8 0
    flood_around "$1" v-c "$C" "$V4C" scan
    crowd_stop
    expect_normal "$1" "$V4C" 5
    expect "$1" "$SYN && ip.src==$V4SCAN" 1000
    local ports; ports=$(fields "$1" "$SYN && ip.src==$V4SCAN" tcp.dstport | sort -u | wc -l)
    ((ports == 1000)) || die "$ports ports probed, want 1000"
    expect "$1" "$SYNACK && ip.dst==$V4SCAN" 3
    expect "$1" "tcp.flags.reset==1 && ip.src==$V4S && ip.dst==$V4SCAN" 997
    expect "$1" "tcp.flags.reset==1 && ip.src==$V4SCAN" 3      # from $C's kernel, for 22, 80, 443
    flood_row "$1" syn_scan - "$SYN && ip.src==$V4SCAN" \
        "nmap -sS -Pn -p 1-1000 --max-retries 0 --min-rate 400 --max-rate 400 from $V4SCAN (one source port); 22, 80, 443 open (SYN-ACK, then RST from the scanner's kernel), 997 closed (RST+ACK)"
}
sample_backscatter() {      # captured in $T: $S's replies to a flood "from" $T's unused addresses
    mkpair; addrs 4; darknet; backlog_small 1
    crowd_serve "$PORT" 8 0
    CAPNS=$T
    flood_around "$1" v-t "$T" "$DARK.1" spoof 2200 "$V4S" "$PORT" "$CLOSED" 5 "$DARK" 2 254
    crowd_stop
    expect_normal "$1" "$DARK.1" 5
    expect "$1" "$SYN && ip.src!=$DARK.1" 0               # no SYN of the flood is seen here
    expect_all "$1" "ip.src==$DARK.1 || ip.dst==$DARK.1 || ip.src==$V4S"
    expect "$1" "$SYNACK && ip.src==$V4S && ip.dst!=$DARK.1 && !tcp.analysis.retransmission" 1500 1800
    expect "$1" "tcp.flags.reset==1 && ip.src==$V4S && ip.dst!=$DARK.1" 400 460
    local bs="ip.src==$V4S && ip.dst!=$DARK.1" rtx      # the backscatter
    rtx=$(count "$1" "$bs && tcp.analysis.retransmission")
    flood_row "$1" backscatter - "$bs && !tcp.analysis.retransmission" \
        "hping3 Tcl (write_spoof): 2200 SYNs to $V4S from random $DARK.2-.254, 4 in 5 to $PORT (SYN-ACKs, SYN cookies used), 1 in 5 to $CLOSED (RST+ACKs); times: first and last reply; $rtx SYN-ACK retransmissions besides"
}
sample_benign-flash-crowd() {   # 250 complete connections from 50 addresses within ~0.4 s
    mkpair; addrs 4
    local i srcs=()
    for ((i = 100; i < 150; i++)); do
        inns "$C" ip addr add "192.0.2.$i/24" dev v-c
        srcs+=("192.0.2.$i")
    done
    crowd_serve "$PORT" 256 0       # somaxconn and tcp_max_syn_backlog as they come
    cap_start "$1" -i v-c -s 96 -c 9000 tcp
    crowd "$C" 2 0.4 -
    sleep 0.5
    crowd "$C" 250 0.0012 "$(IFS=,; echo "${srcs[*]}")"
    sleep 1
    crowd "$C" 2 0.4 -
    cap_stop; crowd_stop; counters
    expect_normal "$1" "$V4C" 4
    expect "$1" "ip.src==$V4S && tcp.len>0" 254
    expect "$1" "$SYN" 254
    expect "$1" "$SYNACK" 254
    expect "$1" 'tcp.flags.reset==1 || tcp.analysis.retransmission' 0
    expect_stat SyncookiesSent 0
    expect_stat ListenOverflows 0
    local times span
    times=$(fields "$1" "$SYN && ip.src!=$V4C" frame.time_epoch)
    span=$(awk 'NR == 1 {a = $1} END {printf "%.3f", $1 - a}' <<<"$times")
    benign_row "$1" "flash crowd: 250 connections from 192.0.2.100-149 (python3 threads, one begun every 1.2 ms): 250 SYNs over $span s, every handshake and exchange complete, no retransmission; 2 connections from $V4C before and after"
}
sample_benign-slow-server() {   # backlog 1, one accept per 0.25 s: 16 clients' SYNs dropped and resent
    mkpair; addrs 4
    inns "$S" sysctl -qw net.ipv4.tcp_syncookies=0      # an overflow drops a SYN, never cookies
    crowd_serve "$PORT" 1 0.25
    cap_start "$1" -i v-c -s 96 -c 2000 tcp
    crowd "$C" 16 0.05 -
    cap_stop; crowd_stop; counters
    expect_normal "$1" "$V4C" 16
    expect "$1" "$SYN && !tcp.analysis.retransmission" 16
    expect "$1" "$SYN && tcp.analysis.retransmission" 10 80
    expect_stat SyncookiesSent 0
    expect_stat ListenOverflows 10 80
    benign_row "$1" "slow server: listen(1), one accept per 0.25 s, SYN cookies off; 16 clients begun 50 ms apart: SYNs dropped while the accept queue is full (ListenOverflows), $(count "$1" "$SYN && tcp.analysis.retransmission") SYN retransmissions by the clients' kernels, all 16 exchanges complete"
}

record() {      # record NAME: record into a temporary file, move it to samples/ once valid
    local file=$1.pcap tmp
    [[ $1 == *.pcapng ]] && file=$1
    tmp=$WORK/$file
    rm -f "$tmp"
    CAPNS="" ROW="" STATS=""
    "sample_$1" "$tmp"
    teardown
    chmod 644 "$tmp"
    mv -f "$tmp" "$OUT/$file"
    [[ -z $ROW ]] || tsv_put "$ROW"
    printf '%-27s %3d packets\n' "samples/$file" "$(count "$OUT/$file" frame)"
}

main() {
    if [[ ${1:-} == -l ]]; then printf '%s\n' "${SAMPLES[@]}"; exit 0; fi
    local name want=" ${*%.pcap} " names=()
    [[ $want != "  " ]] || want=" ${SAMPLES[*]} "
    for name in $want; do
        [[ " ${SAMPLES[*]} " == *" $name "* ]] || die "unknown sample '$name' (known: ${SAMPLES[*]})"
    done
    # the pcapng copy follows tcp4-normal; make them in the order of SAMPLES
    [[ $want != *" tcp4-normal "* ]] || want+="tcp4-normal.pcapng "
    for name in "${SAMPLES[@]}"; do [[ $want != *" $name "* ]] || names+=("$name"); done
    preflight "${names[@]}"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    WORK=$(mktemp -d)
    # the fixed reply: an HTTP/1.0 header and a 10-line body, 436 bytes in all
    local body; body=$(for i in $(seq -w 1 10); do echo "line $i of the synscope sample reply"; done)
    printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s\n' \
        $((${#body} + 1)) "$body" >"$WORK/reply"
    write_peer >"$WORK/peer.py"
    write_crowd >"$WORK/crowd.py"
    write_spoof >"$WORK/spoof.htcl"
    mkdir -p "$OUT"
    for name in "${names[@]}"; do CUR=$name; record "$name"; done
    CUR=""
}

main "$@"
