#!/bin/sh
# Files that are not files: a FIFO or a device is refused at once where a
# program, a library or weights are read (never waited on or read without
# end), and where weights or a plot are written; a symbolic link is written
# through, not replaced; an output that cannot be written is found before
# training starts; a script's over-long line is an error on its line.
. "$top_srcdir/tests/runtime/common.sh"
mkfifo "$tmp/fifo.net" "$tmp/fifo.w" || { echo "SKIP: mkfifo failed"; exit 77; }
t() { timeout 20 "$@"; }   # a wait on a FIFO would hang: fail instead

expect_fail "a FIFO as the program" "it is a FIFO, not a file" t "$NETLANG" "$tmp/fifo.net"
expect_fail "a device as the program" "it is a character device, not a file" t "$NETLANG" /dev/zero
printf 'use fifo\ninput 1x8x8\n' >"$tmp/use.net"
expect_fail "a FIFO as a library" "it is a FIFO, not a file" \
	t env NETLANG_PATH="$tmp" "$NETLANG" "$tmp/use.net"
expect_fail "a FIFO as weights" "it is a FIFO, not a file" \
	t "$NETLANG" "$ex/lenet.net" --eval --load "$tmp/fifo.w" --device cpu
expect_fail "a FIFO as the weights to write" "cannot write $tmp/fifo.w: it is a FIFO" \
	t "$NETLANG" "$ex/lenet.net" --train --save "$tmp/fifo.w" --device cpu
grep -q '^epoch\|^training' "$tmp/out" && bad "training ran before the output was checked" ||
	ok "refused before training"
expect_fail "a plot in a missing directory" "cannot write $tmp/no/such/p.svg" \
	t "$NETLANG" "$ex/lenet.net" --train --plot "$tmp/no/such/p.svg" --device cpu

# A script line longer than a statement may be: an error on its line; the
# next line still runs (-k).
{ printf 'input 1x8x8\n'; head -c 20000000 /dev/zero | tr '\0' 'a'; printf '\nrelu\n'; } >"$tmp/long.nls"
t "$NETLANG" -k -f "$tmp/long.nls" >"$tmp/long.out" 2>"$tmp/long.err"
[ $? -eq 1 ] && grep -q "^$tmp/long.nls:2:1: error: " "$tmp/long.err" &&
	grep -q '^ReLU output shape' "$tmp/long.out" && ok "an over-long line is an error on its line" ||
	bad "an over-long line: $(head -c 300 "$tmp/long.err")"

# Weights saved through a symbolic link land in its target; the link stays.
if [ -f "$DATA/train-images-idx3-ubyte.gz" ] || [ -f "$DATA/train-images-idx3-ubyte" ]; then
	printf 'input 1x28x28\nflatten\nfc 10\ntrain { batch 32 }\n' >"$tmp/small.net"
	mkdir "$tmp/real"
	ln -s "$tmp/real/w.bin" "$tmp/link.w"
	t "$NETLANG" "$tmp/small.net" --train --steps 2 --quiet --device cpu --data "$DATA" \
		--save "$tmp/link.w" >"$tmp/s.out" 2>&1 || bad "saving through a link: $(cat "$tmp/s.out")"
	[ -L "$tmp/link.w" ] && [ -s "$tmp/real/w.bin" ] && ok "saved through a symbolic link" ||
		bad "the link was replaced or its target not written: $(ls -l "$tmp" "$tmp/real")"
	ls "$tmp/real" | grep -q tmp && bad "a temporary was left behind" || ok "no temporary left"
else
	echo "SKIP (part): no Fashion-MNIST in $DATA for the save test"
fi
exit $fail
