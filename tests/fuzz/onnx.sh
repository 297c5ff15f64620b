#!/bin/sh
# onnx.sh SECONDS - build the ONNX importer's fuzz target (fuzz_onnx.c)
# with clang's libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer,
# and run it for SECONDS (default 60) on the seed corpus
# (tests/fuzz/onnx-corpus: small models netlang and PyTorch exported).
# Exits non-zero on a finding; the crashing input is left in the work
# directory it prints.  Needs protoc-c, protobuf-c and onnx.proto
# (Debian: protobuf-c-compiler libprotobuf-c-dev libonnx-dev); says SKIP
# and exits 0 without them.
set -eu
seconds=${1:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
proto=${ONNX_PROTO:-/usr/include/onnx/onnx.proto}
if ! command -v protoc-c >/dev/null || [ ! -f "$proto" ] ||
   [ ! -f /usr/include/protobuf-c/protobuf-c.h ]; then
	echo "SKIP: protoc-c, protobuf-c or $proto missing: the ONNX importer was not fuzzed"
	exit 0
fi
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/netlang-fuzz-onnx.XXXXXX")}
jobs=${FUZZ_JOBS:-1}
CC=${CC:-clang}
mkdir -p "$work/lang" "$work/runtime/export" "$work/corpus"
echo "fuzz: building in $work"
cat > "$work/config.h" <<'CFG'
#define _GNU_SOURCE 1
#define PACKAGE_VERSION "fuzz"
CFG
bison -d -o "$work/lang/parser.c" "$top/lang/parser.y"
(cd "$work/lang" && flex "$top/lang/lexer.l" && mv lex.yy.c lexer.c)
protoc-c --proto_path="$(dirname "$proto")" --c_out="$work/runtime/export" "$proto"
srcs=""
for f in "$top"/lang/*.c; do srcs="$srcs $f"; done
# shellcheck disable=SC2086
$CC -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-DNL_MAX_NODES=100000 -DNL_MAX_STEPS=1000000 \
	-I"$work" -I"$top" \
	$srcs "$work/lang/lexer.c" "$work/lang/parser.c" \
	"$work/runtime/export/onnx.pb-c.c" "$top/runtime/export/onnx_ops.c" \
	"$top/runtime/export/onnx_import.c" "$top/tests/fuzz/fuzz_onnx.c" \
	-lprotobuf-c -o "$work/fuzz_onnx"
cp "$top"/tests/fuzz/onnx-corpus/* "$work/corpus/" 2>/dev/null || true
cd "$work"
par=""
if [ "$jobs" -gt 1 ]; then par="-jobs=$jobs -workers=$jobs"; fi
# shellcheck disable=SC2086
./fuzz_onnx -max_total_time="$seconds" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 $par -print_final_stats=1 corpus
