#!/bin/sh
# The new features are documented where a user looks: README.md, netlang(1)
# and the session's :help each name them; netlang(1) and netlang(5) agree
# on the version and the date, and netlang(1) does not send the reader to
# itself.
. "$top_srcdir/tests/report/common.sh"
readme=$top_srcdir/README.md
man1=$top_srcdir/man/netlang.1
man5=$top_srcdir/man/netlang.5
sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man1" >"$tmp/man1"
printf ':help\n' | "$NETLANG" >"$tmp/help" 2>&1 || bad ":help failed"
"$NETLANG" --help >"$tmp/usage" 2>&1 || bad "--help failed"
for opt in --draw --depth --receptive-field --explain --echo --predict --predict-file --filters --plot; do
	grep -q -- "$opt" "$readme" && ok "README names $opt" || bad "README does not name $opt"
	grep -q -- "^\.B.* $opt\b\|^$opt" "$tmp/man1" || grep -q -- "$opt" "$tmp/man1" ||
		bad "netlang(1) does not name $opt"
	grep -q -- "$opt" "$tmp/usage" || bad "--help does not name $opt"
done
for cmd in :draw :explain :show :undo; do
	grep -q -- "$cmd" "$readme" || bad "README does not name $cmd"
	grep -q -- "$cmd" "$tmp/man1" || bad "netlang(1) does not name $cmd"
	grep -q -- "^  $cmd" "$tmp/help" || bad ":help does not list $cmd"
done
ok "README, netlang(1), --help and :help checked"
v1=$(sed -n 's/^\.TH NETLANG 1 "\([^"]*\)" "\([^"]*\)".*/\1|\2/p' "$man1")
v5=$(sed -n 's/^\.TH NETLANG 5 "\([^"]*\)" "\([^"]*\)".*/\1|\2/p' "$man5")
[ -n "$v1" ] && [ "$v1" = "$v5" ] && ok "netlang(1) and netlang(5) say $v1" ||
	bad "netlang(1) says '$v1', netlang(5) '$v5'"
version=$("$NETLANG" --version | sed -n '1s/^netlang //p')
case $v1 in *"netlang $version") ok "the man pages are version $version" ;;
	*) bad "the man pages say '$v1', the program $version" ;; esac
grep -q "netlang(1)'s" "$tmp/man1" && bad "netlang(1) refers to itself as netlang(1)" || ok "no self-reference"
exit $fail
