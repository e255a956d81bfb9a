#!/usr/bin/env bash
# Output is streamed: piped into `head`, synscope stops quietly when the
# reader goes away (no "Broken pipe", exit 0), and standard input works.
. "$(dirname "$0")/lib.sh"

sample="$SRC/samples/tcp4-normal.pcap"
command -v python3 >/dev/null || skip "python3 is needed to build a large capture"

# A capture large enough that its output overflows any pipe buffer: the
# sample's packets repeated 5000 times.
python3 - "$sample" "$WORK/big.pcap" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
head, body = data[:24], data[24:]
with open(sys.argv[2], 'wb') as f:
    f.write(head)
    for _ in range(5000):
        f.write(body)
PY

for fmt in text json; do
	"$SYNSCOPE" -r "$WORK/big.pcap" --packets=$fmt 2>"$WORK/err" | head -n 3 >"$WORK/out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ] && [ ! -s "$WORK/err" ] && [ "$(wc -l <"$WORK/out")" -eq 3 ]; then
		ok "--packets=$fmt | head ends quietly"
	else
		not_ok "--packets=$fmt | head ends quietly" "exit $rc" "$(cat "$WORK/err")"
	fi
done

"$SYNSCOPE" -r - --packets=json <"$sample" >"$WORK/stdin.json" 2>"$WORK/err"
"$SYNSCOPE" -r "$sample" --packets=json >"$WORK/file.json"
if cmp -s "$WORK/stdin.json" "$WORK/file.json"; then
	ok "-r - reads standard input"
else
	not_ok "-r - reads standard input" "$(cat "$WORK/err")"
fi

"$SYNSCOPE" -r "$sample" -c 3 --packets >"$WORK/c3"
if [ "$(wc -l <"$WORK/c3")" -eq 3 ]; then ok "-c 3 stops after three packets"; else not_ok "-c 3 stops after three packets"; fi

"$SYNSCOPE" -r "$sample" -w "$WORK/copy.pcap" >/dev/null
"$SYNSCOPE" -r "$WORK/copy.pcap" --packets=json >"$WORK/copy.json"
if cmp -s "$WORK/copy.json" "$WORK/file.json"; then
	ok "-w writes the packets back out"
else
	not_ok "-w writes the packets back out"
fi

"$SYNSCOPE" -r "$sample" --packets=json 'tcp[tcpflags] & tcp-syn != 0' >"$WORK/syn.json"
if [ -s "$WORK/syn.json" ] && ! grep -qv '"SYN' "$WORK/syn.json"; then
	ok "a trailing BPF filter keeps only matching packets"
else
	not_ok "a trailing BPF filter keeps only matching packets" "$(cat "$WORK/syn.json")"
fi

if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/file.json"; then
	ok "every JSON line parses"
else
	not_ok "every JSON line parses"
fi

finish
