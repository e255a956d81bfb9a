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
	if [ "$rc" -ne 0 ] && [ "${UPDATE:-0}" != 1 ]; then
		not_ok "$name" "exit $rc" "$(head -c 300 "$WORK/err")"
	else
		expect_output "$name" "$SRC/samples/expected/$expected" "$WORK/got"
	fi
done <"$manifest"

finish
