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

# A block that does not parse leaves no half definition behind: the
# block is unknown afterwards, and a good definition of it still works.
cat >"$tmp/def.nls" <<'NLS'
input 2x4x4
def b() {
  conv 3x3 ->
}
b()
def b() { relu }
b()
NLS
run def "$tmp/def.nls" -k
status_is def 1
grep -c ': error: ' "$tmp/def.err" | grep -qx 2 || fail "expected two errors: $(cat "$tmp/def.err")"
grep -q "^<stdin>:[34]:[0-9]*: error: " "$tmp/def.err" || fail "no error in the block: $(cat "$tmp/def.err")"
grep -q "^<stdin>:5:[0-9]*: error: " "$tmp/def.err" || fail "b() after a failed def: $(cat "$tmp/def.err")"
cat >"$tmp/def.exp" <<'OUT'
Input shape: [1, 2, 4, 4]
b output shape: [1, 2, 4, 4]    1 layer, 0 params (:expand lists them)
OUT
same "a bad block" "$tmp/def.exp" "$tmp/def.out"

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
exit 0
