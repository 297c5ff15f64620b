#!/bin/sh
# netlang --import: every example exported and imported back lists the same
# layers, shapes and parameters; a model PyTorch exported imports with
# PyTorch's parameter count; models netlang cannot say are refused naming
# the node and its op; damaged files, FIFOs and directories are refused
# without a crash or a wait.
. "$top_srcdir/tests/export/common.sh"
"$NETLANG" "$ex/lenet.net" --export "$tmp/probe.onnx" 2>"$tmp/err" || {
	if grep -q 'no ONNX support' "$tmp/err"; then
		echo "SKIP: this build has no ONNX support (protobuf-c, onnx.proto)"; exit 77; fi
	bad "export failed: $(cat "$tmp/err")"; exit 1; }

# layer, shape and parameters of each row of the table, and the total
rows() {
	# (a branching net's table starts its rows with their number; a pool's
	# stride shows as written, and 2x2/2 is 2x2 read back)
	"$NETLANG" "$1" | sed -n '1,/^ *total/p' |
		sed -E 's/^ *([0-9]+|#)  +//; s/^ +//; s#([0-9]+)x([0-9]+)/\1([^0-9])#\1x\2\3#; s#^(conv [0-9]+x[0-9]+)/1 #\1 #' |
		sed 's/   */	/g' |
		awk -F'	' 'NF >= 5 { print $1 "|" $(NF-2) "|" $(NF-1) } $1 == "total" { print "total|" $2 }'
}
for net in "$ex"/*.net "$export_dir/kinds.net"; do
	name=$(basename "$net" .net)
	if ! "$NETLANG" "$net" --export "$tmp/$name.onnx" ||
	   ! "$NETLANG" --import "$tmp/$name.onnx" >"$tmp/$name.net" 2>"$tmp/err"; then
		bad "$name: export or import failed: $(cat "$tmp/err")"; continue
	fi
	rm -f "$tmp/$name.onnx"
	rows "$net" >"$tmp/want"
	rows "$tmp/$name.net" >"$tmp/got"
	if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
		ok "$name: imported back, $(wc -l <"$tmp/got") rows as the original's"
	else
		bad "$name: the import lists otherwise:"; diff "$tmp/want" "$tmp/got" | head -5
	fi
done

# Damaged models: every truncation of a small one, flipped bytes, noise.
# Each is refused (or, by chance, read) with a message, never a crash.
"$NETLANG" "$ex/lenet-bn.net" --export "$tmp/m.onnx" || bad "lenet-bn export"
size=$(wc -c <"$tmp/m.onnx")
crashed=0 refused=0 cases=0
survive() {  # FILE: exit 0 or 1, a message when 1, no sanitizer report
	cases=$((cases + 1))
	"$NETLANG" --import "$1" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -gt 1 ] || grep -q 'Sanitizer\|runtime error' "$tmp/err" ||
	   { [ $rc = 1 ] && ! grep -q "^netlang: $1" "$tmp/err"; }; then
		crashed=$((crashed + 1)); cp "$1" "$tmp/crash-$crashed.onnx"
		echo "    $1 (exit $rc): $(head -3 "$tmp/err")"
	fi
	[ $rc = 1 ] && refused=$((refused + 1))
}
for n in 0 1 2 3 5 8 13 21 34 55 89 144 233 377 610 987 1597 2584 4181 6765 10946 17711; do
	[ $n -lt "$size" ] || break
	head -c "$n" "$tmp/m.onnx" >"$tmp/t.onnx"; survive "$tmp/t.onnx"
	head -c $((size - n - 1)) "$tmp/m.onnx" >"$tmp/t.onnx"; survive "$tmp/t.onnx"
done
i=0
while [ $i -lt 60 ]; do
	cp "$tmp/m.onnx" "$tmp/f.onnx"
	printf "\\$(printf %03o $(( (i * 37 + 11) % 256 )))" |
		dd of="$tmp/f.onnx" bs=1 seek=$(( (i * 7919) % size )) conv=notrunc 2>/dev/null
	survive "$tmp/f.onnx"
	i=$((i + 1))
done
head -c 4096 /dev/urandom >"$tmp/r.onnx"; survive "$tmp/r.onnx"
: >"$tmp/e.onnx"; survive "$tmp/e.onnx"
[ $crashed = 0 ] && ok "$cases damaged models: $refused refused with a message, none crashed" ||
	bad "$crashed of $cases damaged models crashed netlang --import"
expect_fail "a missing file" "nosuch.onnx: No such file" "$NETLANG" --import "$tmp/nosuch.onnx"
# What is not a file is refused at once: a FIFO is not waited on.
if mkfifo "$tmp/fifo.onnx"; then
	expect_fail "a FIFO as the model" "fifo.onnx: it is a FIFO, not a file" \
		timeout 20 "$NETLANG" --import "$tmp/fifo.onnx"
else
	echo "mkfifo failed: a FIFO as the model was not tried"
fi
mkdir "$tmp/dir.onnx"
expect_fail "a directory as the model" "dir.onnx: it is a directory, not a file" \
	"$NETLANG" --import "$tmp/dir.onnx"
expect_fail "--import with a .net file" "not a .net file" "$NETLANG" --import "$tmp/m.onnx" "$ex/lenet.net"

# Models from elsewhere (ONNX's helper, PyTorch's exporter).
find_python onnx numpy
mk="$export_dir/make_onnx.py"
mkdir "$tmp/refused"
if "$PY" "$mk" refused "$tmp/refused" 2>"$tmp/err"; then
	for m in "$tmp/refused"/*.onnx; do
		name=$(basename "$m" .onnx)
		expect_fail "refuses $name" "$(cat "$tmp/refused/$name.want")" "$NETLANG" --import "$m"
	done
else
	bad "make_onnx.py refused: $(tail -3 "$tmp/err")"
fi
if "$PY" -c 'import torch' 2>/dev/null; then
	params=$("$PY" "$mk" torch "$tmp/torch.onnx" 2>"$tmp/err" | tail -1)
	if [ -z "$params" ]; then
		bad "PyTorch's export failed: $(tail -3 "$tmp/err")"
	elif "$NETLANG" --import "$tmp/torch.onnx" >"$tmp/torch.net" 2>"$tmp/err"; then
		got=$(total_params "$tmp/torch.net")
		[ "$got" = "$params" ] && ok "a PyTorch model imports with its $params parameters" ||
			bad "a PyTorch model of $params parameters imports with $got"
	else
		bad "a PyTorch model was refused: $(cat "$tmp/err")"
	fi
else
	echo "no torch in $PY: PyTorch's own export was not tried"
fi
exit $fail
