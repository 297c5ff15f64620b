#!/bin/sh
# AlexNet and VGG-11 at 224x224 (the slides' settings, smaller batches to
# fit CI) take real training steps with a falling loss.
. "$top_srcdir/tests/runtime/common.sh"
falls() {   # name, then netlang arguments; prints the step losses
	name=$1; shift
	"$NETLANG" "$@" --train --data "$DATA" --device cpu --log-every 4 >"$tmp/out" 2>&1 ||
		{ bad "$name: training failed: $(tail -5 "$tmp/out")"; return; }
	grep '^step' "$tmp/out" | tr '\n' ' '; echo
	first=$(grep '^step' "$tmp/out" | head -1 | awk '{print $4}')
	last=$(grep '^step' "$tmp/out" | tail -1 | awk '{print $4}')
	awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < f) }' &&
		ok "$name: loss falls from $first to $last" || bad "$name: loss $first -> $last"
}
falls alexnet "$ex/alexnet.net" --batch 32 --steps 16 --lr 0.02 --seed 1
falls vgg11 "$ex/vgg11.net" --batch 16 --steps 8 --lr 0.02 --seed 1
exit $fail
