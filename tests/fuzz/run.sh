#!/bin/sh
# run.sh SECONDS - build the front end's fuzz target with clang's libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, and run it for SECONDS
# (default 60) on the seed corpus (tests/fuzz/corpus: the examples and the
# malformed programs of tests/lang/errors).  Exits non-zero on a finding;
# the crashing input is left in the work directory it prints.
#
# CI runs `tests/fuzz/run.sh 60`.  Before a release, run it longer on all
# cores, keeping what it learns:
#     FUZZ_JOBS=$(nproc) tests/fuzz/run.sh 3600
# (one hour; new interesting inputs go to $FUZZ_WORK/corpus, which may be
# copied back into tests/fuzz/corpus after `-merge=1` minimisation).
#
# The scanner and parser are generated here with flex and bison, so no
# configured build tree is needed.  Limits are lowered (100,000 layers,
# one million expansion steps) so that legal but huge programs do not hit
# libFuzzer's memory and time limits.
set -eu
seconds=${1:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/netlang-fuzz.XXXXXX")}
jobs=${FUZZ_JOBS:-1}
CC=${CC:-clang}
mkdir -p "$work/lang" "$work/corpus"
echo "fuzz: building in $work"
cat > "$work/config.h" <<'CFG'
#define _GNU_SOURCE 1
CFG
bison -d -o "$work/lang/parser.c" "$top/lang/parser.y"
# lexer.l names its output lex.yy.c (for automake's ylwrap)
(cd "$work/lang" && flex "$top/lang/lexer.l" && mv lex.yy.c lexer.c)
srcs=""
for f in "$top"/lang/*.c; do srcs="$srcs $f"; done
# shellcheck disable=SC2086
$CC -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-DNL_MAX_NODES=100000 -DNL_MAX_STEPS=1000000 \
	-DFUZZ_STDLIB="\"$top/stdlib\"" \
	-I"$work" -I"$top" \
	$srcs "$work/lang/lexer.c" "$work/lang/parser.c" \
	"$top/tests/fuzz/fuzz_parser.c" -o "$work/fuzz_parser"
cp "$top"/tests/fuzz/corpus/* "$work/corpus/" 2>/dev/null || true
cd "$work"
par=""
if [ "$jobs" -gt 1 ]; then par="-jobs=$jobs -workers=$jobs"; fi
# shellcheck disable=SC2086
./fuzz_parser -max_total_time="$seconds" -max_len=4096 -timeout=10 \
	-rss_limit_mb=2048 $par -print_final_stats=1 corpus
