#!/bin/sh
# --draw: every example at every depth checked by check_draw.py against
# the graph the front end builds (a box per row, an edge per input, a
# frame per expanded call, no overlaps); LeNet runs left to right, the
# nets with branches top to bottom; :draw in a session; a bad path fails
# and leaves no file.
. "$top_srcdir/tests/report/common.sh"
check=$top_srcdir/tests/report/check_draw.py
for name in lenet alexnet vgg11 nin googlenet lenet-bn resnet18 densenet; do
	"$nlcheck" -L "$top_srcdir/stdlib" --graph "$ex/$name.net" >"$tmp/$name.graph" ||
		{ bad "$name: nlcheck --graph"; continue; }
	for depth in 0 1 2 3; do
		svg=$tmp/$name-$depth.svg
		if ! "$NETLANG" "$ex/$name.net" --draw "$svg" --depth "$depth" >"$tmp/out" 2>&1; then
			bad "$name --depth $depth: $(cat "$tmp/out")"
			continue
		fi
		grep -qx "drew $name.net in $svg" "$tmp/out" || bad "$name: said $(cat "$tmp/out")"
		if $PY "$check" "$svg" "$tmp/$name.graph" "$depth" >"$tmp/check" 2>&1; then
			ok "$(cat "$tmp/check")"
		else
			bad "$(cat "$tmp/check")"
		fi
	done
done
$PY "$check" "$tmp/lenet-0.svg" "$tmp/lenet.graph" 0 | grep -q 'left to right$' &&
	ok "LeNet runs left to right" || bad "LeNet is not drawn left to right"
$PY "$check" "$tmp/resnet18-0.svg" "$tmp/resnet18.graph" 0 | grep -q 'top to bottom$' &&
	ok "ResNet runs top to bottom" || bad "ResNet is not drawn top to bottom"
# The residual block's two paths and the Inception block's four are side by
# side: some box of a branch has another beside it at the same height.
for name in resnet18 googlenet; do
	n=$(sed -n 's/.*<rect x="[0-9.]*" y="\([0-9.]*\)" width="[0-9.]*" height="[0-9.]*" rx="3".*/\1/p' \
		"$tmp/$name-0.svg" | sort | uniq -d | wc -l)
	[ "$n" -gt 0 ] && ok "$name: branches side by side" || bad "$name: no two boxes side by side"
done

# Text in the drawing is escaped: a block named with what XML reserves
# cannot be written, so the title carries it (the file's name).
cp "$ex/lenet.net" "$tmp/a&b<c>.net"
"$NETLANG" "$tmp/a&b<c>.net" --draw "$tmp/amp.svg" >/dev/null 2>&1 &&
	$PY -c "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]);
assert d.getElementsByTagName('title')[0].firstChild.data == 'a&b<c>.net'" "$tmp/amp.svg" &&
	ok "titles are escaped" || bad "a title with & and < breaks the SVG"

# A session draws its net; --depth collapses the block.
cat >"$tmp/s.nls" <<NLS
use vgg
input 1x32x32
vgg_block(2, 8)
flatten; fc 10
:draw $tmp/s.svg
:draw --depth 1 $tmp/s1.svg
:draw
NLS
"$NETLANG" <"$tmp/s.nls" >"$tmp/s.out" 2>"$tmp/s.err"
[ $? -eq 1 ] && grep -q ':draw needs one file name' "$tmp/s.err" && ok ":draw without a file is an error" ||
	bad ":draw without a file: $(cat "$tmp/s.err")"
printf 'use vgg\ninput 1x32x32\nvgg_block(2, 8)\nflatten; fc 10\n' >"$tmp/s.net"
"$nlcheck" -L "$top_srcdir/stdlib" --graph "$tmp/s.net" >"$tmp/s.graph"
$PY "$check" "$tmp/s.svg" "$tmp/s.graph" 0 >/dev/null && ok ":draw draws every layer" || bad ":draw $(cat "$tmp/s.err")"
$PY "$check" "$tmp/s1.svg" "$tmp/s.graph" 1 >/dev/null && ok ":draw --depth 1 collapses the block" ||
	bad ":draw --depth 1"

# Nowhere to write: an error naming the file, nothing left behind.
if "$NETLANG" "$ex/lenet.net" --draw "$tmp/no/such/dir/x.svg" >"$tmp/out" 2>&1; then
	bad "--draw into a missing directory succeeded"
else
	grep -q "$tmp/no/such/dir/x.svg" "$tmp/out" && ok "--draw to nowhere names the file" ||
		bad "--draw to nowhere said: $(cat "$tmp/out")"
fi
ls "$tmp" | grep -q '\.tmp' && bad "a temporary file was left behind" || ok "no temporary left"
exit $fail
