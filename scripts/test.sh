#!/usr/bin/env bash
# One command for the whole test suite: install what is missing, build,
# then run every test in three builds and end with one pass/fail count:
#   build/        gcc, -Werror: all suites (unit, e2e, differential, robustness)
#   build/ again  the unit tests under valgrind (meson test --setup=valgrind)
#   build-asan/   AddressSanitizer + UBSan: unit, e2e and robustness suites
#   build-clang/  clang, -Werror: must compile warning-free
#   build-fuzz/   clang + libFuzzer: each fuzzer for FUZZ_SECONDS (default 60)
#   build-mingw/  mingw-w64: the core libraries cross-compiled for Windows
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh" --test || exit 1
cd "$top"

passed=0 failed=0 skipped=0

# Adds the counts of one `meson test` run (its closing summary) to the total.
count() {
	local log=$1 ok fail skip to
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ -z "$ok" ]; then
		failed=$((failed + 1))   # meson itself failed
		return
	fi
	passed=$((passed + ok))
	failed=$((failed + ${fail:-0} + ${to:-0}))
	skipped=$((skipped + ${skip:-0}))
}

# Runs a script that ends with "NAME: N passed, M failed, K skipped" and
# adds those counts; a script that dies before that line counts as failed.
run_counted() {
	local title=$1 log p f k
	shift
	echo
	echo "== $title"
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	read -r p f k < <(sed -n 's/^[a-z-]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "${p:-}" ]; then
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
}

run() {
	local title=$1
	shift
	echo
	echo "== $title"
	local log
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	count "$log"
	rm -f "$log"
}

run "all suites (gcc)" meson test -C build --print-errorlogs

run "unit tests under valgrind" meson test -C build --setup=valgrind --suite unit --print-errorlogs

echo
echo "== AddressSanitizer + UBSan build"
if [ -f build-asan/build.ninja ] || meson setup build-asan -Dwerror=true \
	-Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fno-sanitize-recover=all >/dev/null; then
	if ninja -C build-asan >/dev/null; then
		export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		run "unit, e2e and robustness suites under ASan+UBSan" \
			meson test -C build-asan --suite unit --suite e2e \
			--suite robustness --print-errorlogs
		unset ASAN_OPTIONS UBSAN_OPTIONS
	else
		echo "sanitizer build failed"; failed=$((failed + 1))
	fi
else
	echo "sanitizer configure failed"; failed=$((failed + 1))
fi

echo
echo "== clang build, warnings as errors"
if command -v clang >/dev/null; then
	if { [ -f build-clang/build.ninja ] || CC=clang meson setup build-clang -Dwerror=true >/dev/null; } &&
		ninja -C build-clang >/dev/null; then
		echo "clang build: ok"; passed=$((passed + 1))
	else
		echo "clang build: FAILED"; failed=$((failed + 1))
	fi
else
	echo "clang not installed: skipped"; skipped=$((skipped + 1))
fi

run_counted "fuzzing: libFuzzer, ${FUZZ_SECONDS:-60} s per target (scripts/fuzz.sh)" \
	"$top/scripts/fuzz.sh" "${FUZZ_SECONDS:-60}"

run_counted "Windows cross-compile of the core (scripts/cross-windows.sh)" \
	"$top/scripts/cross-windows.sh"

echo
echo "synscope tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
