#!/bin/sh
# tests/gpu/check.sh without a GPU (--dry-run, the CPU in the GPU's place):
# a planted fatal error in one op group is named in the summary while the
# other groups are still checked; a backend that cannot start stops the
# run at once; the logs come back bundled; bad usage is refused.
: "${top_srcdir:?}" "${top_builddir:?}"
check="$top_srcdir/tests/gpu/check.sh"
data=${NETLANG_TEST_DATA:-/usr/share/datasets}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok $*"; }
bad() { echo "FAIL $*"; fail=1; }
has() { grep -qF -- "$2" "$1" || { bad "$1 lacks '$2'"; sed 's/^/    /' "$1"; return 1; }; }

# A clean run of the op check.
"$check" --dry-run --phases ops --out "$tmp/a" "$top_builddir" "$data" > "$tmp/a.out" 2>&1
[ $? = 0 ] && ok "clean dry run passes" || { bad "clean dry run failed"; cat "$tmp/a.out"; }
has "$tmp/a/summary.txt" "ops: GPU vs CPU" && ok "summary written"
tar -tzf "$tmp/a/logs.tar.gz" 2>/dev/null | grep -q 'logs/ops.txt' && ok "logs bundled" ||
	bad "logs.tar.gz lacks logs/ops.txt"
[ ! -d "$tmp/a/logs" ] && ok "loose logs removed" || bad "loose logs left in the output folder"

# gpu_ops_check dies in group conv: the run fails, names the group, and
# checks the other groups alone (fc's 4 and loss's 6 cases, TF32 off and on).
"$check" --dry-run --phases ops --group conv,fc,loss --fail ops --out "$tmp/b" "$top_builddir" \
	"$data" > "$tmp/b.out" 2>&1
[ $? = 1 ] && ok "a dying op check fails the run" || bad "a dying op check did not fail the run"
has "$tmp/b.out" "case group conv (TF32 off): died of SIGABRT" && ok "the dead group is named"
has "$tmp/b.out" "20 passed, 0 failed, 2 group runs died" && ok "the other groups still ran"
tail -3 "$tmp/b.out" | grep -q '^logs: ' && ok "the summary comes last" || bad "the summary is not last"

# A backend that cannot start stops everything at once.
"$check" --dry-run --phases all --fail start --out "$tmp/c" "$top_builddir" "$data" > "$tmp/c.out" 2>&1
[ $? = 1 ] && ok "a failed start fails the run" || bad "a failed start did not fail the run"
has "$tmp/c.out" "stopped: the backend cannot start" && ok "the stop is explained"
grep -q '^>> ops' "$tmp/c.out" && bad "phases ran after a failed start" || ok "nothing ran after it"

# Usage.
"$check" --phases nope > /dev/null 2>&1
[ $? = 2 ] && ok "an unknown phase is refused" || bad "an unknown phase was accepted"
"$check" --deadline 900 > /dev/null 2>&1
[ $? = 2 ] && ok "a deadline past the command limit is refused" || bad "--deadline 900 was accepted"
exit $fail
