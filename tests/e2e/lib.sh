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

finish() {
	echo "$passes passed, $failures failed"
	[ "$failures" -eq 0 ]
}

skip() { echo "skipped: $1"; exit 77; }
