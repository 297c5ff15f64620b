#!/bin/sh
# Errors mid-script: a located diagnostic on stderr, stdout untouched by it,
# the net as it was before the bad line, exit 1 at the first error unless
# -k, which goes on and still exits 1.
. "$top_srcdir/tests/repl/common.sh"

cat >"$tmp/bad.nls" <<'NLS'
input 1x28x28
conv 5x5 -> 6 pad 2
conv 50x50 -> 6
relu
:nosuch
def half() {
  maxpool 2x2/2
}
half()
flatten
NLS

# Without -k the script stops at line 3.
run stop "$tmp/bad.nls"
status_is stop 1
cat >"$tmp/stop.exp" <<'OUT'
Input shape: [1, 1, 28, 28]
Conv2d output shape: [1, 6, 28, 28]    156 params
OUT
same "stdout up to the first error" "$tmp/stop.exp" "$tmp/stop.out"
# The front end's located error: file:line:col, the line, a caret.
head -n 1 "$tmp/stop.err" | grep -q '^<stdin>:3:[0-9]*: error: ' ||
	fail "no located error for line 3: $(cat "$tmp/stop.err")"
sed -n 2p "$tmp/stop.err" | grep -qx ' conv 50x50 -> 6' ||
	fail "the error does not quote line 3: $(cat "$tmp/stop.err")"
sed -n 3p "$tmp/stop.err" | grep -q '^ *^$' || fail "no caret under line 3"
[ "$(wc -l <"$tmp/stop.err")" -eq 3 ] || fail "more than one error: $(cat "$tmp/stop.err")"

# With -k: the relu after the bad conv sees the net without it (6x28x28,
# not the 50x50 conv's output), the unknown command is reported with its
# line, and everything after goes on.
run keep "$tmp/bad.nls" -k
status_is keep 1
cat >"$tmp/keep.exp" <<'OUT'
Input shape: [1, 1, 28, 28]
Conv2d output shape: [1, 6, 28, 28]    156 params
ReLU output shape: [1, 6, 28, 28]
half output shape: [1, 6, 14, 14]    1 layer, 0 params (:expand lists them)
Flatten output shape: [1, 1176]
OUT
same "stdout with --keep-going" "$tmp/keep.exp" "$tmp/keep.out"
grep -c ': error: ' "$tmp/keep.err" | grep -qx 2 || fail "expected two errors: $(cat "$tmp/keep.err")"
grep -qx "<stdin>:5:1: error: unknown command ':nosuch' (:help lists them)" "$tmp/keep.err" ||
	fail "no error for the unknown command: $(cat "$tmp/keep.err")"

# -f names the script in its diagnostics; --keep-going is -k's long name.
cp "$tmp/bad.nls" "$tmp/lesson.nls"
run named /dev/null --keep-going -f "$tmp/lesson.nls"
status_is named 1
same "-f with --keep-going" "$tmp/keep.exp" "$tmp/named.out"
grep -q "^$tmp/lesson.nls:3:[0-9]*: error: " "$tmp/named.err" || fail "diagnostics do not name the script"

# A line of an open block that does not parse is an error on that line and
# is left out; the block stays open and ends without it.  A block whose
# end does not hold (defined twice) leaves nothing behind.
cat >"$tmp/def.nls" <<'NLS'
input 2x4x4
def b() {
  conv 3x3 ->
  relu
}
b()
def b() { relu; relu }
b()
:expand b
NLS
run def "$tmp/def.nls" -k
status_is def 1
grep -c ': error: ' "$tmp/def.err" | grep -qx 2 || fail "expected two errors: $(cat "$tmp/def.err")"
grep -q "^<stdin>:3:[0-9]*: error: incomplete 'conv'" "$tmp/def.err" ||
	fail "no error on the block's bad line: $(cat "$tmp/def.err")"
grep -q "^<stdin>:7:[0-9]*: error: block 'b' is already defined" "$tmp/def.err" ||
	fail "a second def of b: $(cat "$tmp/def.err")"
cat >"$tmp/def.exp" <<'OUT'
Input shape: [1, 2, 4, 4]
b output shape: [1, 2, 4, 4]    1 layer, 0 params (:expand lists them)
b output shape: [1, 2, 4, 4]    1 layer, 0 params (:expand lists them)
b (line 8), 1 layer:
  ReLU output shape: [1, 2, 4, 4]
OUT
same "a bad line in a block" "$tmp/def.exp" "$tmp/def.out"

# A call that makes no layers has nothing to expand (it once read before
# the start of the graph's nodes).
printf 'input 1x4x4\ndef e() { }\ne()\n:expand\n:expand e\nrelu\ne()\n:expand\n' >"$tmp/empty.nls"
run empty "$tmp/empty.nls" -k
status_is empty 1
[ "$(grep -c 'that add' "$tmp/empty.err")" -eq 3 ] || fail "empty calls: $(cat "$tmp/empty.err")"
grep -q 'Sanitizer\|runtime error' "$tmp/empty.err" && fail "empty calls: $(cat "$tmp/empty.err")"

# A script without errors exits 0, and :quit ends it early.
printf 'input 1x8x8\n:quit\nconv 50x50 -> 1\n' >"$tmp/quit.nls"
run quit "$tmp/quit.nls"
status_is quit 0
empty quit
printf 'Input shape: [1, 1, 8, 8]\n' >"$tmp/quit.exp"
same ":quit" "$tmp/quit.exp" "$tmp/quit.out"

# A layer before any input is an error, not a silent statement.
printf 'relu\ninput 1x8x8\nrelu\n' >"$tmp/noinput.nls"
run noinput "$tmp/noinput.nls" -k
status_is noinput 1
grep -q '^<stdin>:1:[0-9]*: error: ' "$tmp/noinput.err" || fail "a layer before input: $(cat "$tmp/noinput.err")"
printf 'Input shape: [1, 1, 8, 8]\nReLU output shape: [1, 1, 8, 8]\n' >"$tmp/noinput.exp"
same "a layer before input" "$tmp/noinput.exp" "$tmp/noinput.out"

# Misspellings name what was meant; a failing :load in a script says on
# which line of the script it was given; a layer cut short is an error on
# its own line, and the next line runs as written.
printf 'input 1x8x8\n:sav x\n:train --epoch 1\n:load %s/nosuch.net\nfc\nrelu\n' "$tmp" >"$tmp/typo.nls"
run typo "$tmp/typo.nls" -k
status_is typo 1
grep -qx "<stdin>:2:1: error: unknown command ':sav' (did you mean :save?)" "$tmp/typo.err" ||
	fail "no suggestion for :sav: $(cat "$tmp/typo.err")"
grep -qx "<stdin>:3:1: error: :train: unknown option '--epoch' (did you mean --epochs?)" "$tmp/typo.err" ||
	fail "no suggestion for --epoch: $(cat "$tmp/typo.err")"
grep -qx "<stdin>:4:1: note: in the command ':load'" "$tmp/typo.err" ||
	fail ":load's failure does not name the script's line: $(cat "$tmp/typo.err")"
grep -q "^<stdin>:5:3: error: incomplete 'fc': write fc N" "$tmp/typo.err" ||
	fail "an incomplete fc is not an error on its line: $(cat "$tmp/typo.err")"
printf 'Input shape: [1, 1, 8, 8]\nReLU output shape: [1, 1, 8, 8]\n' >"$tmp/typo.exp"
same "the line after an incomplete layer" "$tmp/typo.exp" "$tmp/typo.out"
exit 0
