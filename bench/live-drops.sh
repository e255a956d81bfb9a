#!/usr/bin/env bash
# live-drops.sh - kernel drops of a live capture: synscope against tcpdump
# at the same offered rate (a benchmark, not a test).
#
# Usage: sudo bench/live-drops.sh [SYNSCOPE] [PACKETS] [GAP_US] [REPS]
#   SYNSCOPE  the binary (default build/cli/synscope)
#   PACKETS   SYNs the load generator sends per run (default 200000)
#   GAP_US    microseconds between them, hping3 -i uN (default 5)
#   REPS      runs per tool (default 3)
#
# Inside a network namespace made here, hping3 sends PACKETS SYNs to a
# listening port on the namespace's loopback (the kernel answers every one
# with a SYN-ACK or RST, so a capture sees about twice as many packets).
# Each run captures that load with one tool while nothing else captures:
#   tcpdump -n -i lo -w /dev/null
#   synscope -i lo --conns=json > /dev/null   (decode, flows, detection)
# Both use libpcap's default buffer (-B 2048 KiB, said explicitly) and
# immediate mode off. The figures are each tool's own closing statistics:
# packets received by the filter and dropped by the kernel. Every run is
# bounded by the packet count and by timeouts; the namespace is removed
# on exit.
set -euo pipefail

BIN=${1:-build/cli/synscope}
N=${2:-200000}
GAP=${3:-5}
REPS=${4:-3}
NS=ssdrop-$$
WORK=$(mktemp -d)

die() { echo "live-drops: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespace, capture)"
for t in ip hping3 tcpdump python3; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
[ -x "$BIN" ] || die "$BIN: no such binary (build first)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

cleanup() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
nsx() { ip netns exec "$NS" "$@"; }

# A listener with a large backlog (answers with SYN-ACKs) that lives as
# long as the benchmark, at most 30 minutes.
ip netns exec "$NS" timeout 1800 python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8080)); s.listen(4096); time.sleep(1800)' &
SRV=$!
sleep 0.5

# run NAME CMD...: capture while the generator runs; prints
# "received dropped" from the tool's closing line on stderr.
run() {
	local name=$1; shift
	ip netns exec "$NS" timeout 600 "$@" 2>"$WORK/$name.err" >/dev/null &
	local pid=$!
	sleep 1
	nsx timeout 600 hping3 -q -S -p 8080 -i "u$GAP" -c "$N" 127.0.0.1 \
		>/dev/null 2>&1 || true
	sleep 1
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" || true
	python3 - "$WORK/$name.err" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
r = re.search(r"(\d+) (?:packets? )?received by filter", t)
d = re.search(r"(\d+) (?:packets? )?dropped by kernel", t)
print(r.group(1) if r else "?", d.group(1) if d else "?")
PY
}

printf "%-10s %4s %12s %12s\n" tool run received dropped
for i in $(seq "$REPS"); do
	read -r rcv drp < <(run tcpdump tcpdump -n -i lo -B 2048 -w /dev/null)
	printf "%-10s %4d %12s %12s\n" tcpdump "$i" "$rcv" "$drp"
	read -r rcv drp < <(run synscope "$BIN" -i lo -B 2048 --conns=json)
	printf "%-10s %4d %12s %12s\n" synscope "$i" "$rcv" "$drp"
done
