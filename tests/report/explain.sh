#!/bin/sh
# --explain: the issue's line for AlexNet's first convolution, word for
# word; every window layer's arithmetic redone by check_explain.py and
# matched with the table (and its receptive-field column); a shape error
# shows the arithmetic going wrong; :explain in a session.
. "$top_srcdir/tests/report/common.sh"

"$NETLANG" "$ex/alexnet.net" --explain >"$tmp/alexnet.explain" 2>"$tmp/err" ||
	bad "--explain failed: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || bad "--explain wrote to stderr: $(cat "$tmp/err")"
want='conv 11x11/4 -> 96 on 1x224x224: (224 + 2*0 - 11) / 4 + 1 = 54 (floor), 96 channels; params 96*(1*11*11) + 96 = 11,712; receptive field 11x11'
grep -qxF "$want" "$tmp/alexnet.explain" && ok "AlexNet's first convolution explained as the issue shows" ||
	bad "no line '$want' in: $(head -3 "$tmp/alexnet.explain")"
grep -qxF 'flatten on 256x5x5: 256*5*5 = 6,400 features; receptive field 195x195' "$tmp/alexnet.explain" &&
	ok "flatten explained" || bad "flatten: $(grep flatten "$tmp/alexnet.explain")"

for name in lenet alexnet vgg11 nin; do
	"$NETLANG" "$ex/$name.net" --explain >"$tmp/$name.explain" 2>&1 &&
	"$NETLANG" "$ex/$name.net" --rf >"$tmp/$name.table" 2>&1 ||
		{ bad "$name: --explain or --rf failed"; continue; }
	if $PY "$top_srcdir/tests/report/check_explain.py" "$tmp/$name.explain" "$tmp/$name.table" \
		>"$tmp/check" 2>&1; then ok "$name: $(cat "$tmp/check")"; else bad "$name: $(cat "$tmp/check")"; fi
done

# Joins: the channels added up, the shapes named.
"$NETLANG" "$ex/googlenet.net" --explain >"$tmp/g.explain" 2>&1 || bad "googlenet --explain"
grep -qxF 'concat (4 branches) of 64x12x12, 128x12x12, 32x12x12 and 32x12x12: 64 + 128 + 32 + 32 = 256 channels, 12x12; receptive field 59x59' \
	"$tmp/g.explain" && ok "concat explained" || bad "concat: $(grep -m1 concat "$tmp/g.explain")"
"$NETLANG" "$ex/resnet18.net" --explain >"$tmp/r.explain" 2>&1 || bad "resnet18 --explain"
grep -qF 'add (2 branches) of 64x24x24 and 64x24x24: summed element by element, 64x24x24;' "$tmp/r.explain" &&
	ok "add explained" || bad "add: $(grep -m1 '^add' "$tmp/r.explain")"
grep -qF 'batchnorm on 64x48x48: same shape, 64x48x48; params 2*64 = 128 (a scale and a shift per channel), and 2*64 running statistics, not trained' \
	"$tmp/r.explain" && ok "batchnorm explained" || bad "batchnorm: $(grep -m1 '^batchnorm' "$tmp/r.explain")"

# A shape error: the layers before it, then its arithmetic going wrong on
# stdout, the diagnostic on stderr, exit status 1.
printf 'input 1x8x8\nconv 3x3 -> 4\nmaxpool 2x2/2\nconv 5x5 -> 8\n' >"$tmp/bad.net"
"$NETLANG" "$tmp/bad.net" --explain >"$tmp/bad.out" 2>"$tmp/bad.err"
[ $? -eq 1 ] && ok "a shape error exits 1" || bad "a shape error did not exit 1"
[ "$(wc -l <"$tmp/bad.out")" -eq 4 ] || bad "expected 4 lines: $(cat "$tmp/bad.out")"
tail -n 1 "$tmp/bad.out" | grep -qxF 'conv 5x5 -> 8 on 4x3x3: (3 + 2*0 - 5) / 1 + 1 = -1, less than 1: the 5x5 kernel is larger than the padded 3x3 input' &&
	ok "the failing layer's arithmetic" || bad "failing line: $(tail -n 1 "$tmp/bad.out")"
grep -q 'bad.net:4:1: error: conv 5x5 on 4x3x3: kernel larger than padded input' "$tmp/bad.err" &&
	ok "and the diagnostic" || bad "diagnostic: $(cat "$tmp/bad.err")"
printf 'input 1x8x8\nconcat { branch { conv 3x3 -> 2 } branch { } }\n' >"$tmp/join.net"
"$NETLANG" "$tmp/join.net" --explain >"$tmp/join.out" 2>/dev/null
tail -n 1 "$tmp/join.out" | grep -qxF 'concat (2 branches) of 2x6x6 and 1x8x8: heights and widths differ (6x6, 8x8); concat needs them to agree in height and width' &&
	ok "a join that fails" || bad "join: $(tail -n 1 "$tmp/join.out")"

# In a session: the last layer, a numbered one, a block's, a kind's, and
# :explain on for every layer added and a shape that fails.
cat >"$tmp/s.nls" <<'NLS'
input 1x28x28
def two(c) { conv 3x3 -> c pad 1; relu }
two(4)
maxpool 2x2/2
:explain
:explain 1
:explain two
:explain conv
:explain on
fc 10
flatten
conv 3x3 -> 2
:explain off
:explain 99
:explain nosuch
NLS
"$NETLANG" -k <"$tmp/s.nls" >"$tmp/s.out" 2>"$tmp/s.err"
cat >"$tmp/s.exp" <<'OUT'
Input shape: [1, 1, 28, 28]
two output shape: [1, 4, 28, 28]    2 layers, 40 params (:expand lists them)
MaxPool2d output shape: [1, 4, 14, 14]
maxpool 2x2/2 on 4x28x28: (28 + 2*0 - 2) / 2 + 1 = 14, 4 channels; receptive field 4x4
conv 3x3 -> 4 pad 1 on 1x28x28: (28 + 2*1 - 3) / 1 + 1 = 28, 4 channels; params 4*(1*3*3) + 4 = 40; receptive field 3x3
conv 3x3 -> 4 pad 1 on 1x28x28: (28 + 2*1 - 3) / 1 + 1 = 28, 4 channels; params 4*(1*3*3) + 4 = 40; receptive field 3x3
relu on 4x28x28: same shape, 4x28x28; receptive field 3x3
conv 3x3 -> 4 pad 1 on 1x28x28: (28 + 2*1 - 3) / 1 + 1 = 28, 4 channels; params 4*(1*3*3) + 4 = 40; receptive field 3x3
explain on
fc 10 on 4x14x14: fc takes flat features; flatten first would give 4*14*14 = 784
flatten on 4x14x14: 4*14*14 = 784 features; receptive field 4x4
conv 3x3 -> 2 on 784: a window slides over height and width, but the input is 784 flat features
explain off
OUT
diff -u "$tmp/s.exp" "$tmp/s.out" >"$tmp/diff" && ok ":explain in a session" || { bad ":explain in a session"; cat "$tmp/diff"; }
[ "$(grep -c ': error: ' "$tmp/s.err")" -eq 4 ] && ok "four errors in the session" || bad "errors: $(cat "$tmp/s.err")"
grep -q "the net has layers 0 to 4" "$tmp/s.err" || bad ":explain 99: $(cat "$tmp/s.err")"
exit $fail
