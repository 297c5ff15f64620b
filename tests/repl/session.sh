#!/bin/sh
# A scripted session from a pipe: each statement prints what it adds, a
# block left open continues on the next lines, a block call is one line
# until :expand, and d2l prints the book's lines.
. "$top_srcdir/tests/repl/common.sh"

# The first thing a new user types.
printf 'input 1x224x224\nconv 11x11/4 -> 96\n' >"$tmp/first.nls"
run first "$tmp/first.nls"
status_is first 0
empty first
cat >"$tmp/first.exp" <<'OUT'
Input shape: [1, 1, 224, 224]
Conv2d output shape: [1, 96, 54, 54]    11,712 params
OUT
same "the first shape" "$tmp/first.exp" "$tmp/first.out"

# Multi-line blocks, `;` between statements, a top-level repeat, comments
# and blank lines.  conv 3x3 on one channel into 6: 9*6 + 6 = 60 params;
# into 16 from 6: 9*6*16 + 16 = 880.
cat >"$tmp/blocks.nls" <<'NLS'
input 1x28x28   # one grey channel

def blk(c)
{
  conv 3x3 -> c pad 1
  relu
}
blk(6)
:expand
repeat 2 {
  maxpool 2x2/2
}
blk(16); flatten
fc 10
NLS
run blocks "$tmp/blocks.nls"
status_is blocks 0
empty blocks
cat >"$tmp/blocks.exp" <<'OUT'
Input shape: [1, 1, 28, 28]
blk output shape: [1, 6, 28, 28]    2 layers, 60 params (:expand lists them)
blk (line 8), 2 layers:
  Conv2d output shape: [1, 6, 28, 28]    60 params
  ReLU output shape: [1, 6, 28, 28]
MaxPool2d output shape: [1, 6, 14, 14]
MaxPool2d output shape: [1, 6, 7, 7]
blk output shape: [1, 16, 7, 7]    2 layers, 880 params (:expand lists them)
Flatten output shape: [1, 784]
Linear output shape: [1, 10]    7,850 params
OUT
same "a session with blocks" "$tmp/blocks.exp" "$tmp/blocks.out"

# The same session in D2L's format: a block call is a Sequential line and
# the input prints nothing.  :expand lists the block's own layers.
run blocks-d2l "$tmp/blocks.nls" --format d2l
status_is blocks-d2l 0
T=$(printf '\t')
cat >"$tmp/blocks-d2l.exp" <<OUT
Sequential output shape:$T torch.Size([1, 6, 28, 28])
Conv2d output shape:$T torch.Size([1, 6, 28, 28])
ReLU output shape:$T torch.Size([1, 6, 28, 28])
MaxPool2d output shape:$T torch.Size([1, 6, 14, 14])
MaxPool2d output shape:$T torch.Size([1, 6, 7, 7])
Sequential output shape:$T torch.Size([1, 16, 7, 7])
Flatten output shape:$T torch.Size([1, 784])
Linear output shape:$T torch.Size([1, 10])
OUT
same "the session in d2l format" "$tmp/blocks-d2l.exp" "$tmp/blocks-d2l.out"

# -f reads the same script from a file and prints the same.
run blocks-f /dev/null -f "$tmp/blocks.nls"
status_is blocks-f 0
same "-f SCRIPT" "$tmp/blocks.out" "$tmp/blocks-f.out"

# Definitions and `use` before the input build nothing and print nothing.
mkdir -p "$tmp/lib"
printf 'def pair(c) {\n  conv 3x3 -> c pad 1\n  conv 3x3 -> c pad 1\n}\n' >"$tmp/lib/pairs.net"
# pair(4) on 3 channels: (27*4 + 4) + (36*4 + 4) = 260 params.
export NETLANG_PATH="$tmp/lib"
printf 'use pairs\ndef one() { relu }\ninput 3x8x8\npair(4)\none()\n' >"$tmp/use.nls"
run use "$tmp/use.nls"
unset NETLANG_PATH
status_is use 0
empty use
cat >"$tmp/use.exp" <<'OUT'
Input shape: [1, 3, 8, 8]
pair output shape: [1, 4, 8, 8]    2 layers, 260 params (:expand lists them)
one output shape: [1, 4, 8, 8]    1 layer, 0 params (:expand lists them)
OUT
same "use and defs before the input" "$tmp/use.exp" "$tmp/use.out"
exit 0
