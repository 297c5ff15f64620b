#!/bin/sh
# own_data.sh - netlang trains on data made here, as a user's own would be:
# a folder of PNG and JPEG images in three classes (grey or RGB by the
# input line, held-out split or train/ and test/) and CIFAR-10's binary
# format (batch files or the .tar.gz), each with a falling loss; --eval
# prints accuracy per class, with the class names the weights carry; and
# every kind of bad data is refused with a message saying what and where.
set -u
: "${NETLANG:?}" "${top_builddir:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netlang-own.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
# The decoded images are cached here, not in the tester's home.
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
mkdata=$top_builddir/tests/data/mkdata
fail=0
ok()  { echo "ok $*"; }
bad() { echo "FAIL $*"; fail=1; }
expect_fail() {   # NAME, then each expected substring, then -- and the command
	name=$1; shift
	wants=
	while [ "$1" != -- ]; do wants="$wants
$1"; shift; done
	shift
	if "$@" >"$tmp/out" 2>"$tmp/err"; then bad "$name: succeeded, expected a refusal"; return; fi
	echo "$wants" | while IFS= read -r w; do
		[ -z "$w" ] || grep -qF -- "$w" "$tmp/err" || { echo "FAIL $name: stderr lacks '$w':"; sed 's/^/    /' "$tmp/err"; }
	done | grep -q FAIL && { bad "$name"; sed 's/^/    /' "$tmp/err"; return; }
	ok "$name: $(head -1 "$tmp/err")"
}
# falls NAME OUTPUT: the first and last step losses of a --log-every run
falls() {
	first=$(grep '^step' "$2" | head -1 | awk '{print $4}')
	last=$(grep '^step' "$2" | tail -1 | awk '{print $4}')
	awk -v f="${first:-0}" -v l="${last:-9}" 'BEGIN { exit !(l < 0.7 * f) }' &&
		ok "$1: loss falls from $first to $last" || { bad "$1: loss ${first:-none} -> ${last:-none}"; cat "$2"; }
}

"$mkdata" folder "$tmp/pics" 12 && "$mkdata" split "$tmp/tt" 9 &&
"$mkdata" cifar "$tmp/cifar" 240 45 && "$mkdata" cifar-archive "$tmp/cifar-tgz" 240 45 ||
	{ echo "mkdata failed"; exit 99; }

net() {   # FILE CHANNELS CLASSES [TRAIN-SECTION]
	cat >"$1" <<NET
input $2x32x32
conv 3x3 -> 8 pad 1; relu; maxpool 2x2/2
conv 3x3 -> 16 pad 1; relu; maxpool 2x2/2
flatten
fc $3
train { batch 8; lr 0.05; epochs 4; ${4:-} }
NET
}

# 1. An RGB net on the image folder named in its train section, held-out
#    split, normalize auto; the cache makes the second run decode nothing.
net "$tmp/rgb.net" 3 3 "data folder:$tmp/pics; split 0.25; normalize auto"
"$NETLANG" "$tmp/rgb.net" --train --device cpu --log-every 3 --save "$tmp/rgb.w" \
	>"$tmp/rgb.out" 2>&1 || { bad "training on a folder failed"; cat "$tmp/rgb.out"; }
falls "3x32x32 on a folder of PNG and JPEG" "$tmp/rgb.out"
grep -q "decoding 36 images in $tmp/pics to 3x32x32" "$tmp/rgb.out" && ok "36 images decoded" ||
	bad "no decoding line: $(head -3 "$tmp/rgb.out")"
grep -q '27 training images, 9 held out (split 0.25)' "$tmp/rgb.out" && ok "split 0.25: 9 held out" ||
	bad "split: $(grep training "$tmp/rgb.out")"
grep -q '^normalize auto: mean [0-9.]* [0-9.]* [0-9.]*, std' "$tmp/rgb.out" && ok "normalize auto reported" ||
	bad "no normalize auto line"
"$NETLANG" "$tmp/rgb.net" --train --device cpu --steps 2 >"$tmp/again.out" 2>&1 &&
	! grep -q decoding "$tmp/again.out" && ok "the second run reads the cache" ||
	bad "the second run decoded again: $(cat "$tmp/again.out")"

# The command line's --split and --normalize override the train section's.
"$NETLANG" "$tmp/rgb.net" --train --device cpu --steps 2 --split 0.5 --normalize 0.5,0.25 \
	>"$tmp/cli.out" 2>&1 || { bad "--split/--normalize run failed"; cat "$tmp/cli.out"; }
grep -q '18 training images, 18 held out (split 0.5)' "$tmp/cli.out" &&
	! grep -q '^normalize auto' "$tmp/cli.out" && ok "--split 0.5 --normalize 0.5,0.25 override" ||
	bad "--split/--normalize: $(cat "$tmp/cli.out")"

# 2. --eval: per-class accuracy under the folder's class names.
"$NETLANG" "$tmp/rgb.net" --eval --load "$tmp/rgb.w" --device cpu >"$tmp/eval.out" 2>&1 ||
	{ bad "--eval failed"; cat "$tmp/eval.out"; }
for c in checker horizontal vertical; do
	grep -qE "^$c +3  [0-9.]+$" "$tmp/eval.out" || { bad "--eval has no line for $c"; cat "$tmp/eval.out"; }
done
ok "--eval: a line per class"
acc=$(sed -n 's/^test loss [0-9.]*, test acc \([0-9.]*\)$/\1/p' "$tmp/eval.out")
sum=$(awk 'NF == 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+\.[0-9]+$/ { s += $2 * $3; n += $2 } END { printf "%.3f", s / n }' "$tmp/eval.out")
[ "$acc" = "$sum" ] && ok "per-class figures add up to test acc $acc" || { bad "test acc $acc, per class $sum"; cat "$tmp/eval.out"; }

# 3. The weights carry the class names: a folder whose classes differ is refused.
cp -r "$tmp/pics" "$tmp/renamed" && mv "$tmp/renamed/checker" "$tmp/renamed/zigzag"
expect_fail "weights for other classes" "rgb.w" "class 0 is 'checker' in the weights but 'horizontal'" -- \
	"$NETLANG" "$tmp/rgb.net" --eval --load "$tmp/rgb.w" --data "$tmp/renamed" --device cpu

# 4. Grey: the same folder read as one channel, through --data DIR.
net "$tmp/grey.net" 1 3 "normalize auto"
"$NETLANG" "$tmp/grey.net" --train --device cpu --data "$tmp/pics" --log-every 3 --epochs 6 \
	>"$tmp/grey.out" 2>&1 || { bad "grey training failed"; cat "$tmp/grey.out"; }
falls "1x32x32 on the folder (--data DIR)" "$tmp/grey.out"

# 5. train/ and test/ folders.
"$NETLANG" "$tmp/grey.net" --train --device cpu --data "folder:$tmp/tt" --log-every 3 \
	>"$tmp/tt.out" 2>&1 || { bad "train/test folders failed"; cat "$tmp/tt.out"; }
grep -q '27 training and 9 test images' "$tmp/tt.out" && ok "train/ and test/ folders" ||
	bad "train/test: $(grep training "$tmp/tt.out")"

# 6. CIFAR-10's format, batch files and archive, normalize given per channel.
net "$tmp/cifar.net" 3 10 "normalize 0.45 0.45 0.45 0.25 0.25 0.25"
for d in cifar cifar-tgz; do
	"$NETLANG" "$tmp/cifar.net" --train --device cpu --data "$tmp/$d" --epochs 2 --log-every 5 \
		>"$tmp/$d.out" 2>&1 || { bad "CIFAR training ($d) failed"; cat "$tmp/$d.out"; }
	falls "3x32x32 on CIFAR-10's format ($d)" "$tmp/$d.out"
done
"$NETLANG" "$tmp/cifar.net" --train --device cpu --data "$tmp/cifar" --steps 3 --save "$tmp/c.w" \
	>/dev/null 2>&1 && "$NETLANG" "$tmp/cifar.net" --eval --load "$tmp/c.w" --data "$tmp/cifar" \
	--device cpu >"$tmp/ce.out" 2>&1 && grep -qE '^airplane +15  [0-9.]+$' "$tmp/ce.out" &&
	grep -qE '^truck +0  n/a$' "$tmp/ce.out" && ok "--eval on CIFAR-10: named classes" ||
	{ bad "--eval on CIFAR-10"; cat "$tmp/ce.out"; }

# --logits on colour images normalised as in training: as many rows as
# test images, the normalisation said, and the arg-max of each row scores
# what --eval scores.
"$NETLANG" "$tmp/rgb.net" --logits "$tmp/rgb.logits" --load "$tmp/rgb.w" --device cpu \
	>"$tmp/lg.out" 2>&1 &&
	"$NETLANG" "$tmp/rgb.net" --eval --load "$tmp/rgb.w" --device cpu >"$tmp/ev.out" 2>&1 ||
	{ bad "--logits or --eval on a folder failed"; cat "$tmp/lg.out" "$tmp/ev.out"; }
want=$(sed -n 's/^test loss [0-9.]*, test acc \([0-9.]*\)$/\1/p' "$tmp/ev.out")
got=$(awk '!/^#/ { n++; best = 3; for (i = 3; i <= NF; i++) if ($i > $best) best = i
	if (best - 3 == $2) right++ } END { printf "%d %.3f", n, right / n }' "$tmp/rgb.logits")
[ "$got" = "9 $want" ] && grep -q '^# inputs scaled to \[0, 1\], then normalised per channel' \
	"$tmp/rgb.logits" && ok "--logits on normalised colour images: 9 rows, accuracy $want as --eval's" ||
	bad "--logits: '$got' against --eval's accuracy '$want'"

# 7. Bad data: each says what and where.
expect_fail "classes against the last layer" "$tmp/cifar.net:5:1: error: the net ends in 10 outputs" \
	"3 classes" "fc 3" -- "$NETLANG" "$tmp/cifar.net" --train --device cpu --data "$tmp/pics"
expect_fail "colour data, grey net" "images have 3 channels" "input 3x32x32" -- \
	"$NETLANG" "$tmp/grey.net" --train --device cpu --data "$tmp/cifar"
net "$tmp/four.net" 4 3
expect_fail "four channels" "grey (1 channel) or RGB (3)" -- \
	"$NETLANG" "$tmp/four.net" --train --device cpu --data "$tmp/pics"
cp -r "$tmp/pics" "$tmp/cut" && f=$(ls "$tmp/cut/vertical/"*.png | head -1) &&
	head -c 200 "$f" >"$f.part" && mv "$f.part" "$f"
cached=$(ls "$tmp/cache/netlang/images" | wc -l)
expect_fail "a truncated image" "$f" "truncated" -- \
	"$NETLANG" "$tmp/rgb.net" --train --device cpu --data "$tmp/cut"
[ "$(ls "$tmp/cache/netlang/images" | wc -l)" -eq "$cached" ] &&
	ok "nothing cached for the folder that failed" || bad "the failed folder was cached"
mkdir -p "$tmp/empty/a" "$tmp/empty/b" && cp "$tmp/pics/checker/000.png" "$tmp/empty/a/"
expect_fail "a class with no images" "$tmp/empty/b" "no images in this class folder" -- \
	"$NETLANG" "$tmp/rgb.net" --train --device cpu --data "$tmp/empty"
head -c 5000 "$tmp/cifar/test_batch.bin" >"$tmp/cifar/test_batch.part" &&
	mv "$tmp/cifar/test_batch.part" "$tmp/cifar/test_batch.bin"
expect_fail "a truncated CIFAR batch" "$tmp/cifar/test_batch.bin" "3073-byte records" -- \
	"$NETLANG" "$tmp/cifar.net" --train --device cpu --data "$tmp/cifar"
exit $fail
