#!/usr/bin/env bash
# Robustness: every capture of the corpus (and samples/) goes through
# synscope in each output mode, meant for a sanitizer build. A file passes
# when every run exits 0, or exits 1 after exactly one "synscope: " line on
# stderr (unreadable or truncated input), with no sanitizer report, no
# signal and no timeout.
#
# Usage: robustness.sh SYNSCOPE SOURCE_ROOT [DIR...]
#   DIR defaults to SOURCE_ROOT/../shared/corpus/tcpdump and
#   SOURCE_ROOT/samples. Exit 77 (Meson's skip) when a DIR is absent.
#   ROBUSTNESS_TIMEOUT: seconds per run (default 30).
#   ROBUSTNESS_JOBS: files checked in parallel (default: the CPU count).
set -uo pipefail

SYNSCOPE=${1:?usage: $0 SYNSCOPE SOURCE_ROOT [DIR...]}
SRC=${2:?usage: $0 SYNSCOPE SOURCE_ROOT [DIR...]}
shift 2
if [ $# -eq 0 ]; then
	set -- "$SRC/../shared/corpus/tcpdump" "$SRC/samples"
fi
TIMEOUT=${ROBUSTNESS_TIMEOUT:-30}
JOBS=${ROBUSTNESS_JOBS:-$(nproc 2>/dev/null || echo 1)}

# Set here rather than inherited: meson test exports its own defaults
# (abort_on_error=1). halt_on_error: the first report ends the run, so it is
# never buried under the output of the rest of the file; reports are found
# by their text, since ASan and UBSan exit 1 like a clean error does.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TZ=UTC LC_ALL=C

for dir in "$@"; do
	if [ ! -d "$dir" ]; then
		echo "skipped: capture folder $dir is absent"
		exit 77
	fi
done
if [ ! -x "$SYNSCOPE" ]; then
	echo "robustness: $SYNSCOPE is not an executable"
	exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/synscope-robust.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

passes=0
failures=0
runs=0
exit0=0
exit1=0
started=$SECONDS

# check FILE MODE ARGS...: runs synscope once; prints why it failed, if it
# did, and returns non-zero then.
check() {
	local file=$1 mode=$2 rc lines why
	shift 2
	timeout -k 5 "$TIMEOUT" "$SYNSCOPE" "$@" -r "$file" \
		>/dev/null 2>"$err"
	rc=$?
	runs=$((runs + 1))
	# the detector's alert lines are output, not complaints
	lines=$(grep -cv '^synscope: alert ' "$err")
	if grep -Eq 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' \
		"$err"; then
		why="sanitizer report (exit $rc)"
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="timed out after ${TIMEOUT}s"
	elif [ "$rc" -ge 128 ]; then
		why="killed by signal $((rc - 128))"
	elif [ "$rc" -eq 0 ] && [ "$lines" -eq 0 ]; then
		exit0=$((exit0 + 1))
		return 0
	elif [ "$rc" -eq 0 ]; then
		why="exit 0 but $lines line(s) on stderr"
	elif [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] &&
		grep -q '^synscope: ' "$err"; then
		exit1=$((exit1 + 1))
		return 0
	elif [ "$rc" -eq 1 ]; then
		why="exit 1 with $lines line(s) on stderr, expected one 'synscope: ' line"
	else
		why="exit $rc"
	fi
	echo "FAIL $file ($mode): $why"
	sed -n '1,12s/^/     /p' "$err"
	return 1
}

# shard N: checks every JOBS-th file from the N-th, in a subshell of its
# own; leaves its failures in WORK/log.N and its counters in WORK/count.N.
shard() {
	local n=$1 i=0 file ok
	err=$WORK/err.$n
	for file in "${files[@]}"; do
		i=$((i + 1))
		[ $((i % JOBS)) -eq "$n" ] || continue
		ok=1
		check "$file" json --packets=json || ok=0
		check "$file" text --packets || ok=0
		check "$file" summary || ok=0
		if [ "$ok" -eq 1 ]; then
			passes=$((passes + 1))
		else
			failures=$((failures + 1))
		fi
	done >"$WORK/log.$n"
	echo "$passes $failures $runs $exit0 $exit1" >"$WORK/count.$n"
}

files=()
for dir in "$@"; do
	for file in "$dir"/*.pcap "$dir"/*.pcapng "$dir"/*.cap; do
		[ -f "$file" ] && files+=("$file")
	done
done
for ((n = 0; n < JOBS; n++)); do
	shard "$n" &
done
wait
for ((n = 0; n < JOBS; n++)); do
	cat "$WORK/log.$n"
	if [ ! -s "$WORK/count.$n" ]; then
		echo "FAIL shard $n of $JOBS did not finish"
		failures=$((failures + 1))
		continue
	fi
	read -r p f r e0 e1 <"$WORK/count.$n"
	passes=$((passes + p)) failures=$((failures + f)) runs=$((runs + r))
	exit0=$((exit0 + e0)) exit1=$((exit1 + e1))
done

echo "robustness: $((passes + failures)) files, $runs runs" \
	"in $((SECONDS - started)) s: $exit0 exit 0," \
	"$exit1 exit 1 with one error line, $((runs - exit0 - exit1)) failed"
echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
