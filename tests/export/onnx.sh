#!/bin/sh
# netlang --export: every example's model, and one of every kind of layer,
# passes onnx.checker and ONNX's shape inference gives netlang's shapes;
# where onnxruntime is installed, LeNet and the kinds net (trained by
# netlang) and ResNet-18 (--seed's weights) give netlang's logits; exports
# are reproducible, refuse bad weights and write through symbolic links.
. "$top_srcdir/tests/export/common.sh"
"$NETLANG" "$ex/lenet.net" --export "$tmp/probe.onnx" 2>"$tmp/err" || {
	if grep -q 'no ONNX support' "$tmp/err"; then
		echo "SKIP: this build has no ONNX support (protobuf-c, onnx.proto)"; exit 77; fi
	bad "export failed: $(cat "$tmp/err")"; exit 1; }

# Written as --save writes: through a symbolic link (its target replaced, the
# link kept, no temporary left), and never into a FIFO.
mkdir "$tmp/real"
ln -s "$tmp/real/m.onnx" "$tmp/link.onnx"
"$NETLANG" "$ex/lenet.net" --export "$tmp/direct.onnx" --seed 5 &&
"$NETLANG" "$ex/lenet.net" --export "$tmp/link.onnx" --seed 4 &&
"$NETLANG" "$ex/lenet.net" --export "$tmp/link.onnx" --seed 5 || bad "an export through a link failed"
[ -L "$tmp/link.onnx" ] && cmp -s "$tmp/direct.onnx" "$tmp/real/m.onnx" &&
	ok "exported through a symbolic link, twice" ||
	bad "the link was replaced or its target not written: $(ls -l "$tmp" "$tmp/real")"
[ "$(ls "$tmp/real")" = m.onnx ] && ok "no temporary left beside the target" ||
	bad "left beside the target: $(ls "$tmp/real")"
if mkfifo "$tmp/fifo.onnx"; then
	expect_fail "a FIFO as the model to write" "cannot write $tmp/fifo.onnx: it is a FIFO" \
		timeout 20 "$NETLANG" "$ex/lenet.net" --export "$tmp/fifo.onnx"
fi

find_python onnx numpy
check="$export_dir/check_onnx.py"

for net in "$ex"/*.net "$export_dir/kinds.net"; do
	name=$(basename "$net" .net)
	"$NETLANG" "$net" >"$tmp/$name.table"
	if ! "$NETLANG" "$net" --export "$tmp/$name.onnx" 2>"$tmp/err"; then
		bad "$name: --export failed: $(cat "$tmp/err")"; continue
	fi
	"$PY" "$check" model "$tmp/$name.onnx" "$tmp/$name.table" >"$tmp/out" 2>&1 &&
		ok "$name: $(tail -1 "$tmp/out")" || bad "$name: $(tail -3 "$tmp/out")"
	rm -f "$tmp/$name.onnx"   # VGG-11's is half a gigabyte
done

# the same seed, the same file; another seed, other weights
"$NETLANG" "$ex/lenet.net" --export "$tmp/a.onnx" --seed 3 &&
"$NETLANG" "$ex/lenet.net" --export "$tmp/b.onnx" --seed 3 &&
"$NETLANG" "$ex/lenet.net" --export "$tmp/c.onnx" --seed 4 || bad "lenet --export --seed"
cmp -s "$tmp/a.onnx" "$tmp/b.onnx" && ok "an export is reproducible" || bad "two exports with --seed 3 differ"
cmp -s "$tmp/a.onnx" "$tmp/c.onnx" && bad "--seed 3 and --seed 4 export the same weights" ||
	ok "another seed, other weights"
printf 'NETLANGW' >"$tmp/bad.w"
expect_fail "bad weights are refused" "bad.w" "$NETLANG" "$ex/lenet.net" --export "$tmp/d.onnx" --load "$tmp/bad.w"
[ -e "$tmp/d.onnx" ] && bad "a failed export left a file" || ok "a failed export leaves no file"
expect_fail "an unwritable path" "nosuchdir" "$NETLANG" "$ex/lenet.net" --export "$tmp/nosuchdir/x.onnx"

if ! "$PY" -c 'import onnxruntime' 2>/dev/null; then
	for py in ${PYTHON:-} python3 /usr/bin/python3; do
		"$py" -c 'import onnxruntime, onnx, numpy, torch' 2>/dev/null && { PY=$py; break; }
	done
fi
if ! "$PY" -c 'import onnxruntime, torch' 2>/dev/null; then
	echo "onnxruntime is not installed: the logits of exported models were not checked"
	exit $fail
fi
if [ ! -d "$DATA" ]; then
	echo "no Fashion-MNIST in $DATA: the logits of exported models were not checked"
	exit $fail
fi
run_check() {  # NAME
	if "$PY" "$check" run "$tmp/$1.onnx" "$tmp/$1.logits" "$DATA" >"$tmp/out" 2>&1; then
		ok "$1: $(tail -1 "$tmp/out")"
	else
		bad "$1: $(tail -3 "$tmp/out")"
	fi
}
"$NETLANG" "$ex/lenet.net" --train --steps 20 --batch 64 --data "$DATA" --device cpu --quiet \
	--save "$tmp/lenet.w" >/dev/null &&
"$NETLANG" "$ex/lenet.net" --export "$tmp/lenet.onnx" --load "$tmp/lenet.w" &&
"$NETLANG" "$ex/lenet.net" --logits "$tmp/lenet.logits" --load "$tmp/lenet.w" --data "$DATA" \
	--device cpu --batch 100 --steps 2 && run_check lenet || bad "lenet: training or export failed"
"$NETLANG" "$ex/resnet18.net" --export "$tmp/resnet18.onnx" --seed 7 &&
"$NETLANG" "$ex/resnet18.net" --logits "$tmp/resnet18.logits" --seed 7 --data "$DATA" \
	--device cpu --batch 8 --steps 1 && run_check resnet18 || bad "resnet18: export failed"
# every kind of layer, GELU's Erf arithmetic and a final softmax among them
"$NETLANG" "$export_dir/kinds.net" --train --steps 20 --batch 64 --data "$DATA" --device cpu \
	--quiet --save "$tmp/kinds.w" >/dev/null &&
"$NETLANG" "$export_dir/kinds.net" --export "$tmp/kinds.onnx" --load "$tmp/kinds.w" &&
"$NETLANG" "$export_dir/kinds.net" --logits "$tmp/kinds.logits" --load "$tmp/kinds.w" \
	--data "$DATA" --device cpu --batch 100 --steps 2 && run_check kinds || bad "kinds: export failed"
exit $fail
