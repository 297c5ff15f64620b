#!/bin/sh
# The settings' documentation follows their table (lang/settings.def):
# netlang(1) has a paragraph for every setting --help lists, opening with
# the same line, and netlang(5) names every key a train section accepts.
. "$top_srcdir/tests/runtime/common.sh"
man1="$top_srcdir/man/netlang.1"
man5="$top_srcdir/man/netlang.5"

"$NETLANG" --help >"$tmp/help" || bad "--help failed"
# "  --weight-decay X        L2 weight decay ..." -> "weight-decay<TAB>L2 weight decay ..."
sed -n '/^Settings/,/^Sessions/p' "$tmp/help" | grep '^  --' |
	sed 's/^  --\([a-z0-9-]*\)[^ ]*\( [^ ]*\)\{0,1\}  *\(.*\)$/\1	\3/' >"$tmp/settings"
n=$(wc -l <"$tmp/settings")
[ "$n" -ge 15 ] && ok "--help lists $n settings" || bad "--help lists $n settings"

# The man page with its escapes undone: \- is -, font changes vanish.
sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man1" >"$tmp/man1"
while IFS='	' read -r name help; do
	# the heading line, then the help line
	if awk -v opt="--$name" -v want="$help" '
		found { exit !($0 == want) }
		/^\.B[IR]? / { split($0, w, " "); if (w[2] == opt) found = 1 }
		END { if (!found) exit 1 }' "$tmp/man1"; then
		ok "netlang(1) documents --$name as --help does"
	else
		bad "netlang(1) lacks --$name followed by the line '$help'"
	fi
done <"$tmp/settings"

# The train section's keys, as its error message lists them.
printf 'input 1x8x8\ntrain { nosuch 1 }\n' >"$tmp/k.net"
"$NETLANG" "$tmp/k.net" 2>"$tmp/k.err" && bad "an unknown train key was accepted"
keys=$(sed -n 's/.*(known: \(.*\))$/\1/p' "$tmp/k.err" | tr -d ',')
[ -n "$keys" ] && ok "train keys: $keys" || bad "no list of train keys: $(cat "$tmp/k.err")"
sed -n '/^\.SS Training settings/,/^\.SH/p' "$man5" >"$tmp/man5"
for k in $keys; do
	grep -q "^\.BR\{0,1\} $k\( \|$\)" "$tmp/man5" && ok "netlang(5) names '$k'" ||
		bad "netlang(5)'s Training settings do not name '$k'"
done
exit $fail
