#!/usr/bin/env bash
# Memory bounds, end to end: a generated flood of ten million spoofed SYNs
# (tests/tools/synflood_gen, piped in, never written to disk) with one real
# connection running through it, and every flood sample, each read with
# --memcap. The peak resident memory of synscope stays under the cap, and
# the real connection is tracked from its handshake to its FIN with every
# one of its packets counted.
#
# usage: memcap.sh SYNSCOPE SOURCE_ROOT SYNFLOOD_GEN [COUNT]
. "$(dirname "$0")/lib.sh"

GEN=${3:?usage: $0 SYNSCOPE SOURCE_ROOT SYNFLOOD_GEN [COUNT]}
COUNT=${4:-10000000}
CAP_MIB=64
command -v python3 >/dev/null || skip "python3 is not installed"
# A sanitizer's shadow memory and quarantine are no part of the program's
# footprint: peak memory is measured on plain builds only.
if grep -aq -e __asan_init -e __tsan_init "$SYNSCOPE"; then
	skip "peak memory is not measured under a sanitizer"
fi

# peak OUT CMD...: runs CMD with stdout to OUT; prints the largest peak
# RSS (KiB) of the processes it waited for, then CMD's exit status.
peak() {
	python3 -c '
import resource, subprocess, sys
out = open(sys.argv[1], "wb")
rc = subprocess.call(sys.argv[2:], stdout=out)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)
' "$@"
}

# The generated flood: synflood_gen | synscope | grep, children of sh (the
# generator and grep take a few MiB at most). Every evicted attempt gets a
# record too, so only the header and the real connection are kept.
read -r rss rc < <(peak "$WORK/out" sh -c \
	'"$1" "$2" 1 | "$3" -r - --seed 1 --memcap "$4"M --conns=csv |
	 grep -F -e id.orig_h -e ,198.51.100.7,' \
	sh "$GEN" "$COUNT" "$SYNSCOPE" "$CAP_MIB")
requests=$((COUNT / 50000))
name="$((COUNT / 1000000)) million spoofed SYNs under --memcap ${CAP_MIB}M"
if [ "$rc" -ne 0 ]; then
	not_ok "$name" "exit $rc"
elif [ "$rss" -ge $((CAP_MIB * 1024)) ]; then
	not_ok "$name" "peak RSS ${rss} KiB"
else
	ok "$name (peak ${rss} KiB)"
fi
got=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
r = rows[0] if len(rows) == 1 else {}
print(r.get("conn_state"), r.get("handshake"), r.get("orig_pkts"),
      r.get("resp_pkts"))' "$WORK/out")
want="SF established $((requests + 4)) $((requests + 2))"
if [ "$got" = "$want" ]; then
	ok "the real connection is tracked through the flood ($got)"
else
	not_ok "the real connection is tracked through the flood" "got:  $got" "want: $want"
fi

# The flood samples, with the summary and the detector running.
for f in "$SRC"/samples/flood-*.pcap "$SRC"/samples/scan-syn.pcap \
	"$SRC"/samples/backscatter.pcap; do
	[ -f "$f" ] || continue
	read -r rss rc < <(peak /dev/null "$SYNSCOPE" -r "$f" --seed 1 --memcap "$CAP_MIB"M)
	if [ "$rc" -eq 0 ] && [ "$rss" -lt $((CAP_MIB * 1024)) ]; then
		ok "$(basename "$f") under --memcap ${CAP_MIB}M (peak ${rss} KiB)"
	else
		not_ok "$(basename "$f") under --memcap ${CAP_MIB}M" "exit $rc, peak ${rss} KiB"
	fi
done

finish
