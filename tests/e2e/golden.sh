#!/usr/bin/env bash
# Golden tests: every line of samples/MANIFEST names a capture, the file of
# its expected output and the arguments; synscope's output must match it
# byte for byte. With UPDATE=1 the expected files are rewritten instead
# (review the diff before committing).
. "$(dirname "$0")/lib.sh"

manifest="$SRC/samples/MANIFEST"
[ -f "$manifest" ] || skip "no $manifest"

while read -r capture expected args; do
	case "$capture" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086 # the arguments are split on purpose
	(cd "$SRC/samples" && "$SYNSCOPE" -r "$capture" $args) >"$WORK/got" 2>"$WORK/err"
	rc=$?
	name="$capture $args"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$WORK/got" "$SRC/samples/expected/$expected"
		ok "$name (updated)"
	elif [ "$rc" -ne 0 ]; then
		not_ok "$name" "exit $rc" "$(head -c 300 "$WORK/err")"
	elif ! diff -u "$SRC/samples/expected/$expected" "$WORK/got" >"$WORK/diff"; then
		not_ok "$name" "output differs from samples/expected/$expected:" "$(head -n 40 "$WORK/diff")"
	else
		ok "$name"
	fi
done <"$manifest"

finish
