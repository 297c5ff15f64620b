#!/bin/sh
# Every example network takes real training steps at its size (or a
# reduced one where the book's is too slow for CI) with a falling loss:
# 64 training images, so each epoch shows the net the same examples and a
# loss that does not fall means a broken step.  Seeds are fixed, so a run
# is the same every time on one machine.
. "$top_srcdir/tests/runtime/common.sh"
python3 "$top_srcdir/tests/runtime/subset.py" "$DATA" "$tmp/sub" 64 32 || { bad "subset"; exit 1; }
falls() {   # name, then netlang arguments
	name=$1; shift
	"$NETLANG" "$ex/$name.net" "$@" --train --data "$tmp/sub" --device cpu --seed 1 \
		--log-every 2 >"$tmp/out" 2>&1 || { bad "$name: training failed: $(tail -5 "$tmp/out")"; return; }
	first=$(grep '^step' "$tmp/out" | head -1 | awk '{print $4}')
	last=$(grep '^step' "$tmp/out" | tail -1 | awk '{print $4}')
	# lower by 0.005 at least: a flat loss is a failure (D2L's NiN, without
	# batch norm, starts slowest: about 0.01 in 32 steps)
	awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < f - 0.005) }' &&
		ok "$name $*: loss falls from $first to $last" || bad "$name: loss $first -> $last"
}
# The slides' networks at 224x224, the recipe's lr raised to show progress
# within a few steps.
falls alexnet --batch 32 --epochs 8 --lr 0.05
falls vgg11 --batch 16 --epochs 4 --lr 0.05
# D2L 7.3-7.7 with their own recipes, at reduced sizes.
falls lenet-bn --batch 32 --epochs 4
falls nin --resize 96 --batch 32 --epochs 16
falls googlenet --resize 96 --batch 32 --epochs 6
falls resnet18 --resize 32 --batch 32 --epochs 4
falls densenet --resize 48 --batch 32 --epochs 4
exit $fail
