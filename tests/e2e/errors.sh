#!/usr/bin/env bash
# Bad input gets one clear line on stderr and a non-zero exit; what was
# read before a cut is still printed.
. "$(dirname "$0")/lib.sh"

sample="$SRC/samples/tcp4-normal.pcap"

expect_error "missing file" 1 "cannot open .*No such file" -- \
	"$SYNSCOPE" -r "$WORK/absent.pcap"

printf 'this is not a capture\n' >"$WORK/text.pcap"
expect_error "file that is not a capture" 1 "not a pcap or pcapng capture" -- \
	"$SYNSCOPE" -r "$WORK/text.pcap"

: >"$WORK/empty.pcap"
expect_error "empty file" 1 "not a pcap or pcapng capture" -- \
	"$SYNSCOPE" -r "$WORK/empty.pcap"

# pcap header (LE, v2.4, snaplen 65535, link type 105 = 802.11), one record
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x69\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x04\x00\x00\x00abcd' \
	>"$WORK/wifi.pcap"
expect_error "unsupported link type" 1 "unsupported link type IEEE802_11 \\(105\\)" -- \
	"$SYNSCOPE" -r "$WORK/wifi.pcap"

expect_error "bad BPF filter" 1 "bad filter \"tcp port\": .*syntax error" -- \
	"$SYNSCOPE" -r "$sample" tcp port

expect_error "unknown option" 2 "unknown option --no-such-option" -- \
	"$SYNSCOPE" --no-such-option
expect_error "option without its value" 2 "option -r needs a value" -- \
	"$SYNSCOPE" -r
expect_error "zero packet count" 2 "invalid packet count" -- \
	"$SYNSCOPE" -c 0 -r "$sample"
expect_error "unknown --packets format" 2 "unknown --packets format" -- \
	"$SYNSCOPE" --packets=xml -r "$sample"
expect_error "-r and -i together" 2 "cannot be used together" -- \
	"$SYNSCOPE" -r "$sample" -i lo

# A truncated file: every packet before the cut is printed, then one line
# says where the file ends.
size=$(stat -c %s "$sample")
head -c $((size - 10)) "$sample" >"$WORK/cut.pcap"
all=$("$SYNSCOPE" -r "$sample" --packets | wc -l)
expect_error "truncated capture" 1 "truncated: it ends inside packet $all, at byte $((size - 10))" -- \
	"$SYNSCOPE" -r "$WORK/cut.pcap" --packets
got=$(wc -l <"$WORK/out")
if [ "$got" -eq $((all - 1)) ]; then
	ok "truncated capture prints the packets before the cut"
else
	not_ok "truncated capture prints the packets before the cut" "$got lines, expected $((all - 1))"
fi
expect_error "truncated capture still summarised" 1 "truncated" -- \
	"$SYNSCOPE" -r "$WORK/cut.pcap"
if grep -q "^  TCP segments *$((all - 1))\$" "$WORK/out"; then
	ok "summary of a truncated capture counts what was read"
else
	not_ok "summary of a truncated capture counts what was read" "$(cat "$WORK/out")"
fi

expect_error "truncated capture still gives its connection records" 1 "truncated" -- \
	"$SYNSCOPE" -r "$WORK/cut.pcap" --conns=json --seed 1
if grep -q '"history":"ShADadFf?"' "$WORK/out" || grep -q '"conn_state"' "$WORK/out"; then
	ok "records of a truncated capture are written"
else
	not_ok "records of a truncated capture are written" "$(cat "$WORK/out")"
fi

expect_error "unknown --conns format" 2 "unknown --conns format" -- \
	"$SYNSCOPE" --conns=xml -r "$sample"
expect_error "too small --max-flows" 2 "invalid --max-flows" -- \
	"$SYNSCOPE" --max-flows 3 -r "$sample"

if [ "$(id -u)" -eq 0 ]; then
	expect_error "interface that does not exist" 1 "no such interface: nosuchif0" -- \
		"$SYNSCOPE" -i nosuchif0 -c 1
	if command -v setpriv >/dev/null; then
		expect_error "live capture without permission" 1 \
			"no permission to capture on lo: run as root or give synscope CAP_NET_RAW" -- \
			setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			"$SYNSCOPE" -i lo -c 1
	fi
else
	expect_error "live capture without permission" 1 "no permission to capture on lo" -- \
		"$SYNSCOPE" -i lo -c 1
fi

finish
