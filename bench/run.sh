#!/usr/bin/env bash
# The speed benchmark in one command:
#
#   bench/run.sh [--runs N] [--build DIR]
#
# 1. builds synscope and the floor (bench/pcap_floor.c) in a release build
#    with LTO (build-release/, or DIR; set up there if need be);
# 2. builds the captures in bench/data/ (not committed) unless they are
#    there already: big10m.pcap, 10,000,000 packets of the samples'
#    connections replayed (bench.py make-big, about 70 s), and
#    flood5m.pcap, 5,000,000 packets of spoofed SYNs with ordinary
#    connections woven in (bench.py make-flood, about 90 s);
# 3. times, over each capture, in one run: the bare libpcap read loop
#    (the floor), `synscope -r F`, `synscope -r F --conns=json`, and
#    `tcpdump -n -r F`, `tshark -r F -q -z conv,tcp` and `tcptrace -n F`
#    where installed (a note says which are not), N runs each (5 by
#    default; 2 for tcpdump and tcptrace, 1 for tshark; a run past 5
#    minutes is stopped and noted), and prints the medians: wall and CPU
#    seconds (CPU counts every thread), packets/s, peak RSS, and each
#    ratio to the floor and to synscope's summary run.
#
#    On the flood the peers run only with BENCH_FLOOD_PEERS=1: tshark
#    takes 80 s and 9.5 GB of memory there, tcptrace more than 14 GB,
#    and tcpdump's relative-sequence table (one entry per 4-tuple in a
#    fixed-size hash) makes it quadratic, past the 5-minute limit.
#
# With the captures built, a whole run takes about 5 minutes on the
# 2-core machine, most of it the peers on the big capture: tshark about
# 100 s (5.5 GB of memory), tcpdump 40 s a run, tcptrace 8 s a run.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build-release"
runs=5
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	*) echo "usage: bench/run.sh [--runs N] [--build DIR]" >&2; exit 2 ;;
	esac
done

# a release build with link-time optimisation: the per-packet path
# crosses decode/, flow/ and detect/, and LTO inlines across them
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" --buildtype=release -Db_lto=true >/dev/null
else
	meson configure "$build" -Dbuildtype=release -Db_lto=true >/dev/null
fi
ninja -C "$build" cli/synscope bench/pcap-floor >/dev/null

data="$top/bench/data"
mkdir -p "$data"
[ -f "$data/big10m.pcap" ] ||
	python3 "$top/bench/bench.py" make-big --packets 10000000 \
		--out "$data/big10m.pcap"
[ -f "$data/flood5m.pcap" ] ||
	python3 "$top/bench/bench.py" make-flood --packets 5000000 \
		--out "$data/flood5m.pcap"

echo "$("$build/cli/synscope" --version 2>&1 | head -n 1), $(nproc) CPUs," \
	"$(uname -sr), build $build"
echo
python3 "$top/bench/bench.py" conns --build "$build" --runs "$runs" \
	"$data/big10m.pcap"
# the peers on the flood only on request: see bench.py flood
python3 "$top/bench/bench.py" flood --build "$build" --runs "$runs" \
	${BENCH_FLOOD_PEERS:+--peers} "$data/flood5m.pcap"
