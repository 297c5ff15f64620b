#!/bin/sh
# Hostile input: a megabyte on one line, binary bytes and NULs, blocks
# that never close, nesting past the limit, random bytes.  Each gets
# located errors or works; none crashes, hangs or (under the sanitizers)
# leaks.  An exit status above 1 is a crash or a sanitizer's report.
. "$top_srcdir/tests/repl/common.sh"

crashed() {
	[ "$rc" -le 1 ] || { tail -n 20 "$tmp/$1.err" >&2; fail "$1: exit status $rc"; }
}

# A megabyte of blanks before a layer, a megabyte-long comment, and a
# megabyte-long name.
{
	echo 'input 1x8x8'
	awk 'BEGIN { s = "        "; while (length(s) < 1048576) s = s s; printf "%s", s; print "relu" }'
	awk 'BEGIN { s = "########"; while (length(s) < 1048576) s = s s; print s }'
	awk 'BEGIN { s = "aaaaaaaa"; while (length(s) < 1048576) s = s s; print s }'
	echo 'flatten'
} >"$tmp/long.nls"
run long "$tmp/long.nls" -k
crashed long
status_is long 1
printf 'Input shape: [1, 1, 8, 8]\nReLU output shape: [1, 1, 8, 8]\nFlatten output shape: [1, 64]\n' >"$tmp/long.exp"
same "a megabyte on one line" "$tmp/long.exp" "$tmp/long.out"
[ "$(grep -c ': error: ' "$tmp/long.err")" -eq 1 ] || fail "the long name: $(head -c 300 "$tmp/long.err")"
grep -q '^<stdin>:4:1: error: ' "$tmp/long.err" || fail "the long name's error is not at 4:1"
# The quoted line is cut short, not a megabyte of stderr.
[ "$(wc -c <"$tmp/long.err")" -lt 4000 ] || fail "the long name's diagnostic is $(wc -c <"$tmp/long.err") bytes; messages are capped"

# Binary bytes and NULs inside statements and commands.
printf 'input 1x8x8\nre\000lu\n\377\376\001\n:sh\000ow\nrelu\000\nrelu # \000 in a comment\n' >"$tmp/binary.nls"
run binary "$tmp/binary.nls" -k
crashed binary
status_is binary 1
printf 'Input shape: [1, 1, 8, 8]\nReLU output shape: [1, 1, 8, 8]\n' >"$tmp/binary.exp"
same "binary bytes" "$tmp/binary.exp" "$tmp/binary.out"
for l in 2 3 4 5; do
	grep -q "^<stdin>:$l:[0-9]*: error: " "$tmp/binary.err" || fail "no error for line $l: $(cat -v "$tmp/binary.err")"
done

# A block still open at the end of the input: a located error at the line
# that opened it, and exit 1, whether or not -k is given.
printf 'input 1x8x8\nrelu\ndef f() {\n  relu\n' >"$tmp/open.nls"
for k in "" -k; do
	run open "$tmp/open.nls" $k
	crashed open
	status_is open 1
	printf 'Input shape: [1, 1, 8, 8]\nReLU output shape: [1, 1, 8, 8]\n' >"$tmp/open.exp"
	same "an open block at the end" "$tmp/open.exp" "$tmp/open.out"
	cat >"$tmp/open.experr" <<'ERR'
<stdin>:3:1: error: end of input inside a statement or block that starts here (a '}' or ')' is missing)
 def f() {
 ^
ERR
	same "the open block's error" "$tmp/open.experr" "$tmp/open.err"
done
# The same for an open repeat, an open call, and with -f.
printf 'input 1x8x8\n  repeat 3 {\n relu\n' >"$tmp/repeat.nls"
run repeat /dev/null -f "$tmp/repeat.nls"
status_is repeat 1
grep -qx "$tmp/repeat.nls:2:3: error: end of input inside a statement or block that starts here (a '}' or ')' is missing)" "$tmp/repeat.err" ||
	fail "an open repeat: $(cat "$tmp/repeat.err")"
printf 'input 1x8x8\ndef g(a, b) { relu }\ng(1,\n' >"$tmp/paren.nls"
run paren "$tmp/paren.nls"
status_is paren 1
grep -q "^<stdin>:3:1: error: end of input inside" "$tmp/paren.err" || fail "an open call: $(cat "$tmp/paren.err")"
# A command while a block is open is refused and the block stays open.
printf 'input 1x8x8\ndef h() {\n:show\n  relu\n}\nh()\n' >"$tmp/cmdopen.nls"
run cmdopen "$tmp/cmdopen.nls" -k
status_is cmdopen 1
grep -qx "<stdin>:3:1: error: a statement is still open since line 2: finish it before a command" "$tmp/cmdopen.err" ||
	fail "a command inside a block: $(cat "$tmp/cmdopen.err")"
tail -n 1 "$tmp/cmdopen.out" | grep -qx 'h output shape: \[1, 1, 8, 8\]    1 layer, 0 params (:expand lists them)' ||
	fail "the block did not survive the command: $(cat "$tmp/cmdopen.out")"

# Blocks nested past the front end's limit, then closed too often; and a
# block open over two thousand lines.
awk 'BEGIN { print "input 1x8x8"; for (i = 0; i < 1500; i++) print "repeat 1 {"; for (i = 0; i < 1500; i++) print "}"; print "relu" }' >"$tmp/deep.nls"
run deep "$tmp/deep.nls" -k
crashed deep
status_is deep 1
tail -n 1 "$tmp/deep.out" | grep -qx 'ReLU output shape: \[1, 1, 8, 8\]' || fail "the session did not survive deep nesting"
awk 'BEGIN { print "input 1x8x8"; print "def long() {"; for (i = 0; i < 2000; i++) print "  relu"; print "}"; print "long()" }' >"$tmp/tall.nls"
run tall "$tmp/tall.nls"
status_is tall 0
grep -qx 'long output shape: \[1, 1, 8, 8\]    2000 layers, 0 params (:expand lists them)' "$tmp/tall.out" ||
	fail "a block over 2000 lines: $(cat "$tmp/tall.out")"

# Random bytes, with and without -k.
head -c 200000 /dev/urandom >"$tmp/random.nls"
run random "$tmp/random.nls" -k
crashed random
run random1 "$tmp/random.nls"
crashed random1
exit 0
