#!/usr/bin/env bash
# Speed work must not change a byte of output. This runs two synscope
# binaries over every capture in samples/, tests/regress/ and (where it
# is) ../shared/corpus/tcpdump/, in several modes, and lists every
# capture and mode where their standard output, standard error or exit
# status differ.
#
#   bench/same-output.sh OLD_BINARY NEW_BINARY [EXTRA_ARG ...]
#
# EXTRA_ARG goes to the new binary only (e.g. --threads 1). SAME_FILES
# adds captures (space-separated paths, e.g. bench/data/big1m.pcap).
# Exit status 0 when everything agrees, 1 otherwise.
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 OLD NEW [EXTRA_ARG ...]" >&2; exit 2; }
old=$1 new=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
corpus="$top/../shared/corpus/tcpdump"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

files=("$top"/samples/*.pcap "$top"/tests/regress/*.pcap*)
# shellcheck disable=SC2206
files+=(${SAME_FILES:-})
if [ -d "$corpus" ]; then
	for f in "$corpus"/*; do
		case $f in *.pcap | *.pcapng | *.cap) files+=("$f") ;; esac
	done
fi

modes=(
	""
	"--conns=json"
	"--conns=csv"
	"--conns=zeek"
	"--packets"
	"--packets=json"
	"--alerts=-"
	"--max-flows 16 --conns=json"
	"--detector cusum --alerts=-"
	"-c 7 --conns=json"
	"--memcap 40M --conns=json"
)

bad=0 runs=0
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	for m in "${modes[@]}"; do
		# shellcheck disable=SC2086
		timeout 60 "$old" -r "$f" --seed 7 $m >"$tmp/o1" 2>"$tmp/e1"
		s1=$?
		# shellcheck disable=SC2086
		timeout 60 "$new" -r "$f" --seed 7 $m "$@" >"$tmp/o2" 2>"$tmp/e2"
		s2=$?
		runs=$((runs + 1))
		if [ $s1 != $s2 ] || ! cmp -s "$tmp/o1" "$tmp/o2" ||
			! cmp -s "$tmp/e1" "$tmp/e2"; then
			echo "DIFFERS: ${f#"$top"/} [$m] (status $s1 vs $s2)"
			bad=$((bad + 1))
		fi
	done
done
echo "same-output: $runs runs over ${#files[@]} captures, $bad differ"
[ $bad = 0 ]
