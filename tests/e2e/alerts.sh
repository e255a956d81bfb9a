#!/usr/bin/env bash
# Alerts on the recorded floods (samples/floods.tsv): every flood sample
# raises its verdict for its target within 1 s of the flood's first packet
# and ends within a few seconds of its last; every benign sample raises no
# flood alert. Then the outputs around the records: the human lines on
# stderr, --fail-on-alert's exit status and the --alert-pcap files.
. "$(dirname "$0")/lib.sh"

table="$SRC/samples/floods.tsv"
[ -f "$table" ] || skip "no $table"
command -v python3 >/dev/null || skip "python3 is needed to read the JSON lines"

# Raised no later than this after the flood's first packet, and ended (the
# end the record names) no later than END_SLACK after its last; the END
# record itself may come CLEAR_SLACK later (the calm it waits for).
START_SLACK=1.0
END_SLACK=3.0
CLEAR_SLACK=6.0

# judge FILE VERDICT IP PORT START END: prints "ok" or why not
judge() {
	python3 - "$@" <<'PY'
import json, sys
path, verdict, ip, port, start, end = sys.argv[1:7]
recs = [json.loads(l) for l in open(path) if l.strip()]
floods = {"syn_flood", "spoofed_syn_flood", "single_source_flood"}
if verdict == "none":
    bad = [r for r in recs if r["verdict"] in floods]
    print("ok" if not bad else "flood alert on a benign sample: %s %s:%s"
          % (bad[0]["verdict"], bad[0]["dst"], bad[0]["dport"]))
    sys.exit()
start, end = float(start), float(end)
slack_s, slack_e, slack_c = (float(x) for x in sys.argv[7:10])
want_port = None if port == "-" else int(port)
hits = [r for r in recs if r["event"] == "start" and r["verdict"] == verdict
        and r["dst"] == ip and r["dport"] == want_port]
if not hits:
    got = ", ".join("%s %s:%s" % (r["verdict"], r["dst"], r["dport"])
                    for r in recs if r["event"] == "start") or "none"
    print("no %s alert for %s:%s (raised: %s)" % (verdict, ip, port, got))
    sys.exit()
s = hits[0]
if not (start - 0.1 <= s["start"] <= start + slack_s):
    print("raised %.3f s after the flood's start" % (s["start"] - start))
    sys.exit()
ends = [r for r in recs if r["event"] == "end" and r["id"] == s["id"]]
if not ends:
    print("alert %d never ended" % s["id"])
    sys.exit()
e = ends[0]
if e["end"] > end + slack_e or e["end"] < end - 1.0:
    print("ended %.3f s after the flood's end" % (e["end"] - end))
elif e["ts"] > end + slack_c:
    print("end record %.3f s after the flood's end" % (e["ts"] - end))
elif e["verdict"] != verdict or not e["detector"]:
    print("end record differs: %s" % json.dumps(e))
else:
    print("ok")
PY
}

while IFS=$'\t' read -r file verdict ip port start end _; do
	[ "$file" = file ] && continue
	[ -f "$SRC/samples/$file" ] || { not_ok "$file" "missing"; continue; }
	"$SYNSCOPE" -r "$SRC/samples/$file" --seed 1 --alerts "$WORK/a.json" \
		>/dev/null 2>"$WORK/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		not_ok "$file" "exit $rc" "$(head -c 300 "$WORK/err")"
		continue
	fi
	why=$(judge "$WORK/a.json" "$verdict" "$ip" "$port" "$start" "$end" \
		"$START_SLACK" "$END_SLACK" "$CLEAR_SLACK")
	if [ "$verdict" = none ]; then
		name="$file raises no flood alert"
	else
		name="$file: $verdict on $ip:$port"
	fi
	if [ "$why" = ok ]; then ok "$name"; else not_ok "$name" "$why"; fi
done <"$table"

flood="$SRC/samples/flood-spoofed.pcap"
benign="$SRC/samples/benign-flash-crowd.pcap"
[ -f "$flood" ] && [ -f "$benign" ] || { finish; exit; }

# a human line per start and end on stderr, nothing on a benign sample
"$SYNSCOPE" -r "$flood" >/dev/null 2>"$WORK/err"
if grep -q '^synscope: alert start #1 spoofed_syn_flood 192.0.2.2:80 at ' "$WORK/err" &&
   grep -q '^synscope: alert end #1 ' "$WORK/err"; then
	ok "alerts print a line on stderr as they start and end"
else
	not_ok "alerts print a line on stderr" "$(head -c 500 "$WORK/err")"
fi
"$SYNSCOPE" -r "$flood" --seed 1 >"$WORK/out" 2>/dev/null
if grep -q '^Alerts: [0-9]* raised' "$WORK/out" &&
   grep -q '^  1\. spoofed_syn_flood  192\.0\.2\.2:80  ' "$WORK/out"; then
	ok "the summary lists the alerts"
else
	not_ok "the summary lists the alerts" "$(grep -A4 Alerts "$WORK/out")"
fi

"$SYNSCOPE" -r "$flood" --fail-on-alert >/dev/null 2>&1
rc1=$?
"$SYNSCOPE" -r "$benign" --fail-on-alert >/dev/null 2>&1
rc2=$?
if [ "$rc1" -eq 3 ] && [ "$rc2" -eq 0 ]; then
	ok "--fail-on-alert exits 3 after an alert, 0 without"
else
	not_ok "--fail-on-alert" "flood: exit $rc1, benign: exit $rc2"
fi

"$SYNSCOPE" -r "$flood" --alerts - >"$WORK/stdout.json" 2>/dev/null
if [ -s "$WORK/stdout.json" ] &&
   python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' \
	"$WORK/stdout.json" 2>/dev/null && ! grep -q '^Alerts:' "$WORK/stdout.json"; then
	ok "--alerts - writes only JSON lines on stdout"
else
	not_ok "--alerts -" "$(head -c 300 "$WORK/stdout.json")"
fi

mkdir -p "$WORK/pcaps"
"$SYNSCOPE" -r "$flood" --alert-pcap "$WORK/pcaps" >/dev/null 2>"$WORK/err"
pcap="$WORK/pcaps/alert-1-spoofed_syn_flood.pcap"
if [ -f "$pcap" ] &&
   "$SYNSCOPE" -r "$pcap" --packets >"$WORK/pkts" 2>&1 &&
   [ "$(wc -l <"$WORK/pkts")" -gt 1000 ] &&
   ! grep -qv '192\.0\.2\.2[.:]80\b' "$WORK/pkts"; then
	ok "--alert-pcap writes the target's packets around the alert"
else
	not_ok "--alert-pcap" "$(ls "$WORK/pcaps")" "$(head -n 3 "$WORK/pkts" 2>/dev/null)"
fi
expect_error "--alert-pcap needs a directory" 1 "not a directory" -- \
	"$SYNSCOPE" -r "$flood" --alert-pcap "$WORK/nowhere"
expect_error "--syn-rate takes a number" 2 "invalid --syn-rate" -- \
	"$SYNSCOPE" -r "$flood" --syn-rate fast

# --detector keeps one flood detector alone; its records name only it.
# (Skipped, not failed, while cli/options.c does not list the option.)
if "$SYNSCOPE" --detector both -V >/dev/null 2>&1; then
	for det in threshold cusum; do
		"$SYNSCOPE" -r "$flood" --seed 1 --detector "$det" --alerts - \
			>"$WORK/det.json" 2>/dev/null
		why=$(python3 - "$WORK/det.json" "$det" <<'PY'
import json, sys
floods = {"syn_flood", "spoofed_syn_flood", "single_source_flood"}
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fl = [r for r in recs if r["verdict"] in floods]
if not any(r["event"] == "start" and r["verdict"] == "spoofed_syn_flood"
           for r in fl):
    print("no spoofed_syn_flood alert")
elif any(r["detector"] != [sys.argv[2]] for r in fl):
    print("a record names %s" % next(r["detector"] for r in fl
                                     if r["detector"] != [sys.argv[2]]))
else:
    print("ok")
PY
)
		if [ "$why" = ok ]; then
			ok "--detector $det alone raises the flood and names only itself"
		else
			not_ok "--detector $det" "$why"
		fi
	done
	expect_error "--detector takes threshold, cusum or both" 2 \
		"unknown --detector 'all'" -- \
		"$SYNSCOPE" -r "$flood" --detector all
else
	echo "skipped: --detector (not listed in cli/options.c's longopts)"
fi

finish
