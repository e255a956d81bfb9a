#!/usr/bin/env bash
# Privileges and signals, end to end, as root inside a network namespace
# this test creates: a live capture gives up root once the capture is open
# (-Z USER, default nobody: uid, gid, no supplementary groups, no
# capabilities), still writes the outputs it opened before, and on SIGINT
# or SIGTERM flushes every output and exits 0. As root, output files are
# never opened through a symbolic link. Skipped without root.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "privilege drop needs root"
command -v ip >/dev/null || skip "iproute2 is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
getent passwd nobody >/dev/null || skip "no user nobody"

ns="synscope-priv-$$"
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace here"
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$WORK"' EXIT
ip -n "$ns" link set lo up
nsx() { ip netns exec "$ns" "$@"; }
chmod 755 "$WORK"

# status_field PID NAME: a line of /proc/PID/status, without its name.
status_field() { awk -v f="$2:" '$1 == f { $1 = ""; print }' "/proc/$1/status" | xargs; }

# run_live SIGNAL USER_ARGS...: a live capture with every output, stopped
# by SIGNAL after one connection; leaves the process's credentials in
# $WORK/creds.
run_live() {
	local sig=$1; shift
	rm -f "$WORK"/out.* "$WORK/creds"
	nsx timeout 30 "$SYNSCOPE" -i lo --no-tui "$@" --conns=json \
		-w "$WORK/out.pcap" --alerts "$WORK/out.alerts" \
		tcp port 5556 >"$WORK/out.conns" 2>"$WORK/out.err" &
	local pid=$!
	if ! wait_listening "$WORK/out.err"; then
		kill "$pid" 2>/dev/null
		wait "$pid"
		return 99
	fi
	# the drop follows "listening on" at once; wait for it (bounded)
	local spid
	spid=$(pgrep -f -n -- "-w $WORK/out.pcap") || spid=$pid
	for _ in $(seq 50); do
		[ "$(status_field "$spid" Uid | cut -d' ' -f1)" != 0 ] && break
		sleep 0.1
	done
	{
		echo "uid $(status_field "$spid" Uid)"
		echo "gid $(status_field "$spid" Gid)"
		echo "groups $(status_field "$spid" Groups)"
		echo "capeff $(status_field "$spid" CapEff)"
		echo "capprm $(status_field "$spid" CapPrm)"
		echo "capbnd $(status_field "$spid" CapBnd)"
		echo "nonewprivs $(status_field "$spid" NoNewPrivs)"
	} >"$WORK/creds"
	connect_once "$ns" 5556
	sleep 0.3
	kill "-$sig" "$spid" 2>/dev/null
	wait "$pid"
}

nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)

run_live INT; rc=$?
if [ "$rc" -eq 0 ] &&
	grep -qx "uid $nobody_uid $nobody_uid $nobody_uid $nobody_uid" "$WORK/creds" &&
	grep -qx "gid $nobody_gid $nobody_gid $nobody_gid $nobody_gid" "$WORK/creds" &&
	grep -Eqx "groups ?" "$WORK/creds" &&
	grep -qx "capeff 0000000000000000" "$WORK/creds" &&
	grep -qx "capprm 0000000000000000" "$WORK/creds" &&
	grep -qx "capbnd 0000000000000000" "$WORK/creds" &&
	grep -qx "nonewprivs 1" "$WORK/creds"; then
	ok "a live capture as root becomes nobody with no groups or capabilities"
else
	not_ok "a live capture as root becomes nobody with no groups or capabilities" \
		"exit $rc" "$(cat "$WORK/creds" 2>/dev/null)" "$(cat "$WORK/out.err")"
fi

# After SIGINT: the records, the pcap and the closing statistics are out.
if [ "$(grep -c '"id.resp_p":5556' "$WORK/out.conns")" -eq 1 ] &&
	grep -q '"conn_state":"SF"' "$WORK/out.conns" &&
	grep -q 'packets captured' "$WORK/out.err" &&
	[ -f "$WORK/out.alerts" ] &&
	"$SYNSCOPE" -r "$WORK/out.pcap" --packets 2>/dev/null | grep -q 'Flags \[S\]'; then
	ok "SIGINT flushes the records, the pcap and the statistics"
else
	not_ok "SIGINT flushes the records, the pcap and the statistics" \
		"$(head -c 300 "$WORK/out.conns")" "$(cat "$WORK/out.err")"
fi

run_live TERM -Z daemon; rc=$?
if [ "$rc" -eq 0 ] &&
	grep -qx "uid $(id -u daemon) $(id -u daemon) $(id -u daemon) $(id -u daemon)" "$WORK/creds" &&
	grep -q '"conn_state":"SF"' "$WORK/out.conns"; then
	ok "-Z daemon: the capture runs as daemon and SIGTERM ends it cleanly"
else
	not_ok "-Z daemon: the capture runs as daemon and SIGTERM ends it cleanly" \
		"exit $rc" "$(cat "$WORK/creds" 2>/dev/null)" "$(cat "$WORK/out.err")"
fi

expect_error "-Z with an unknown user is one error line" 1 "no user no-such-user-x" -- \
	nsx timeout 10 "$SYNSCOPE" -i lo --no-tui -c 1 -Z no-such-user-x
expect_error "-Z root is refused" 1 "it is root" -- \
	nsx timeout 10 "$SYNSCOPE" -i lo --no-tui -c 1 -Z root

# A symbolic link where an output file goes is not followed as root.
touch "$WORK/target"
ln -s "$WORK/target" "$WORK/link.json"
expect_error "as root, --alerts does not write through a symbolic link" 1 \
	"symbolic link" -- \
	"$SYNSCOPE" -r "$SRC/samples/tcp4-normal.pcap" --alerts "$WORK/link.json"
ln -s "$WORK/target" "$WORK/link.pcap"
expect_error "as root, -w does not write through a symbolic link" 1 \
	"symbolic link" -- \
	"$SYNSCOPE" -r "$SRC/samples/tcp4-normal.pcap" -w "$WORK/link.pcap"
if [ ! -s "$WORK/target" ]; then
	ok "the symbolic links' target is untouched"
else
	not_ok "the symbolic links' target is untouched"
fi

# Reading a file with -Z drops too; the summary is still printed.
if "$SYNSCOPE" -r "$SRC/samples/tcp4-normal.pcap" -Z nobody >"$WORK/sum" 2>&1 &&
	grep -q '^Connections' "$WORK/sum"; then
	ok "-r with -Z nobody reads the file after the drop"
else
	not_ok "-r with -Z nobody reads the file after the drop" "$(head -5 "$WORK/sum")"
fi

finish
