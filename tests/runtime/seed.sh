#!/bin/sh
# The same --seed gives the same run, step for step; another seed does not.
. "$top_srcdir/tests/runtime/common.sh"
run() { "$NETLANG" "$ex/lenet.net" --train --data "$DATA" --device cpu --threads 1 \
	--steps 30 --log-every 5 --seed "$1" | grep '^step'; }
run 7 >"$tmp/a" && run 7 >"$tmp/b" && run 8 >"$tmp/c" || bad "training failed"
[ "$(wc -l <"$tmp/a")" -eq 6 ] && ok "six step lines" || bad "expected 6 step lines: $(cat "$tmp/a")"
cmp -s "$tmp/a" "$tmp/b" && ok "seed 7 twice: identical" || bad "seed 7 twice differs"
cmp -s "$tmp/a" "$tmp/c" && bad "seeds 7 and 8 gave identical runs" || ok "seed 8 differs"
# loss must be a number, not nan
grep -qiE 'nan|inf' "$tmp/a" && bad "non-finite loss" || ok "finite losses"
exit $fail
