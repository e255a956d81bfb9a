#!/usr/bin/env bash
# CI fuzzing step: builds the libFuzzer targets (clang, -Dfuzz=true) in
# build-fuzz/, seeds them (fuzz/seed.sh) and runs each for SECONDS with
# ASan and UBSan. Any crash, sanitizer report, leak, hang (25 s) or broken
# promise fails the step; its input is kept in build-fuzz/fuzz-artifacts/.
# docs/fuzzing.md has longer runs and how a finding becomes a regression
# capture.
#
# Usage: scripts/fuzz.sh [SECONDS]     (default 60 per target)
#   FUZZ_BUILD  build directory (default build-fuzz)
#   FUZZ_PARALLEL  1: the targets run side by side (default when there
#                  are 2 CPUs or more), 0: one after another
# Ends with "fuzz: N passed, M failed, K skipped"; exit 0, 1 on a finding
# or a broken build, 77 when clang or libFuzzer is not installed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
seconds=${1:-60}
build=${FUZZ_BUILD:-build-fuzz}
targets=(fuzz_decode fuzz_pipeline)
cpus=$(nproc 2>/dev/null || echo 1)
parallel=${FUZZ_PARALLEL:-$((cpus >= 2 ? 1 : 0))}

case $seconds in
'' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;;
esac

skip() {
	echo "fuzz: skipped: $1"
	echo "fuzz: 0 passed, 0 failed, ${#targets[@]} skipped"
	exit 77
}

fail_build() {
	echo "fuzz: $1"
	echo "fuzz: 0 passed, ${#targets[@]} failed, 0 skipped"
	exit 1
}

# libFuzzer ships with clang's runtime libraries (Debian: libclang-rt-NN-dev).
command -v clang >/dev/null || skip "clang is not installed"
probe=$(mktemp -d)
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	'{ (void)d; (void)n; return 0; }' >"$probe/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/probe.c" \
	-o "$probe/probe" 2>/dev/null; then
	rm -rf "$probe"
	skip "clang cannot link -fsanitize=fuzzer,address,undefined (libFuzzer missing: install libclang-rt-dev for your clang)"
fi
rm -rf "$probe"

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dwerror=true >/dev/null || fail_build "meson setup $build failed"
fi
build=$(cd "$build" && pwd)
meson compile -C "$build" "${targets[@]}" extract_frames >"$build/fuzz-build.log" 2>&1 ||
	{ tail -n 30 "$build/fuzz-build.log"; fail_build "build failed"; }

seeds=$build/fuzz-seeds
fuzz/seed.sh "$build" "$seeds" || fail_build "seeding failed"

artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# run TARGET: fuzzes one target into its log; returns libFuzzer's status.
run() {
	local t=$1 corpus=$build/fuzz-corpus/$1 extra=()
	mkdir -p "$corpus"
	[ "$t" = fuzz_pipeline ] && extra=(-max_len=65536)
	"$build/fuzz/$t" "$corpus" "$seeds/${t#fuzz_}" \
		-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
		-dict=fuzz/synscope.dict -artifact_prefix="$artifacts/$t-" \
		-print_final_stats=1 "${extra[@]}" >"$build/$t.log" 2>&1
}

echo "fuzz: ${#targets[@]} targets, $seconds s each," \
	"$([ "$parallel" = 1 ] && echo side by side || echo one after another)"
for t in "${targets[@]}"; do
	rm -f "$artifacts/$t-"* "$build/$t.status"
	if [ "$parallel" = 1 ]; then
		{ run "$t"; echo $? >"$build/$t.status"; } &
	else
		run "$t"
		echo $? >"$build/$t.status"
	fi
done
wait

passed=0 failed=0
for t in "${targets[@]}"; do
	log=$build/$t.log
	rc=$(cat "$build/$t.status" 2>/dev/null || echo "?")
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ "$rc" = 0 ]; then
		echo "fuzz: $t: ok, ${runs:-?} runs, ${rate:-?} exec/s," \
			"${cov:-cov: ?}, $(find "$build/fuzz-corpus/$t" -type f | wc -l) inputs in its corpus"
		passed=$((passed + 1))
		continue
	fi
	failed=$((failed + 1))
	echo "fuzz: $t: FAILED (libFuzzer exit $rc); the report:"
	grep -n -m 1 -E '==[0-9]+==ERROR|runtime error:|broken promise|ALARM|out-of-memory|deadly signal' "$log" |
		cut -d: -f1 | while read -r n; do
			sed -n "$n,$((n + 24))p" "$log" | sed 's/^/    /'
		done
	for a in "$artifacts/$t-"*; do
		[ -f "$a" ] || continue
		echo "    input kept: $a"
		echo "    reproduce:  $build/fuzz/$t $a"
	done
	echo "    full log:   $build/$t.log"
done
echo "fuzz: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
