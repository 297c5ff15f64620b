#!/bin/sh
# golden.sh - the examples against listings and totals not made by netlang:
# AlexNet's and VGG-11's D2L listings are copied from the slides (markup
# removed: the backticks and <code> tags, and the tab the slides render as
# a space); the chapter 7.3-7.7 networks' listings and totals were printed
# by PyTorch from D2L's code (gen_expected.py).  Each example must also
# survive being written back as source (nl_write_source) and being fed a
# line at a time as the REPL does (nl_load_string, NL_INCOMPLETE).
cd "${top_srcdir:?}" || exit 99
nlcheck="${top_builddir:?}/tests/lang/nlcheck"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # name, what, expected file, command...
	name=$1 what=$2 exp=$3
	shift 3
	if ! "$@" > "$tmp/out" 2>&1 || ! cmp -s "$tmp/out" "$exp"; then
		echo "FAIL: $name: $what"
		diff "$exp" "$tmp/out" | head -n 20
		fail=1
	fi
}
for name in lenet alexnet vgg11 nin googlenet lenet-bn resnet18 densenet; do
	ex=examples/$name.net
	gold=tests/lang/golden/$name
	check "$name" "parameter total" "$gold.params" "$nlcheck" -L stdlib --params "$ex"
	if [ -f "$gold.d2l" ]; then
		check "$name" "d2l listing" "$gold.d2l" \
			"$nlcheck" -L stdlib --format d2l "$ex"
		check "$name" "d2l listing, fed line by line" "$gold.d2l" \
			"$nlcheck" -L stdlib --format d2l --chunks "$ex"
	fi
	"$nlcheck" -L stdlib --source "$ex" > "$tmp/src.net" 2>&1 || fail=1
	check "$name" "parameter total after writing back" "$gold.params" \
		"$nlcheck" -L stdlib --params "$tmp/src.net"
	# the table's total row carries the same number, with separators
	total=$(LC_ALL=C printf "%'d" "$(cat "$gold.params")" 2>/dev/null)
	case $total in *,*|???) ;; *) total=$(cat "$gold.params" | sed -e :a -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/;ta') ;; esac
	if ! "$nlcheck" -L stdlib "$ex" | grep -q "^total .* $total "; then
		echo "FAIL: $name: table total is not $total"
		fail=1
	fi
done
exit $fail
