#!/usr/bin/env bash
# Regression captures: every line of tests/regress/MANIFEST names a capture
# that once crashed synscope (or drew a sanitizer report), the file of its
# expected output and the arguments. The output (stdout, then stderr and
# the exit code) must match byte for byte; in a sanitizer build a report
# lands in stderr and so fails the test. UPDATE=1 rewrites the expected
# files instead (review the diff before committing).
. "$(dirname "$0")/lib.sh"

dir="$SRC/tests/regress"
manifest="$dir/MANIFEST"
[ -f "$manifest" ] || skip "no $manifest"
# The runs below start in $dir: make the program's path absolute.
case $SYNSCOPE in /*) ;; *) SYNSCOPE=$PWD/$SYNSCOPE ;; esac
[ -x "$SYNSCOPE" ] || { echo "regress: $SYNSCOPE is not an executable"; exit 1; }

while read -r capture expected args; do
	case "$capture" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086 # the arguments are split on purpose
	(cd "$dir" && "$SYNSCOPE" -r "$capture" $args) >"$WORK/got" 2>"$WORK/err"
	rc=$?
	{ echo "== stderr"; cat "$WORK/err"; echo "== exit $rc"; } >>"$WORK/got"
	name="regress/$capture $args"
	if [ "$rc" -ge 126 ]; then
		not_ok "$name" "exit $rc (not run, or killed by a signal)" "$(head -c 500 "$WORK/err")"
	else
		expect_output "$name" "$dir/expected/$expected" "$WORK/got"
	fi
done <"$manifest"

finish
