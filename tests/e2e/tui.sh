#!/usr/bin/env bash
# The dashboard in a real terminal: synscope replays samples inside tmux
# (a private server, a shell in a 120x40 or 80x24 pane), keys are sent with
# send-keys, and each screen is read back with capture-pane. Every wait is
# bounded: a screen is polled up to WAIT_TRIES times.
# shellcheck disable=SC2016 # $-strings are sent to the pane's shell
. "$(dirname "$0")/lib.sh"

sample="$SRC/samples/tcp4-normal.pcap"

# ---- options that cannot work: one line, usage status ----
expect_error "--tui needs a terminal" 2 "--tui needs a terminal" -- \
	"$SYNSCOPE" -r "$sample" --tui
expect_error "--speed must be above 0" 2 "invalid --speed: '0'" -- \
	"$SYNSCOPE" -r "$sample" --speed 0
expect_error "--speed takes a number or max" 2 "invalid --speed: 'fast'" -- \
	"$SYNSCOPE" -r "$sample" --speed fast
expect_error "--tui and --no-tui exclude each other" 2 "cannot be used together" -- \
	"$SYNSCOPE" -r "$sample" --tui --no-tui
expect_error "the dashboard prints no lines" 2 "prints no --packets or --conns" -- \
	"$SYNSCOPE" -r "$sample" --tui-snapshot "$WORK/x" --conns
expect_error "--tui-snapshot needs an input that ends" 2 "needs an input that ends" -- \
	"$SYNSCOPE" -i lo --tui-snapshot "$WORK/x"
expect_error "--tui-snapshot into a missing folder" 1 "cannot write $WORK/no/x" -- \
	"$SYNSCOPE" -r "$sample" --tui-snapshot "$WORK/no/x"

if ! command -v tmux >/dev/null; then
	[ "$failures" -eq 0 ] || { finish; exit 1; }
	skip "tmux is not installed (the checks above passed)"
fi

WAIT_TRIES=${WAIT_TRIES:-100}
PANE=e2e
servers=0
SOCK=
stop_servers() {
	local i
	for ((i = 1; i <= servers; i++)); do
		tmux -L "synscope-e2e-$$-$i" kill-server 2>/dev/null
	done
}
ns=
trap 'stop_servers; [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null; rm -rf "$WORK"' EXIT

T() { tmux -L "$SOCK" "$@"; }

# A fresh server with one shell of COLSxROWS, in the samples folder. The
# shell keeps the TERM tmux gives it (keys are sent as that terminal's).
start_shell() {
	# a new server each time: one being killed may still hold its socket
	[ -n "$SOCK" ] && T kill-server 2>/dev/null
	servers=$((servers + 1))
	SOCK="synscope-e2e-$$-$servers"
	T -f /dev/null new-session -d -x "$1" -y "$2" -s "$PANE" \
		"env -i PATH='$PATH' HOME='$WORK' TERM=\"\$TERM\" HISTFILE=/dev/null LC_ALL=C TZ=UTC PS1='prompt\$ ' bash --norc --noprofile" ||
		return 1
	T set-option -g status off >/dev/null
	T send-keys -t "$PANE" "cd '$SRC/samples'" Enter
}

screen() { T capture-pane -p -t "$PANE" >"$WORK/screen"; }

# wait_for TEXT: polls the pane until it shows TEXT (fixed string).
wait_for() {
	local i
	for ((i = 0; i < WAIT_TRIES; i++)); do
		screen
		grep -qF -- "$1" "$WORK/screen" && return 0
		sleep 0.1
	done
	return 1
}

# wait_gone TEXT: polls until TEXT is no longer shown.
wait_gone() {
	local i
	for ((i = 0; i < WAIT_TRIES; i++)); do
		screen
		grep -qF -- "$1" "$WORK/screen" || return 0
		sleep 0.1
	done
	return 1
}

# expect NAME TEXT...: the pane shows every TEXT.
expect() {
	local name=$1 t
	shift
	for t in "$@"; do
		if ! wait_for "$t"; then
			not_ok "$name" "the screen lacks '$t':" "$(cat "$WORK/screen")"
			return
		fi
	done
	ok "$name"
}

keys() { T send-keys -t "$PANE" "$@"; }

run_synscope() { keys "clear; $SYNSCOPE $*" Enter; }

# After q: synscope has exited (the pane runs the shell again, which can
# take a while under a sanitizer), the alternate screen is gone and the
# shell answers.
expect_shell_back() {
	local i
	for ((i = 0; i < WAIT_TRIES * 3; i++)); do
		[ "$(T display -p -t "$PANE" '#{pane_current_command}')" = bash ] &&
			break
		sleep 0.1
	done
	keys "echo ok-\$\$ rc-\$?" Enter
	if wait_for "ok-" && grep -Eq '^ok-[0-9]+ rc-0$' "$WORK/screen" &&
		grep -q 'prompt\$ echo ok-\$\$ rc-\$?' "$WORK/screen"; then
		ok "$1"
	else
		not_ok "$1" "no shell prompt after synscope:" "$(cat "$WORK/screen")"
	fi
}

# ---- 120x40: every view, keys, filter, detail, help, resize ----
start_shell 120 40 || skip "tmux cannot start a server here"
run_synscope -r tcp4-reuse-timewait.pcap --seed 1 --tui --speed max
expect "the replay ends and stays on screen" "end of capture" \
	"REPLAY max END" " 1 Overview " "Handshakes" "Endpoint states (RFC 9293)"
expect "overview counts the handshakes" " attempts         2" \
	" completed        2" " success     100.0%"
expect "overview counts endpoint states" " TIME-WAIT           1"
expect "overview lists the busiest servers" "Busiest servers" "192.0.2.2:80"
expect "header shows flows against the cap" "flows 1/262K"

keys 2
expect "connections view lists both connections" "Client" "C-State" \
	"192.0.2.1:40000 192.0.2.2:80" " closed" " reused"
keys s
expect "s sorts by the next column" "sorted by Client" "Client^"
keys S
expect "S reverses the sort" "sorted by Client, reversed" "Clientv"
keys Tab
expect "Tab switches to the servers view" "Server                          Conns  Half-open"
keys BTab
expect "Shift-Tab switches back" "Client"

keys /
keys "state:SYN-RECEIVED" Enter
expect "a filter on a state applies" "filter: state:SYN-RECEIVED" \
	"no connection matches the filter"
keys / C-u "port:x" Enter
expect "a bad filter says what is wrong" "bad filter: port: 'x' is not a port number (0-65535)"
keys / C-u "state:time-wait port:80" Enter
expect "a good filter selects the matching rows" "filter: state:time-wait port:80" \
	"192.0.2.1:40000 192.0.2.2:80"
keys / C-u Enter
expect "an empty filter clears it" "filter cleared"

keys Home Enter
expect "Enter opens the detail with its ladder" "Connection #1" \
	"State history" "[S] seq=0" "[S.] seq=0 ack=1" "192.0.2.2:80"
keys Escape
if wait_gone "State history"; then ok "Esc closes the detail"; else
	not_ok "Esc closes the detail" "$(cat "$WORK/screen")"; fi
keys 3
expect "3 opens the servers view" "Server  " "192.0.2.2:80"
keys 4
expect "4 opens the alerts view" "4 Alerts"
keys '?'
expect "? shows every key" "Keys (any key closes)" "PgUp/PgDn" "space" "q  quit"
keys x
if wait_gone "Keys (any key closes)"; then ok "any key closes the help"; else
	not_ok "any key closes the help" "$(cat "$WORK/screen")"; fi
keys 1 space
expect "space freezes the display" "FROZEN"
keys space

T resize-window -t "$PANE" -x 60 -y 15
expect "60x15 is too small, and says so" "terminal too small: 60x15" \
	"synscope needs at least 80x24"
T resize-window -t "$PANE" -x 120 -y 40
expect "back at 120x40 the dashboard is redrawn" "Handshakes" "end of capture"
keys q
expect_shell_back "q restores the terminal"

# ---- 80x24: the smallest size works ----
start_shell 80 24
run_synscope -r tcp4-refused.pcap --tui --speed max
expect "80x24 draws the overview" "end of capture" "Handshakes" \
	" refused          2" "Endpoint states"
keys 2
expect "80x24 draws the connections" "REJ" "192.0.2.2:81"
keys Enter
expect "80x24 draws the detail" "Connection #" "[R.]"
keys q
expect_shell_back "q restores the terminal at 80x24"

# ---- recorded speed: pause, single step, resume ----
start_shell 120 40
run_synscope -r tcp4-keepalive.pcap --tui
keys p
expect "p pauses the replay" "PAUSED"
screen
before=$(head -n 2 "$WORK/screen")
keys n
for ((i = 0; i < WAIT_TRIES; i++)); do
	screen
	[ "$(head -n 2 "$WORK/screen")" != "$before" ] && break
	sleep 0.1
done
if [ "$(head -n 2 "$WORK/screen")" != "$before" ]; then
	ok "n takes one packet while paused"
else
	not_ok "n takes one packet while paused" "$before"
fi
keys p
expect "p resumes and the replay reaches its end" "REPLAY x1 END"
keys q
expect_shell_back "q after a paced replay restores the terminal"

# ---- SIGTERM restores the terminal too ----
keys "clear; sh -c 'echo \$\$ >$WORK/pid; exec $SYNSCOPE -r tcp4-normal.pcap --tui --speed max'" Enter
expect "a dashboard to stop" "end of capture"
kill -TERM "$(cat "$WORK/pid")"
expect_shell_back "SIGTERM restores the terminal"

# ---- a flood: the alert flashes in the header ----
# samples/flood-spoofed.pcap: ~1 s of spoofed SYNs to 192.0.2.2:80 within
# 8 s of traffic; replayed 4x, the alert is active for a moment.
if [ -f "$SRC/samples/flood-spoofed.pcap" ]; then
	start_shell 120 40
	run_synscope -r flood-spoofed.pcap --tui --speed 4
	if wait_for "REPLAY x4" && grep -q "no detector running" "$WORK/screen"; then
		echo "note: no detector in this build; alert checks skipped"
	else
		expect "a flood raises a flashing alert in the header" \
			"ALERT spoofed_syn_flood on 192.0.2.2:80"
		expect "the flood's replay ends" "end of capture"
		keys 4
		expect "the alerts view lists the flood with its sources" \
			"spoofed_syn_flood    192.0.2.2:80" "Top sources"
		keys Down Enter
		expect "Enter on an alert filters on its target" \
			"filter: host:192.0.2.2 port:80" "SYN-RCVD"
		keys / C-u "state:SYN-RECEIVED" Enter
		expect "the flood's half-open connections filter" \
			"filter: state:SYN-RECEIVED" "SYN-RCVD"
	fi
	keys q
	expect_shell_back "q after the flood restores the terminal"
else
	echo "note: no samples/flood-spoofed.pcap yet; alert checks skipped"
fi

# ---- live, on a terminal: the dashboard opens by default ----
# In a network namespace of its own (root and iproute2), as tests/e2e/live.sh.
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null &&
	command -v python3 >/dev/null && ip netns add "synscope-tui-$$" 2>/dev/null; then
	ns="synscope-tui-$$"
	ip -n "$ns" link set lo up
	start_shell 120 40
	keys "clear; ip netns exec $ns $SYNSCOPE -i lo tcp port 5555" Enter
	expect "a live capture on a terminal opens the dashboard" "LIVE" \
		"synscope  lo  [tcp port 5555]" "drops 0+0"
	connect_once "$ns" 5555
	expect "the live dashboard counts the connection" " completed        1" \
		"127.0.0.1:5555"
	keys 2
	expect "the live connections view shows it" "SF" "127.0.0.1:5555"
	keys q
	expect_shell_back "q after a live capture restores the terminal"
else
	echo "note: live dashboard checks need root, iproute2 and a namespace; skipped"
fi

# ---- --tui-snapshot: the golden screens ----
golden="tcp4-normal tcp4-loss tcp4-refused"
[ -f "$SRC/samples/flood-spoofed.pcap" ] && golden="$golden flood-spoofed"
for s in $golden; do
	(cd "$SRC/samples" && "$SYNSCOPE" -r "$s.pcap" --seed 1 \
		--tui-snapshot "$WORK/$s.tui.txt") 2>"$WORK/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		not_ok "snapshot of $s" "exit $rc" "$(head -c 500 "$WORK/err")"
	else
		expect_output "snapshot of $s" "$SRC/samples/expected/$s.tui.txt" \
			"$WORK/$s.tui.txt" "$(cat "$WORK/err")"
	fi
done

finish
