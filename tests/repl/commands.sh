#!/bin/sh
# The session's commands: :undo, :reset, :save (the file re-loads to the
# same table), :load, :show, :format, :expand, :help and :train.
. "$top_srcdir/tests/repl/common.sh"

# ---- :undo and :reset ----
# conv 5x5 from 1 channel into 6: 150 + 6 = 156 params; 3x3 from 3 into 8:
# 216 + 8 = 224.  The maxpool after two undos sees the bare input.
cat >"$tmp/undo.nls" <<'NLS'
input 1x28x28
def blk() { relu }
conv 5x5 -> 6 pad 2
relu
:undo
:undo
:undo
maxpool 2x2/2
:reset
:show
blk()
input 3x32x32
conv 3x3 -> 8
NLS
run undo "$tmp/undo.nls" -k
status_is undo 1
cat >"$tmp/undo.exp" <<'OUT'
Input shape: [1, 1, 28, 28]
Conv2d output shape: [1, 6, 28, 28]    156 params
ReLU output shape: [1, 6, 28, 28]
undone: the net ends with Conv2d output shape: [1, 6, 28, 28]    156 params
undone: the net is its input alone
MaxPool2d output shape: [1, 1, 14, 14]
the net is empty
Input shape: [1, 3, 32, 32]
Conv2d output shape: [1, 8, 30, 30]    224 params
OUT
same ":undo and :reset" "$tmp/undo.exp" "$tmp/undo.out"
# Three errors: nothing left to undo, :show of an empty net, and blk()
# whose definition :reset dropped.
grep -qx '<stdin>:7:1: error: nothing to undo' "$tmp/undo.err" || fail ":undo past the input: $(cat "$tmp/undo.err")"
grep -q '^<stdin>:10:1: error: the net is empty' "$tmp/undo.err" || fail ":show of nothing: $(cat "$tmp/undo.err")"
grep -q '^<stdin>:11:[0-9]*: error: ' "$tmp/undo.err" || fail "a block survived :reset: $(cat "$tmp/undo.err")"
[ "$(grep -c ': error: ' "$tmp/undo.err")" -eq 3 ] || fail "expected three errors: $(cat "$tmp/undo.err")"

# :undo takes back the whole line typed, all its statements; a line that
# only defined a block is not one; the input stays.
cat >"$tmp/undoline.nls" <<'NLS'
input 1x8x8; relu
conv 3x3 -> 2; relu; flatten
def b() { relu }
:undo
:undo
:undo
NLS
run undoline "$tmp/undoline.nls" -k
status_is undoline 1
cat >"$tmp/undoline.exp" <<'OUT'
Input shape: [1, 1, 8, 8]
ReLU output shape: [1, 1, 8, 8]
Conv2d output shape: [1, 2, 6, 6]    20 params
ReLU output shape: [1, 2, 6, 6]
Flatten output shape: [1, 72]
undone: the net ends with ReLU output shape: [1, 1, 8, 8]
undone: the net is its input alone
OUT
same ":undo of whole lines" "$tmp/undoline.exp" "$tmp/undoline.out"
grep -qx '<stdin>:6:1: error: nothing to undo' "$tmp/undoline.err" || fail ":undo past the input: $(cat "$tmp/undoline.err")"

# :show takes --depth and --rf as the command line does.
printf 'use vgg\ninput 1x32x32\nvgg_block(2, 8)\n:show --depth 1 --rf\n:show --depth\n' >"$tmp/showd.nls"
run showd "$tmp/showd.nls" -k
status_is showd 1
grep -q '^vgg_block(2, 8) .* 8x16x16 .*  6x6$' "$tmp/showd.out" || fail ":show --depth 1 --rf: $(cat "$tmp/showd.out")"
grep -q ':show --depth takes a number' "$tmp/showd.err" || fail ":show --depth: $(cat "$tmp/showd.err")"

# A session builds a statement at a time, from checkpoints: lines undone
# (a block call and a layer, two calls, a call and a layer), a shape that
# fails under :explain on, and lines added after each leave the net that
# the same statements make from a file: the same rows at --depth 1 (the
# calls as written with their values), the same totals, and the drawing's
# boxes named as the calls were.
cat >"$tmp/undock.nls" <<'NLS'
use vgg
input 1x32x32
vgg_block(1, 4); vgg_block(1, 8)
vgg_block(2, 16); conv 3x3 -> 5
:undo
vgg_block(1, 16)
:explain on
conv 9x9 -> 3
:explain off
vgg_block(1, 32); relu
:undo
:undo
vgg_block(2, 32); flatten
fc 10
:show --depth 1
NLS
printf ':draw --depth 1 %s\n' "$tmp/undock.svg" >>"$tmp/undock.nls"
printf 'use vgg\ninput 1x32x32\nvgg_block(1, 4); vgg_block(1, 8)\nvgg_block(2, 32); flatten\nfc 10\n' >"$tmp/undock.net"
run undock "$tmp/undock.nls" -k
status_is undock 1
grep -q '^conv 9x9 -> 3 on 16x4x4: (4 + 2\*0 - 9) / 1 + 1 = -4' "$tmp/undock.out" ||
	fail ":explain on in a kept build: $(cat "$tmp/undock.out")"
[ "$(grep -c ': error: ' "$tmp/undock.err")" -eq 1 ] || fail "expected one error: $(cat "$tmp/undock.err")"
"$NETLANG" "$tmp/undock.net" --depth 1 >"$tmp/undock.cli" 2>&1 || fail "the file: $(cat "$tmp/undock.cli")"
# rows and totals, less the origin column (<stdin>:N against undock.net:N)
rows() { sed -n '/^layer /,/^training memory/p' "$1" | sed 's/  *[^ ]*:[0-9][0-9]*  */ /; s/  */ /g'; }
rows "$tmp/undock.out" >"$tmp/undock.rows"
rows "$tmp/undock.cli" >"$tmp/undock.clirows"
[ "$(grep -c '^vgg_block(' "$tmp/undock.clirows")" -eq 3 ] || fail "the file's rows: $(cat "$tmp/undock.clirows")"
same "the session's net after :undo" "$tmp/undock.clirows" "$tmp/undock.rows"
for call in 'vgg_block(1, 4)' 'vgg_block(1, 8)' 'vgg_block(2, 32)'; do
	grep -qF ">$call<" "$tmp/undock.svg" || fail ":draw after :undo lacks $call"
done
grep -qF 'vgg_block(1, 16)' "$tmp/undock.svg" && fail ":draw shows a call that was undone"

# ---- :save, then the file on its own and through :load ----
cat >"$tmp/save.nls" <<NLS
input 1x32x32
def pair(c) {
  repeat 2 { conv 3x3 -> c pad 1; relu }
  maxpool 2x2/2
}
pair(8)
conv 3x3 -> 99
:undo
pair(16)
flatten; dropout 0.5; fc 10
train { batch 64; lr 0.05 }
:save $tmp/saved.net
:format d2l
:show
NLS
run save "$tmp/save.nls"
status_is save 0
empty save
grep -qx "saved [0-9]* statements to $tmp/saved.net" "$tmp/save.out" || fail ":save said: $(cat "$tmp/save.out")"
[ -s "$tmp/saved.net" ] || fail ":save wrote nothing"
# :show is the whole table whatever the format; the file checked on its
# own gives the same rows (shape, params, FLOPs) and the same totals.
# The origin column differs (<stdin>:6 against saved.net:N), so the rows
# are compared from the right.
sed -n '/^layer /,$p' "$tmp/save.out" >"$tmp/show.txt"
"$NETLANG" --shapes "$tmp/saved.net" >"$tmp/file.txt" 2>"$tmp/file.err" ||
	fail "the saved file does not check: $(cat "$tmp/file.err")"
tail3() { awk '{ print $(NF-2), $(NF-1), $NF }' "$1"; }
tail3 "$tmp/show.txt" >"$tmp/show.cols"
tail3 "$tmp/file.txt" >"$tmp/file.cols"
same "the saved net's table" "$tmp/show.cols" "$tmp/file.cols"
[ "$(wc -l <"$tmp/file.txt")" -ge 15 ] || fail "the table is too short: $(cat "$tmp/file.txt")"
grep -q 'training memory at batch 64' "$tmp/show.txt" || fail ":show ignores the train section's batch"
grep -q 'training memory at batch 64' "$tmp/file.txt" || fail "the saved file lost its train section"
# The conv that was undone is not in the file.
grep -q '99' "$tmp/saved.net" && fail "an undone statement was saved"
# In a fresh session, :load prints the file's layers and :show prints
# exactly what the command line prints.
printf ':load %s\n:show\n' "$tmp/saved.net" >"$tmp/load.nls"
run load "$tmp/load.nls"
status_is load 0
empty load
grep -qx 'pair output shape: \[1, 16, 8, 8\]    5 layers, 3,488 params (:expand lists them)' "$tmp/load.out" ||
	fail ":load did not print the second pair: $(cat "$tmp/load.out")"
sed -n '/^layer /,$p' "$tmp/load.out" >"$tmp/load-show.txt"
same ":load then :show" "$tmp/file.txt" "$tmp/load-show.txt"
# A file that does not exist or does not check changes nothing.
printf 'input 1x8x8\n:load %s/none.net\nrelu\n' "$tmp" >"$tmp/noload.nls"
printf 'input 1x8x8\nconv 9x9 -> 1\n' >"$tmp/badfile.net"
printf 'input 1x8x8\n:load %s/badfile.net\nrelu\n' "$tmp" >"$tmp/badload.nls"
for t in noload badload; do
	run $t "$tmp/$t.nls" -k
	status_is $t 1
	printf 'Input shape: [1, 1, 8, 8]\nReLU output shape: [1, 1, 8, 8]\n' >"$tmp/$t.exp"
	same ":load of a bad file ($t)" "$tmp/$t.exp" "$tmp/$t.out"
	grep -q ': error: ' "$tmp/$t.err" || fail "$t: no error"
done
# :save to a place that cannot be written is an error, not a crash.
printf 'input 1x8x8\n:save %s/no/such/dir/x.net\n' "$tmp" >"$tmp/nosave.nls"
run nosave "$tmp/nosave.nls"
status_is nosave 1
[ -s "$tmp/nosave.err" ] || fail ":save to nowhere said nothing"

# ---- :format, :expand and :help ----
cat >"$tmp/fmt.nls" <<'NLS'
:format
input 1x8x8
def two() { relu; relu }
:expand
two()
:format d2l
:format
:expand two
:expand nothere
:format html
:help
:help me
NLS
run fmt "$tmp/fmt.nls" -k
status_is fmt 1
T=$(printf '\t')
cat >"$tmp/fmt.exp" <<OUT
format table
Input shape: [1, 1, 8, 8]
two output shape: [1, 1, 8, 8]    2 layers, 0 params (:expand lists them)
format d2l
ReLU output shape:$T torch.Size([1, 1, 8, 8])
ReLU output shape:$T torch.Size([1, 1, 8, 8])
OUT
sed '/^Type a statement/,$d' "$tmp/fmt.out" >"$tmp/fmt.head"
same ":format and :expand" "$tmp/fmt.exp" "$tmp/fmt.head"
for c in help load show expand explain draw undo reset save format train quit; do
	grep -q "^  :$c" "$tmp/fmt.out" || fail ":help does not list :$c"
done
[ "$(grep -c ': error: ' "$tmp/fmt.err")" -eq 4 ] || fail "expected four errors: $(cat "$tmp/fmt.err")"
grep -qx "<stdin>:4:1: error: the net has no block calls that add layers" "$tmp/fmt.err" || fail ":expand with no calls"
grep -qx "<stdin>:9:1: error: the net has no call of 'nothere' that adds layers" "$tmp/fmt.err" || fail ":expand of an unknown name"
grep -qx "<stdin>:10:1: error: :format takes table or d2l" "$tmp/fmt.err" || fail ":format html"

# ---- :train ----
cat >"$tmp/trainopts.nls" <<'NLS'
:train
input 1x28x28
:train --epochs 0
:train --bogus 1
:train --lr
:train --momentum 1
:train epochs
:train --device tpu
NLS
run trainopts "$tmp/trainopts.nls" -k
status_is trainopts 1
[ "$(grep -c ': error: ' "$tmp/trainopts.err")" -eq 7 ] || fail "expected seven errors: $(cat "$tmp/trainopts.err")"
grep -q "^<stdin>:3:1: error: :train --epochs '0': expected an integer from 1 to 100000" "$tmp/trainopts.err" ||
	fail ":train --epochs 0: $(cat "$tmp/trainopts.err")"
grep -q "^<stdin>:4:1: error: :train: unknown option '--bogus'" "$tmp/trainopts.err" || fail ":train --bogus"

data=$NETLANG_TEST_DATA/fashion-mnist
if [ -r "$data/train-images-idx3-ubyte.gz" ]; then
	# Two steps of a small net, then the session goes on.
	cat >"$tmp/train.nls" <<NLS
input 1x28x28
conv 5x5 -> 6 pad 2; sigmoid; avgpool 2x2/2
flatten; fc 10
:train --steps 2 --epochs=1 --batch 16 --device cpu --threads 1 --quiet --data $data
relu
NLS
	run train "$tmp/train.nls"
	status_is train 0
	grep -q '^loss [0-9.]*, train acc' "$tmp/train.out" || fail ":train printed no result: $(cat "$tmp/train.out")"
	tail -n 1 "$tmp/train.out" | grep -qx 'ReLU output shape: \[1, 10\]' || fail "the session did not go on after :train"
else
	echo "note: $data not found; :train ran only its option checks"
fi
exit 0
