#!/usr/bin/env bash
# Analysis on a thread of its own (--threads 2, the default for a file on
# a machine with two CPUs) must not change a byte of what is written:
# every sample in eight modes (summary, the three record formats, alerts,
# a tiny table, -c, --memcap), the regression captures, and (where
# ../shared is) tcpdump's corpus of odd and broken captures, against
# --threads 1. Also: a reader gone away and a stop by SIGINT end as they
# do on one thread.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

same() {        # NAME ARGS...: --threads 1 and 2 write the same
	local name=$1
	shift
	"$SYNSCOPE" --threads 1 "$@" >"$WORK/o1" 2>"$WORK/e1"
	local s1=$?
	"$SYNSCOPE" --threads 2 "$@" >"$WORK/o2" 2>"$WORK/e2"
	local s2=$?
	if [ $s1 != $s2 ] || ! cmp -s "$WORK/o1" "$WORK/o2" ||
		! cmp -s "$WORK/e1" "$WORK/e2"; then
		not_ok "$name" "exit $s1 vs $s2" \
			"$(diff "$WORK/o1" "$WORK/o2" | head -n 10)" \
			"$(diff "$WORK/e1" "$WORK/e2" | head -n 10)"
		return 1
	fi
	return 0
}

for f in "$SRC"/samples/*.pcap; do
	n=${f##*/}
	for m in "" --conns=json --conns=csv --conns=zeek --alerts=- \
		"--max-flows 16 --conns=json" "-c 9 --conns=json" \
		"--memcap 40M --alerts=-"; do
		# shellcheck disable=SC2086
		same "$n [$m] is the same on two threads" -r "$f" --seed 3 $m &&
			ok "$n [$m] is the same on two threads"
	done
done

for f in "$SRC"/tests/regress/*.pcap*; do
	[ -f "$f" ] || continue
	same "${f##*/} is the same on two threads" -r "$f" --seed 3 \
		--conns=json && ok "${f##*/} is the same on two threads"
done

corpus="$SRC/../shared/corpus/tcpdump"
if [ -d "$corpus" ]; then
	total=0 bad=0
	for f in "$corpus"/*.pcap "$corpus"/*.pcapng; do
		[ -f "$f" ] || continue
		total=$((total + 1))
		# the records and the alert lines: all that the threads change
		same "corpus ${f##*/}" -r "$f" --seed 3 --conns=json ||
			bad=$((bad + 1))
	done
	[ "$bad" = 0 ] &&
		ok "every corpus capture ($total) is the same on two threads"
else
	echo "skipped: the tcpdump corpus (no ../shared)"
fi

# A reader that goes away after one record: quiet, status 0, both ways.
flood="$SRC/samples/flood-spoofed.pcap"
for th in 1 2; do
	"$SYNSCOPE" --threads "$th" -r "$flood" --conns=json 2>"$WORK/err" |
		head -n 1 >/dev/null
	rc=${PIPESTATUS[0]}
	if [ "$rc" = 0 ] && ! grep -v ' alert ' "$WORK/err" | grep -q .; then
		ok "--threads $th: a closed pipe ends the run quietly"
	else
		not_ok "--threads $th: a closed pipe ends the run quietly" \
			"exit $rc" "$(head -c 300 "$WORK/err")"
	fi
done

# SIGINT while reading standard input (the read is cut short): the
# records of what was read, exit 0.
mkfifo "$WORK/fifo"
"$SYNSCOPE" --threads 2 -r - --conns=json <"$WORK/fifo" >"$WORK/out" \
	2>"$WORK/err" &
pid=$!
exec 3>"$WORK/fifo"
cat "$SRC/samples/tcp4-normal.pcap" >&3
sleep 0.5
kill -INT "$pid"
timeout 10 tail --pid="$pid" -f /dev/null
exec 3>&-
wait "$pid"
rc=$?
if [ "$rc" = 0 ] && [ -s "$WORK/out" ]; then
	ok "--threads 2: SIGINT writes the records read so far, exit 0"
else
	not_ok "--threads 2: SIGINT writes the records read so far, exit 0" \
		"exit $rc, $(wc -l <"$WORK/out") lines" "$(head -c 300 "$WORK/err")"
fi

expect_error "--threads takes 1 or 2" 2 "invalid --threads" -- \
	"$SYNSCOPE" -r "$flood" --threads 3
finish
