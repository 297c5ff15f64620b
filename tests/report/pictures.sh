#!/bin/sh
# After a run: --plot's curves grow within epochs, --predict N and
# --filters after training and with --load, the confusion matrix after
# --eval (text, and a picture with --plot), on a subset of Fashion-MNIST
# so a run takes seconds; the header and --quiet as netlang(1) says.
. "$top_srcdir/tests/report/common.sh"
DATA=$NETLANG_TEST_DATA/fashion-mnist
[ -r "$DATA/train-labels-idx1-ubyte.gz" ] || [ -r "$DATA/train-labels-idx1-ubyte" ] ||
	{ echo "Fashion-MNIST is not in $DATA: these checks need it"; exit 77; }
check=$top_srcdir/tests/report/check_pictures.py
sub=$tmp/fashion-mnist
$PY "$top_srcdir/tests/runtime/subset.py" "$DATA" "$sub" 2560 500 || { bad "subset"; exit 1; }
printf 'input 1x28x28\nconv 5x5 -> 6 pad 2; relu; maxpool 2x2/2\nflatten; fc 10\n' >"$tmp/small.net"
run() { "$NETLANG" "$tmp/small.net" --data "$sub" --device cpu --threads 2 --batch 64 "$@"; }

# Two epochs of 40 steps: points every 4 steps, a test point each epoch.
# conv 5x5 from 1 channel into 6: 156 parameters; fc from 6x14x14: 11,770.
run --train --epochs 2 --lr 0.1 --plot "$tmp/curves.svg" --save "$tmp/w" \
	--predict 12 --predict-file "$tmp/p.svg" --filters "$tmp/f.png" >"$tmp/train.out" 2>&1 ||
	bad "training: $(cat "$tmp/train.out")"
head -n 1 "$tmp/train.out" | grep -q ': 2 epochs, batch 64, lr 0.1, seed 1$' && ok "the header" ||
	bad "header: $(head -n 1 "$tmp/train.out")"
sed -n 2p "$tmp/train.out" | grep -q '^parameters: 11,926 trainable' && ok "totals before the first epoch" ||
	bad "no totals before training: $(sed -n 2,3p "$tmp/train.out")"
$PY "$check" curves "$tmp/curves.svg" 2 && ok "curves within epochs" || bad "curves"
$PY "$check" predict "$tmp/p.svg" "$tmp/train.out" 12 && ok "predictions after training" || bad "predictions"
grep -q '^    0  true ankle boot   predicted ' "$tmp/train.out" && ok "Fashion-MNIST's class names" ||
	bad "class names: $(grep -m1 'true' "$tmp/train.out")"
$PY "$check" filters-png "$tmp/f.png" 6 5 && ok "filters as PNG" || bad "filters PNG"

# With the saved weights: --eval prints the confusion matrix, --plot
# draws it; --predict and --filters alone use --load.
run --eval --load "$tmp/w" --plot "$tmp/conf.svg" >"$tmp/eval.out" 2>&1 || bad "eval: $(cat "$tmp/eval.out")"
$PY "$check" confusion "$tmp/conf.svg" "$tmp/eval.out" && ok "confusion matrix" || bad "confusion"
grep -q '^confusion matrix on 500 test images' "$tmp/eval.out" || bad "$(cat "$tmp/eval.out")"
run --load "$tmp/w" --predict 5 --predict-file "$tmp/p5.svg" --filters "$tmp/f.svg" >"$tmp/pred.out" 2>&1 ||
	bad "--predict with --load: $(cat "$tmp/pred.out")"
$PY "$check" predict "$tmp/p5.svg" "$tmp/pred.out" 5 && ok "predictions from --load" || bad "predictions from --load"
$PY "$check" filters-svg "$tmp/f.svg" 6 5 && ok "filters as SVG" || bad "filters SVG"
head -n 5 "$tmp/train.out" | grep -q "predicted" && bad "--predict ran before training"
run --predict 3 >"$tmp/noload.out" 2>&1 && bad "--predict without weights succeeded"
grep -q -- '--load FILE, or --train' "$tmp/noload.out" && ok "--predict needs weights" || bad "$(cat "$tmp/noload.out")"
printf 'input 1x28x28\nflatten; fc 10\n' >"$tmp/mlp.net"
"$NETLANG" "$tmp/mlp.net" --data "$sub" --device cpu --train --steps 2 --filters "$tmp/none.png" \
	>"$tmp/noconv.out" 2>&1 && bad "--filters of a net without a conv succeeded"
grep -q 'no convolution' "$tmp/noconv.out" && ok "--filters needs a convolution" || bad "$(cat "$tmp/noconv.out")"

# The header of a run --steps ends early says so; --quiet prints only the
# final two lines, whatever --log-every says.
run --train --steps 5 --log-every 1 >"$tmp/steps.out" 2>&1 || bad "--steps"
head -n 1 "$tmp/steps.out" | grep -q ': 5 steps (--steps; an epoch is 40), batch 64' && ok "--steps in the header" ||
	bad "header: $(head -n 1 "$tmp/steps.out")"
[ "$(grep -c '^step ' "$tmp/steps.out")" -eq 5 ] || bad "--log-every 1 printed $(grep -c '^step ' "$tmp/steps.out") lines"
run --train --epochs 1 >"$tmp/one.out" 2>&1
head -n 1 "$tmp/one.out" | grep -q ': 1 epoch, batch 64' && ok "1 epoch, not 1 epochs" || bad "$(head -n 1 "$tmp/one.out")"
run --train --steps 5 --log-every 1 --quiet >"$tmp/quiet.out" 2>&1 || bad "--quiet"
[ "$(wc -l <"$tmp/quiet.out")" -eq 2 ] && grep -q '^loss ' "$tmp/quiet.out" && ok "--quiet prints two lines" ||
	bad "--quiet printed: $(cat "$tmp/quiet.out")"
exit $fail
