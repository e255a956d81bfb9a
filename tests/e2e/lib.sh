# Shared helpers of the end-to-end tests. Each test script sources this,
# calls check/expect_error, and ends with `finish`.
# shellcheck shell=bash
set -uo pipefail

SYNSCOPE=${1:?usage: $0 SYNSCOPE SOURCE_ROOT}
SRC=${2:?usage: $0 SYNSCOPE SOURCE_ROOT}
WORK=$(mktemp -d /tmp/synscope-e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export TZ=UTC LC_ALL=C

passes=0
failures=0

ok() { passes=$((passes + 1)); echo "ok   $1"; }
not_ok() { failures=$((failures + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "     $l"; done; }

# expect_error NAME CODE PATTERN -- COMMAND...: the command exits CODE and
# prints exactly one line on stderr, starting "synscope: " and matching
# PATTERN (an extended regex).
expect_error() {
	local name=$1 code=$2 pattern=$3
	shift 4
	"$@" >"$WORK/out" 2>"$WORK/err"
	local rc=$? lines
	lines=$(wc -l <"$WORK/err")
	if [ "$rc" -ne "$code" ]; then
		not_ok "$name" "exit $rc, expected $code" "$(head -c 300 "$WORK/err")"
	elif [ "$lines" -ne 1 ]; then
		not_ok "$name" "expected one line on stderr, got $lines:" "$(head -c 500 "$WORK/err")"
	elif ! grep -Eq "^synscope: .*$pattern" "$WORK/err"; then
		not_ok "$name" "stderr does not match /$pattern/:" "$(cat "$WORK/err")"
	else
		ok "$name"
	fi
}

# expect_output NAME WANT GOT [LINE...]: GOT matches the expected file
# WANT byte for byte (else the head of the diff and the LINEs are shown).
# With UPDATE=1 GOT replaces WANT instead (review the diff before
# committing).
expect_output() {
	local name=$1 want=$2 got=$3
	shift 3
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$got" "$want"
		ok "$name (updated)"
	elif diff -u "$want" "$got" >"$WORK/diff"; then
		ok "$name"
	else
		not_ok "$name" "output differs from ${want#"$SRC"/}:" \
			"$(head -n 40 "$WORK/diff")" "$@"
	fi
}

# connect_once NETNS PORT: one TCP connection on 127.0.0.1:PORT inside
# the network namespace NETNS: request, reply, close. Bounded by timeouts
# on both sides.
connect_once() {
	ip netns exec "$1" timeout 10 python3 - "$2" <<'PY'
import socket, sys, threading
port = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port)); srv.listen(1); srv.settimeout(5)
def serve():
    c, _ = srv.accept(); c.settimeout(5)
    c.recv(100); c.sendall(b"pong\n"); c.close()
t = threading.Thread(target=serve); t.start()
cli = socket.create_connection(("127.0.0.1", port), timeout=5)
cli.sendall(b"ping\n"); cli.recv(100); cli.close()
t.join(); srv.close()
PY
}

# wait_listening FILE: waits (up to 5 s) until synscope's stderr, going
# to FILE, says it is listening.
wait_listening() {
	for _ in $(seq 50); do
		grep -q "listening on" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

finish() {
	echo "$passes passed, $failures failed"
	[ "$failures" -eq 0 ]
}

skip() { echo "skipped: $1"; exit 77; }
