#!/usr/bin/env bash
# Live capture, end to end, inside a network namespace this test creates:
# synscope captures on the namespace's loopback while a python3 client and
# server make one real TCP connection through the kernel. Checks -c, -w,
# the BPF filter, the closing capture statistics, -D, and that SIGINT
# stops a capture cleanly. Needs root and iproute2; skipped otherwise.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root"
command -v ip >/dev/null || skip "iproute2 is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

ns="synscope-e2e-$$"
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace here"
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$WORK"' EXIT
ip -n "$ns" link set lo up
nsx() { ip netns exec "$ns" "$@"; }

nsx timeout 20 "$SYNSCOPE" -i lo -c 4 -w "$WORK/live.pcap" --packets=json \
	tcp port 5555 >"$WORK/live.json" 2>"$WORK/live.err" &
pid=$!
if wait_listening "$WORK/live.err"; then
	connect_once "$ns" 5555
	wait "$pid"; rc=$?
else
	kill "$pid" 2>/dev/null; rc=99
fi
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$WORK/live.json")" -eq 4 ] &&
	head -n 1 "$WORK/live.json" | grep -q '"flags":"SYN"'; then
	ok "live capture with -c 4 and a filter sees the handshake"
else
	not_ok "live capture with -c 4 and a filter sees the handshake" "exit $rc" "$(cat "$WORK/live.err")"
fi
if grep -Eq '^synscope: 4 packets captured, [0-9]+ received by filter, 0 dropped by kernel, [0-9]+ dropped by interface$' "$WORK/live.err"; then
	ok "live capture ends with capture statistics"
else
	not_ok "live capture ends with capture statistics" "$(cat "$WORK/live.err")"
fi
"$SYNSCOPE" -r "$WORK/live.pcap" --packets=json >"$WORK/replay.json" 2>&1
if diff <(sed 's/"frame":[0-9]*,//' "$WORK/live.json") <(sed 's/"frame":[0-9]*,//' "$WORK/replay.json") >/dev/null; then
	ok "-w keeps what the live capture saw"
else
	not_ok "-w keeps what the live capture saw"
fi

# SIGINT: stop, flush, print statistics, exit 0. `ip netns exec` execs
# synscope, so $! is synscope itself; a watchdog bounds the run.
ip netns exec "$ns" "$SYNSCOPE" -i lo --packets tcp port 5555 >"$WORK/int.txt" 2>"$WORK/int.err" &
pid=$!
(sleep 20; kill -KILL "$pid") >/dev/null 2>&1 &
watchdog=$!
if wait_listening "$WORK/int.err"; then
	connect_once "$ns" 5555
	sleep 0.3
	kill -INT "$pid"
	wait "$pid"; rc=$?
else
	kill "$pid" 2>/dev/null; rc=99
fi
kill "$watchdog" 2>/dev/null
if [ "$rc" -eq 0 ] && grep -q "Flags \[S\]" "$WORK/int.txt" && grep -q "packets captured" "$WORK/int.err"; then
	ok "SIGINT stops a live capture cleanly"
else
	not_ok "SIGINT stops a live capture cleanly" "exit $rc" "$(cat "$WORK/int.err")"
fi

# SIGINT with --conns: the connection still held is written out.
ip netns exec "$ns" "$SYNSCOPE" -i lo --conns=json tcp port 5555 >"$WORK/conns.json" 2>"$WORK/conns.err" &
pid=$!
(sleep 20; kill -KILL "$pid") >/dev/null 2>&1 &
watchdog=$!
if wait_listening "$WORK/conns.err"; then
	connect_once "$ns" 5555
	sleep 0.3
	kill -INT "$pid"
	wait "$pid"; rc=$?
else
	kill "$pid" 2>/dev/null; rc=99
fi
kill "$watchdog" 2>/dev/null
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$WORK/conns.json")" -eq 1 ] &&
	grep -q '"id.resp_p":5555' "$WORK/conns.json"; then
	ok "SIGINT writes the records of connections still held"
else
	not_ok "SIGINT writes the records of connections still held" "exit $rc" "$(cat "$WORK/conns.err" "$WORK/conns.json")"
fi

if nsx "$SYNSCOPE" -D | grep -q '^[0-9]*\.lo '; then
	ok "-D lists the loopback interface"
else
	not_ok "-D lists the loopback interface"
fi

finish
