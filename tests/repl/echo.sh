#!/bin/sh
# -f SCRIPT --echo: each line of the script before what it prints, comments
# and blank lines as they are, statements after the prompt they would be
# typed at (...> inside an open block), so the output reads like the
# session; taking the echoed lines out leaves exactly what the script
# prints without --echo, in either format.
. "$top_srcdir/tests/repl/common.sh"

lesson=$top_srcdir/examples/alexnet-lesson.nls
for fmt in table d2l; do
	run plain /dev/null -f "$lesson" --format $fmt
	status_is plain 0
	run echo /dev/null -f "$lesson" --format $fmt --echo
	status_is echo 0
	empty echo
	# the echo is the script itself, line for line
	grep -v '^#' "$lesson" | grep -v '^$' | sed 's/^/netlang> /' >"$tmp/typed.exp"
	grep '^netlang> ' "$tmp/echo.out" >"$tmp/typed"
	same "--echo's statements ($fmt)" "$tmp/typed.exp" "$tmp/typed"
	grep '^#' "$lesson" >"$tmp/comments.exp"
	grep '^#' "$tmp/echo.out" >"$tmp/comments"
	same "--echo's comments ($fmt)" "$tmp/comments.exp" "$tmp/comments"
	[ "$(grep -c '^$' "$tmp/echo.out")" -eq "$(grep -c '^$' "$lesson")" ] ||
		fail "--echo lost blank lines ($fmt)"
	# and with the echo taken out, the plain output
	grep -v '^netlang> \|^#\|^$' "$tmp/echo.out" >"$tmp/rest"
	same "--echo's output less the echo ($fmt)" "$tmp/plain.out" "$tmp/rest"
done
# Each statement's output follows it: the first conv's shape comes right
# after the conv.
grep -A1 '^netlang> conv 11x11/4 -> 96 pad 1$' "$tmp/echo.out" | tail -n 1 |
	grep -q '^Conv2d output shape:' || fail "the conv's shape does not follow it"

# A block over several lines continues at ...>; an error's diagnostic
# still goes to stderr.
printf 'input 1x8x8\ndef b() {\n  relu\n}\nb()\nfc 3\n' >"$tmp/block.nls"
run block "$tmp/block.nls" --echo
status_is block 1
cat >"$tmp/block.exp" <<'OUT'
netlang> input 1x8x8
Input shape: [1, 1, 8, 8]
netlang> def b() {
...>   relu
...> }
netlang> b()
b output shape: [1, 1, 8, 8]    1 layer, 0 params (:expand lists them)
netlang> fc 3
OUT
same "--echo of a block" "$tmp/block.exp" "$tmp/block.out"
grep -q 'fc needs a flat input' "$tmp/block.err" || fail "the error went missing: $(cat "$tmp/block.err")"
exit 0
