#!/bin/sh
# scale.sh - a session's cost follows its lines, not their square: a block
# open over 20,000 lines, and 20,000 statements each printed as it is added,
# run under a CPU-time limit far above what linear work takes (under a
# second) and far below what re-parsing the open block at every line
# (82 s) and rebuilding the whole net at every line (100 s) took; and the
# open block's readings are not all kept (a memory limit).
. "$top_srcdir/tests/repl/common.sh"
awk 'BEGIN { print "input 1x8x8"; print "def big() {"
	for (i = 0; i < 20000; i++) print "  relu"
	print "}"; print "big()" }' >"$tmp/open.nls"
awk 'BEGIN { print "input 1x8x8"; for (i = 0; i < 20000; i++) print "relu" }' >"$tmp/long.nls"
limit() {   # memory too, where no sanitizer reserves address space
	if [ -z "${SAN_CFLAGS:-}" ]; then ulimit -v 1000000; fi
	ulimit -t 30
}
(limit; "$NETLANG" -f "$tmp/open.nls") >"$tmp/open.out" 2>"$tmp/open.err" ||
	fail "a block of 20,000 lines: $(tail -c 300 "$tmp/open.err")"
grep -q '^big output shape: \[1, 1, 8, 8\]    20000 layers' "$tmp/open.out" ||
	fail "a block of 20,000 lines: $(tail -c 300 "$tmp/open.out")"
(limit; "$NETLANG" -f "$tmp/long.nls") >"$tmp/long.out" 2>"$tmp/long.err" ||
	fail "20,000 statements: $(tail -c 300 "$tmp/long.err")"
[ "$(grep -c '^ReLU output shape' "$tmp/long.out")" -eq 20000 ] ||
	fail "20,000 statements printed $(grep -c '^ReLU' "$tmp/long.out") lines"
# A mistake past the lines parsed one by one is still reported, at its line.
awk 'BEGIN { print "input 1x8x8"; print "def big() {"
	for (i = 0; i < 300; i++) print (i == 250 ? "  conv 3x3 ->" : "  relu")
	print "}" }' >"$tmp/late.nls"
run late "$tmp/late.nls"
status_is late 1
grep -q "^<stdin>:253:[0-9]*: error: incomplete 'conv'" "$tmp/late.err" ||
	fail "a mistake on line 253 of a long block: $(cat "$tmp/late.err")"
exit 0
