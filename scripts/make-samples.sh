#!/usr/bin/env bash
# make-samples.sh - record small captures of real kernel TCP traffic into samples/.
#
# Usage: sudo scripts/make-samples.sh [SAMPLE...]      (default: every sample)
#        scripts/make-samples.sh -l                    (list the sample names)
# SAMPLE is a file name in samples/ with or without ".pcap": tcp4-normal,
# tcp4-refused.pcap, tcp4-normal.pcapng, ...  (tcp4-normal brings its pcapng copy along)
#
# Traffic only flows between two network namespaces made here (ssmk-PID-cli and
# ssmk-PID-srv, joined by the veth pair v-c <-> v-s), on documentation addresses
# (192.0.2.0/24, 2001:db8::/64).  socat is both client and server; the kernel's
# TCP stack does the TCP.  Captures are taken in the client namespace.  Every
# namespace and process made here is removed on exit, failure included.
set -euo pipefail

SAMPLES=(tcp4-normal tcp4-refused tcp6-normal vlan-normal qinq-normal
         tcp4-sll tcp4-sll2 tcp4-nano tcp4-normal.pcapng)
OUT=$(cd "$(dirname "$0")/.." && pwd)/samples
PFX=ssmk-$$
C=$PFX-cli S=$PFX-srv           # client and server namespaces
declare -A DEV=([$C]=v-c [$S]=v-s)
V4C=192.0.2.1 V4S=192.0.2.2 V6C=2001:db8::1 V6S=2001:db8::2
PORT=80 CLOSED=81
PIDS=() WORK="" CAP="" SRV="" CUR=""

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
    case " $* " in *" vlan-normal "* | *" qinq-normal "*) need+=(clang:clang) ;; esac
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
    local ns
    for ns in "$C" "$S"; do
        inns "$ns" ip link set lo up
        if command -v ethtool >/dev/null; then
            inns "$ns" ethtool -K "${DEV[$ns]}" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
                note "ethtool -K ${DEV[$ns]} failed; offloads may still be on"
        fi
        inns "$ns" ip link set "${DEV[$ns]}" up
    done
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

cap_start() {   # cap_start FILE TCPDUMP-ARGS...: capture in $C, return once listening
    local file=$1; shift
    rm -f "$WORK/tcpdump.err"   # a stale "listening on" must not pass for this one's
    # -Z root: do not switch to the tcpdump user (the work dir is private)
    ip netns exec "$C" timeout 30 tcpdump -Z root -U --immediate-mode -s 0 -c 200 -w "$file" "$@" \
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

record() {      # record NAME: record into a temporary file, move it to samples/ once valid
    local file=$1.pcap tmp
    [[ $1 == *.pcapng ]] && file=$1
    tmp=$WORK/$file
    rm -f "$tmp"
    "sample_$1" "$tmp"
    teardown
    chmod 644 "$tmp"
    mv -f "$tmp" "$OUT/$file"
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
    mkdir -p "$OUT"
    for name in "${names[@]}"; do CUR=$name; record "$name"; done
    CUR=""
}

main "$@"
