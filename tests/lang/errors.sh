#!/bin/sh
# errors.sh - every tests/lang/errors/NAME.net must be rejected (exit 1)
# with the diagnostic in NAME.expected: its first line exactly, and for the
# cases whose .expected has three lines, the source line and caret too.
# Nothing may crash, and under the sanitizers nothing may leak.
cd "${top_srcdir:?}" || exit 99
nlcheck="${top_builddir:?}/tests/lang/nlcheck"
fail=0
n=0
for f in tests/lang/errors/*.net; do
	exp=${f%.net}.expected
	n=$((n + 1))
	out=$("$nlcheck" -L stdlib "$f" 2>&1)
	rc=$?
	lines=$(wc -l < "$exp")
	got=$(printf '%s\n' "$out" | head -n "$lines")
	if [ "$rc" -ne 1 ] || [ "$got" != "$(cat "$exp")" ] ||
	   printf '%s\n' "$out" | grep -q 'Sanitizer\|runtime error'; then
		echo "FAIL: $f (exit $rc)"
		printf '%s\n' "$out" | head -n 20
		echo "expected:"
		cat "$exp"
		fail=1
	fi
done
if [ "$n" -lt 40 ]; then
	echo "FAIL: only $n malformed programs"
	fail=1
fi
echo "$n malformed programs checked"
exit $fail
