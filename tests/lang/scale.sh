#!/bin/sh
# scale.sh - the front end's cost grows with the program, not with its
# square: 100,000 block definitions (each a lookup by name) and a block of
# 100,000 parameters (each name found among them) check under a CPU-time
# limit far above what linear work takes (under a second) and far below
# what the quadratic look-ups took (138 s and 18 s); and a program asking
# for more layers than the limit is refused under a memory limit a tenth of
# what building them would take.
cd "${top_srcdir:?}" || exit 99
nlcheck="${top_builddir:?}/tests/lang/nlcheck"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
awk 'BEGIN {
	print "input 1x8x8"
	for (i = 0; i < 100000; i++) printf "def b%d() { relu }\n", i
	for (i = 0; i < 100000; i += 1000) printf "b%d()\n", i
}' >"$tmp/defs.net"
awk 'BEGIN {
	printf "def big("
	for (i = 0; i < 100000; i++) printf "%sp%d", i ? ", " : "", i
	print ") { conv 3x3 -> p99999 pad p0 }"
	print "input 1x8x8"
	printf "big("
	for (i = 0; i < 100000; i++) printf "%s1", i ? ", " : ""
	print ")"
}' >"$tmp/params.net"
for t in defs params; do
	if (ulimit -t 30; "$nlcheck" --params "$tmp/$t.net") >"$tmp/$t.out" 2>&1; then
		echo "ok 100,000 $t checked"
	else
		echo "FAIL: 100,000 $t: $(head -c 300 "$tmp/$t.out")"
		fail=1
	fi
done
# Sanitizers reserve address space of their own: no memory limit there.
if [ -z "${SAN_CFLAGS:-}" ]; then
	printf 'input 1x8x8\nrepeat 100000000 { relu }\n' >"$tmp/many.net"
	(ulimit -v 300000; "$nlcheck" "$tmp/many.net") >"$tmp/many.out" 2>&1
	if grep -q "makes more than" "$tmp/many.out"; then
		echo "ok a program of 100,000,000 layers refused before they are built"
	else
		echo "FAIL: 100,000,000 layers: $(head -c 300 "$tmp/many.out")"
		fail=1
	fi
fi
exit $fail
