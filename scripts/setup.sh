#!/usr/bin/env bash
# Installs what synscope needs to build (and, with --test, to run its whole
# test suite), then configures and builds it in ./build.
# Usage: scripts/setup.sh [--test]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

build_pkgs=(gcc libc6-dev libpcap-dev libncurses-dev check meson ninja-build pkg-config)
# Test-only tools: the differential tests compare against tshark and
# tcpdump, the unit tests also run under valgrind, clang checks warnings
# and, with its libFuzzer runtime, fuzzes (scripts/fuzz.sh); mingw-w64
# cross-compiles the core for Windows (scripts/cross-windows.sh).
test_pkgs=(python3 tshark tcpdump valgrind clang libclang-rt-14-dev
	gcc-mingw-w64-x86-64 iproute2 tmux)

want=("${build_pkgs[@]}")
if [ "${1:-}" = "--test" ]; then
	want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if ! command -v apt-get >/dev/null; then
		echo "setup: missing packages: ${missing[*]} (no apt-get here: install them by hand)" >&2
		exit 1
	fi
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null; then
			sudo=(sudo)
		else
			echo "setup: run as root, or install: apt-get install ${missing[*]}" >&2
			exit 1
		fi
	fi
	echo "setup: installing ${missing[*]}"
	"${sudo[@]}" apt-get update -qq
	# tshark asks whether non-root users may capture; the default (no)
	# is right for a build machine.
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -f build/build.ninja ]; then
	meson setup --reconfigure build -Dwerror=true >/dev/null
else
	meson setup build -Dwerror=true >/dev/null
fi
ninja -C build >/dev/null
echo "setup: built $top/build/cli/synscope"
