#!/usr/bin/env bash
# CI step: cross-compiles the core libraries (decode, flow, detect, report)
# for 64-bit Windows with mingw-w64, warnings as errors, and links them
# into tests/core/core_smoke.exe so an unresolved POSIX call fails here.
# Nothing is run: there is no Windows (or Wine) to run it on.
# docs/windows.md says what this covers and what it does not.
#
# Usage: scripts/cross-windows.sh     (builds in build-mingw/)
#   CROSS_BUILD  build directory (default build-mingw)
# Ends with "cross-windows: N passed, M failed, K skipped"; exit 0, 1 when
# the build fails, 77 when mingw-w64 is not installed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
build=${CROSS_BUILD:-build-mingw}
cross=cross/mingw-w64-x86_64.txt

if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
	echo "cross-windows: skipped: x86_64-w64-mingw32-gcc is not installed (Debian: gcc-mingw-w64-x86-64)"
	echo "cross-windows: 0 passed, 0 failed, 1 skipped"
	exit 77
fi

fail() {
	echo "cross-windows: $1"
	echo "cross-windows: 0 passed, 1 failed, 0 skipped"
	exit 1
}

if [ ! -f "$build/build.ninja" ]; then
	log=$(mktemp)
	if ! meson setup "$build" --cross-file "$cross" -Dcore_only=true \
		-Dwerror=true >"$log" 2>&1; then
		tail -n 20 "$log"
		rm -f "$log"
		fail "meson setup failed"
	fi
	rm -f "$log"
fi
if ! ninja -C "$build" >"$build/cross-build.log" 2>&1; then
	grep -E 'error|warning' "$build/cross-build.log" | head -n 40
	fail "the core does not cross-compile for Windows (log: $build/cross-build.log)"
fi
exe=$build/tests/core/core_smoke.exe
[ -f "$exe" ] || fail "$exe was not built"
echo "cross-windows: ok: the core libraries and $(basename "$exe") built for x86_64-w64-mingw32, -Werror"
echo "cross-windows: 1 passed, 0 failed, 0 skipped"
