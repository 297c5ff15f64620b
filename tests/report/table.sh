#!/bin/sh
# The table: a from column where the net branches, --depth N collapsing
# calls (depth 1 has as many rows as D2L's listing has lines), totals
# split into trainable and non-trainable parameters (the batch norms'
# running statistics, counted here from the graph), mult-adds counted by
# hand for LeNet, and layers shown as written.
. "$top_srcdir/tests/report/common.sh"

# LeNet: conv 6x28x28 of 1*5*5 weights, conv 16x10x10 of 6*5*5, fc
# 400*120 + 120*84 + 84*10: 117,600 + 240,000 + 58,920 = 416,520.
"$NETLANG" "$ex/lenet.net" >"$tmp/lenet" 2>&1 || bad "lenet table"
grep -qx 'mult-adds: 0.42 M per image (416,520: conv and fc, a multiply-add counted once, as torchinfo counts; FLOPs count it twice, 0.85 M)' \
	"$tmp/lenet" && ok "LeNet's mult-adds" || bad "mult-adds: $(grep mult-adds "$tmp/lenet")"
grep -qx 'parameters: 61,706 trainable (61.7 K), 0 non-trainable (batch-norm running statistics)' "$tmp/lenet" &&
	ok "LeNet's parameters" || bad "parameters: $(grep parameters: "$tmp/lenet")"
grep -q '^avgpool 2x2/2 ' "$tmp/lenet" && ok "avgpool 2x2/2 shown as written" || bad "avgpool as written"
grep -q '^ *#' "$tmp/lenet" && bad "a chain has a # column" || ok "a chain has no from column"

# ResNet-18: non-trainable = 2 x the channels of every batch norm.
"$nlcheck" -L "$top_srcdir/stdlib" --graph "$ex/resnet18.net" >"$tmp/r.graph"
state=$(awk '$1 == "node" && $3 == "batchnorm" { split($4, s, "x"); n += 2 * s[1] } END { print n }' "$tmp/r.graph")
"$NETLANG" "$ex/resnet18.net" >"$tmp/r" 2>&1 || bad "resnet18 table"
got=$(sed -n 's/^parameters: .* trainable (.*), \([0-9,]*\) non-trainable .*/\1/p' "$tmp/r" | tr -d ,)
[ "$got" = "$state" ] && ok "ResNet-18's $state running statistics" || bad "non-trainable $got, expected $state"
grep -q '^parameters: 11,178,378 trainable (11.2 M)' "$tmp/r" && ok "readable size" || bad "$(grep parameters: "$tmp/r")"

# Branches: rows numbered; each row's `from` names exactly the rows its
# layer reads (the graph's inputs, checked for every row).
awk 'NR > 1 && $1 ~ /^[0-9]+$/' "$tmp/r" | sed 's/^ *//; s/  */ /g' >"$tmp/r.rows"
awk '$1 == "node" { i = $2; s = ""; for (k = 1; k <= NF; k++) if ($k == "inputs") f = k;
	for (k = f + 1; k <= NF; k++) s = s (s == "" ? "" : ",") $k; print i, s }' "$tmp/r.graph" >"$tmp/r.want"
n=0
while read -r i want; do
	row=$(awk -v i="$i" '$1 == i' "$tmp/r.rows")
	case "$row" in
	"$i "*) ;;
	*) bad "row $i is missing"; continue ;;
	esac
	[ -z "$want" ] && continue
	echo "$row" | grep -q " $want " || bad "row $i does not read from $want: $row"
	n=$((n + 1))
done <"$tmp/r.want"
ok "$n rows read from the rows the graph says"
grep -q '^ *10  add (2 branches) *9,4 ' "$tmp/r" && ok "the shortcut's add reads rows 9 and 4" ||
	bad "add row: $(grep '^ *10 ' "$tmp/r")"

# --depth 1 is D2L's listing row for row (and the input); --depth 2 opens
# the stages; the totals never change.
for name in vgg11 googlenet resnet18 densenet; do
	"$NETLANG" "$ex/$name.net" --depth 1 >"$tmp/d1" 2>&1 || bad "$name --depth 1"
	"$NETLANG" "$ex/$name.net" --format d2l >"$tmp/d2l" 2>&1
	rows=$(sed -n '2,/^total/p' "$tmp/d1" | grep -vc '^total')
	lines=$(wc -l <"$tmp/d2l")
	[ "$rows" -eq $((lines + 1)) ] && ok "$name --depth 1: $rows rows" ||
		bad "$name --depth 1: $rows rows for $lines D2L lines"
	"$NETLANG" "$ex/$name.net" >"$tmp/d0" 2>&1
	total() { awk '$1 == "total" { print $(NF-1), $NF }' "$1"; }
	[ "$(total "$tmp/d1")" = "$(total "$tmp/d0")" ] || bad "$name: --depth changed the total"
done
"$NETLANG" "$ex/googlenet.net" --depth 2 >"$tmp/g2" 2>&1
grep -q '^inception(64, 96, 128, 16, 32, 32) *googlenet.net:38 b3 *256x12x12 *163,696 ' "$tmp/g2" &&
	ok "a collapsed call shows its arguments, where it is, its shape and parameters" ||
	bad "collapsed row: $(grep -m1 inception "$tmp/g2")"
"$NETLANG" "$ex/lenet.net" --depth x >/dev/null 2>"$tmp/err" && bad "--depth x accepted"
grep -q "depth 'x'" "$tmp/err" && ok "--depth x refused" || bad "--depth x: $(cat "$tmp/err")"

# The receptive-field column: AlexNet's pools and convs widen it as
# r + (k-1)*j; after the fc layers it is the whole image.
"$NETLANG" "$ex/alexnet.net" --receptive-field >"$tmp/a" 2>&1 || bad "--receptive-field"
awk 'NR > 1 && $1 != "total" && NF > 5 { print $NF }' "$tmp/a" | head -n 22 | tr '\n' ' ' >"$tmp/a.rf"
want='1x1 11x11 11x11 19x19 51x51 51x51 67x67 99x99 99x99 131x131 131x131 163x163 163x163 195x195 195x195 all all all all all all all '
[ "$(cat "$tmp/a.rf")" = "$want" ] && ok "AlexNet's receptive fields" || bad "receptive fields: $(cat "$tmp/a.rf")"
exit $fail
