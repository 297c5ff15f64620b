#!/bin/sh
# netlang --format pytorch: for every example, and a net of every kind of
# layer, the module imports, counts netlang's parameters and prints
# netlang's D2L listing; weights trained by netlang (LeNet, LeNet with batch
# norm, the kinds net) and initial ones (ResNet-18) give netlang's logits in
# PyTorch; load_netlang refuses damaged or foreign files.
. "$top_srcdir/tests/export/common.sh"
find_python torch numpy
check="$export_dir/check_pytorch.py"

# the examples, and a net with every kind of layer (kinds.net)
for net in "$ex"/*.net "$export_dir/kinds.net"; do
	name=$(basename "$net" .net)
	"$NETLANG" "$net" --format pytorch >"$tmp/$name.py" || { bad "$name: --format pytorch failed"; continue; }
	"$NETLANG" "$net" --format d2l >"$tmp/$name.d2l"
	params=$(total_params "$net")
	if "$PY" "$check" listing "$tmp/$name.py" "$tmp/$name.d2l" "$params" >"$tmp/out" 2>&1; then
		ok "$name: $(tail -1 "$tmp/out")"
	else
		bad "$name: $(tail -3 "$tmp/out")"
	fi
done

# a batchnorm that runs on image and flat inputs is two PyTorch classes
printf 'def norm() { batchnorm }\ninput 1x8x8\nconv 3x3 -> 2; norm()\nflatten; fc 10; norm()\n' >"$tmp/mixed.net"
expect_fail "a batchnorm on both ranks is refused" "mixed.net:1:14: error: batchnorm runs on both flat and image inputs" \
	"$NETLANG" "$tmp/mixed.net" --format pytorch

[ -d "$DATA" ] || { echo "no Fashion-MNIST in $DATA: the logits were not checked"; exit $fail; }
logits_check() {  # NAME WEIGHTS LOGITS
	if "$PY" "$check" logits "$tmp/$1.py" "$2" "$3" "$DATA" >"$tmp/out" 2>&1; then
		ok "$1: $(tail -1 "$tmp/out")"
	else
		bad "$1: $(tail -3 "$tmp/out")"
	fi
}
cp "$export_dir/kinds.net" "$ex/lenet.net" "$ex/lenet-bn.net" "$tmp/"
for name in lenet lenet-bn kinds; do
	"$NETLANG" "$tmp/$name.net" --train --steps 20 --batch 64 --data "$DATA" --device cpu \
		--quiet --save "$tmp/$name.w" >/dev/null &&
	"$NETLANG" "$tmp/$name.net" --logits "$tmp/$name.logits" --load "$tmp/$name.w" \
		--data "$DATA" --device cpu --batch 100 --steps 2 ||
		{ bad "$name: training or --logits failed"; continue; }
	logits_check "$name" "$tmp/$name.w" "$tmp/$name.logits"
done
# a big net with the weights --seed gives (--logits --save writes them)
"$NETLANG" "$ex/resnet18.net" --logits "$tmp/resnet18.logits" --seed 7 --save "$tmp/resnet18.w" \
	--data "$DATA" --device cpu --batch 8 --steps 1 &&
	logits_check resnet18 "$tmp/resnet18.w" "$tmp/resnet18.logits" ||
	bad "resnet18: --logits failed"

# damaged and foreign weights files are refused with the reason
cp "$tmp/lenet.w" "$tmp/bad.w"
printf '\001' | dd of="$tmp/bad.w" bs=1 seek=100 conv=notrunc 2>/dev/null
for case in "lenet bad.w CRC-32" "lenet lenet-bn.w tensors" "lenet-bn lenet.w tensors"; do
	set -- $case
	"$PY" "$check" refuse "$tmp/$1.py" "$tmp/$2" "$3" >"$tmp/out" 2>&1 &&
		ok "$1 refuses $2: $(tail -1 "$tmp/out")" || bad "$1 with $2: $(tail -3 "$tmp/out")"
done
exit $fail
