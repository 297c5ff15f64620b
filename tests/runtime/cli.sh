#!/bin/sh
# The command line: bad options and files are refused clearly; weights
# round-trip through --save / --eval --load; a diverging run stops.
. "$top_srcdir/tests/runtime/common.sh"
expect_fail "unknown device" "expected cpu, gpu or auto" "$NETLANG" --device tpu "$ex/lenet.net"
expect_fail "bad batch" "--batch '0'" "$NETLANG" --batch 0 "$ex/lenet.net"
expect_fail "bad lr" "--lr 'x'" "$NETLANG" --lr x "$ex/lenet.net"
expect_fail "missing file" "nonexistent.net" "$NETLANG" "$tmp/nonexistent.net"
expect_fail "eval needs weights" "--load" "$NETLANG" --eval "$ex/lenet.net" --data "$DATA"
expect_fail "missing data dir" "$tmp/nodata" "$NETLANG" --train "$ex/lenet.net" --data "$tmp/nodata"
printf 'input 3x28x28\nconv 3x3 -> 4\nflatten\nfc 10\n' >"$tmp/rgb.net"
expect_fail "channel mismatch" "1 channel" "$NETLANG" --train "$tmp/rgb.net" --data "$DATA"
printf 'input 1x28x28\nflatten\nfc 10\n' >"$tmp/softmax.net"
expect_fail "divergence stops" "lower learning rate" \
	"$NETLANG" --train "$tmp/softmax.net" --data "$DATA" --lr 1e30 --steps 40 --device cpu

# Weights: train briefly, save, evaluate the saved weights twice.
"$NETLANG" "$ex/lenet.net" --train --data "$DATA" --device cpu --steps 40 --seed 3 \
	--save "$tmp/w.bin" >"$tmp/train.out" 2>&1 || bad "train --save failed: $(cat "$tmp/train.out")"
[ -s "$tmp/w.bin" ] && ok "weights written" || bad "no weights file"
ls "$tmp" | grep -q '\.tmp' && bad "temporary file left behind" || ok "no temporary left"
"$NETLANG" "$ex/lenet.net" --eval --load "$tmp/w.bin" --data "$DATA" --device cpu >"$tmp/e1" 2>&1 &&
"$NETLANG" "$ex/lenet.net" --eval --load "$tmp/w.bin" --data "$DATA" --device cpu >"$tmp/e2" 2>&1 ||
	bad "eval failed: $(cat "$tmp/e1" "$tmp/e2")"
acc=$(sed -n 's/^test loss [0-9.]*, test acc \([0-9.]*\)$/\1/p' "$tmp/e1")
[ -n "$acc" ] && ok "eval reports test acc $acc" || bad "eval output: $(cat "$tmp/e1")"
# 40 steps of LeNet at lr 0.9 are past chance (0.1) but far from trained.
awk -v a="${acc:-0}" 'BEGIN { exit !(a > 0.15) }' && ok "loaded weights are the trained ones" ||
	bad "test acc $acc: the weights did not come back"
[ "$(head -1 "$tmp/e1")" = "$(head -1 "$tmp/e2")" ] && ok "eval repeatable" || bad "eval differs"
# A fresh net evaluates at about chance: --load really replaced the weights.
sed 's/fc 84/fc 83/' "$ex/lenet.net" >"$tmp/other.net"
expect_fail "weights for another net" "w.bin" \
	"$NETLANG" "$tmp/other.net" --eval --load "$tmp/w.bin" --data "$DATA" --device cpu
head -c 100 "$tmp/w.bin" >"$tmp/short.bin"
expect_fail "truncated weights" "short.bin" \
	"$NETLANG" "$ex/lenet.net" --eval --load "$tmp/short.bin" --data "$DATA" --device cpu

# --plot writes an SVG with one point per epoch.
"$NETLANG" "$ex/lenet.net" --train --data "$DATA" --device cpu --epochs 2 --steps 30 \
	--plot "$tmp/p.svg" >/dev/null 2>&1 || bad "--plot run failed"
grep -q '<svg' "$tmp/p.svg" 2>/dev/null && ok "plot written" || bad "no SVG"

# --time reports per-layer rows and the two throughput lines.
"$NETLANG" "$ex/lenet.net" --time --device cpu --batch 16 --iterations 2 >"$tmp/t" 2>&1 ||
	bad "--time failed: $(cat "$tmp/t")"
grep -q '^train: [0-9.]* examples/sec (batch 16' "$tmp/t" && ok "--time train line" ||
	bad "--time output: $(cat "$tmp/t")"
grep -q '^inference: [0-9.]* examples/sec' "$tmp/t" && ok "--time inference line" || bad "no inference line"
[ "$(grep -c '^conv' "$tmp/t")" -eq 2 ] && ok "--time lists both convs" || bad "conv rows missing"
exit $fail
