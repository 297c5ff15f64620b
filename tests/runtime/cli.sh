#!/bin/sh
# The command line: bad options and files are refused clearly; weights
# round-trip through --save / --eval --load; a diverging run stops.
. "$top_srcdir/tests/runtime/common.sh"
expect_fail "unknown device" "expected cpu, gpu or auto" "$NETLANG" --device tpu "$ex/lenet.net"
expect_fail "bad batch" "--batch '0'" "$NETLANG" --batch 0 "$ex/lenet.net"
expect_fail "bad lr" "--lr 'x'" "$NETLANG" --lr x "$ex/lenet.net"
expect_fail "bad split" "--split '1': expected a number in (0, 1)" "$NETLANG" --split 1 "$ex/lenet.net"
expect_fail "normalize count" "not 3" "$NETLANG" --normalize 0.5,0.2,0.1 "$ex/lenet.net"
expect_fail "normalize deviation" "positive standard deviations, not 0" \
	"$NETLANG" --normalize 0.5,0 "$ex/lenet.net"
expect_fail "normalize word" "expected auto, or means" "$NETLANG" --normalize mean "$ex/lenet.net"
expect_fail "missing file" "nonexistent.net" "$NETLANG" "$tmp/nonexistent.net"
expect_fail "eval needs weights" "--load" "$NETLANG" --eval "$ex/lenet.net" --data "$DATA"
expect_fail "missing data dir" "$tmp/nodata" "$NETLANG" --train "$ex/lenet.net" --data "$tmp/nodata"
printf 'input 3x28x28\nconv 3x3 -> 4\nflatten\nfc 10\n' >"$tmp/rgb.net"
expect_fail "channel mismatch" "1 channel" "$NETLANG" --train "$tmp/rgb.net" --data "$DATA"
printf 'input 1x28x28\nflatten\nfc 64\nrelu\nfc 64\nrelu\nfc 10\n' >"$tmp/deep.net"
expect_fail "divergence stops" "lower learning rate" \
	"$NETLANG" --train "$tmp/deep.net" --data "$DATA" --lr 1e8 --steps 60 --device cpu

# Weights: train briefly, save, evaluate the saved weights twice.  A
# softmax regression learns in a few dozen steps where the sigmoid LeNet
# would still sit at chance.
printf 'input 1x28x28\nflatten\nfc 64\nrelu\nfc 10\ntrain { lr 0.1; batch 64 }\n' >"$tmp/mlp.net"
"$NETLANG" "$tmp/mlp.net" --train --data "$DATA" --device cpu --steps 60 --seed 3 \
	--save "$tmp/w.bin" >"$tmp/train.out" 2>&1 || bad "train --save failed: $(cat "$tmp/train.out")"
[ -s "$tmp/w.bin" ] && ok "weights written" || bad "no weights file"
ls "$tmp" | grep -q '\.tmp' && bad "temporary file left behind" || ok "no temporary left"
"$NETLANG" "$tmp/mlp.net" --eval --load "$tmp/w.bin" --data "$DATA" --device cpu >"$tmp/e1" 2>&1 &&
"$NETLANG" "$tmp/mlp.net" --eval --load "$tmp/w.bin" --data "$DATA" --device cpu >"$tmp/e2" 2>&1 ||
	bad "eval failed: $(cat "$tmp/e1" "$tmp/e2")"
acc=$(sed -n 's/^test loss [0-9.]*, test acc \([0-9.]*\)$/\1/p' "$tmp/e1")
[ -n "$acc" ] && ok "eval reports test acc $acc" || bad "eval output: $(cat "$tmp/e1")"
# 60 steps put this net well past chance (0.1); fresh weights would not be.
awk -v a="${acc:-0}" 'BEGIN { exit !(a > 0.5) }' && ok "loaded weights are the trained ones" ||
	bad "test acc $acc: the weights did not come back"
[ "$(head -1 "$tmp/e1")" = "$(head -1 "$tmp/e2")" ] && ok "eval repeatable" || bad "eval differs"
sed 's/fc 64/fc 65/' "$tmp/mlp.net" >"$tmp/other.net"
expect_fail "weights for another net" "w.bin" \
	"$NETLANG" "$tmp/other.net" --eval --load "$tmp/w.bin" --data "$DATA" --device cpu
head -c 100 "$tmp/w.bin" >"$tmp/short.bin"
expect_fail "truncated weights" "short.bin" \
	"$NETLANG" "$tmp/mlp.net" --eval --load "$tmp/short.bin" --data "$DATA" --device cpu
# Training on from saved weights starts where they left off.
"$NETLANG" "$tmp/mlp.net" --train --data "$DATA" --device cpu --steps 5 --log-every 5 \
	--load "$tmp/w.bin" >"$tmp/cont" 2>&1 || bad "train --load failed"
first=$(sed -n 's/^step 5 loss //p' "$tmp/cont")
awk -v l="${first:-9}" 'BEGIN { exit !(l < 1.5) }' && ok "--load continues training (loss $first)" ||
	bad "--load then train: loss ${first:-none}, expected a trained net's"

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
# the yardstick, and each matrix-product layer's speed and share of it
grep -q '^sgemm ceiling: [0-9.]* GFLOP/s (cpu, 1024x1024x1024)$' "$tmp/t" &&
	ok "--time measures the sgemm ceiling" || bad "no sgemm ceiling line"
speeds=$(grep -E '^(conv|fc) ' "$tmp/t" | awk '$(NF) ~ /%$/ && $(NF-1) > 0 && $(NF-2) > 0' | wc -l)
[ "$speeds" -eq 5 ] && ok "--time gives GFLOP/s and the share of the ceiling for 2 convs and 3 fcs" ||
	bad "layers with speeds: $speeds of 5: $(grep -E '^(conv|fc) ' "$tmp/t")"
grep -E '^(sigmoid|avgpool) ' "$tmp/t" | grep -q '%' && bad "speeds for a layer that is no matrix product" ||
	ok "no speeds for the other layers"

# --resize runs the same net at another size: same parameters, other shapes;
# a size at which the shapes collapse is a located error.
"$NETLANG" "$ex/resnet18.net" --resize 32 >"$tmp/r" 2>&1 || bad "--resize 32 failed: $(cat "$tmp/r")"
grep -q '^ *1  conv 7x7/2 -> 64 pad 3 .* 64x16x16 ' "$tmp/r" && ok "--resize 32: first conv 64x16x16" ||
	bad "--resize 32 shapes: $(head -3 "$tmp/r")"
grep -q '^total .*11,178,378' "$tmp/r" && ok "--resize keeps the parameter count" || bad "total changed"
expect_fail "--resize too small" "kernel larger than padded input" "$NETLANG" "$ex/nin.net" --resize 28
expect_fail "--resize says it caused it" "because of --resize 28" "$NETLANG" "$ex/nin.net" --resize 28

# Misspelled options name what was meant; a missing value says so.
expect_fail "misspelled option" "unknown option '--epcohs' (did you mean --epochs?)" \
	"$NETLANG" --epcohs 2 "$ex/lenet.net"
expect_fail "another framework's option" "(did you mean --weight-decay?)" \
	"$NETLANG" --weight_decay 0.1 "$ex/lenet.net"
expect_fail "option without its value" "--lr needs a value" "$NETLANG" "$ex/lenet.net" --lr
exit $fail
