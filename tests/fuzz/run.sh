#!/bin/sh
# run.sh [SECONDS [TARGET...]] - build netlang's fuzz targets with clang's
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, and run each
# for SECONDS (default 60) on its seed corpus.  Exits non-zero on a finding;
# the input that caused it is left in the work directory printed first.
#
# The targets, one per way input enters netlang:
#   parser    .net programs: parse, build, both listings  (fuzz_parser.c)
#   use       a library read through `use` and the program that calls it
#   session   teaching-script lines: every `:` command, :train included
#   weights   weights files loaded into a net with every parameter kind
#   idx       IDX image and label files, plain or gzipped
#   image     PNG and JPEG files and CIFAR-10 records   (run_image.sh)
#   onnx      ONNX models read by --import (needs protoc-c, protobuf-c
#             and onnx.proto; left out, saying so, when they are missing)
# Seeds are in tests/fuzz/corpus/TARGET: the examples and the error cases,
# the stdlib with programs that use it, session scripts, weights and IDX
# files made by netlang and tiny_idx.py, images, ONNX models.
#
# CI runs `tests/fuzz/run.sh 30` on every target.  Before a release, run each target for
# a million executions or more, keeping what it learns:
#     FUZZ_JOBS=$(nproc) FUZZ_WORK=~/fuzz tests/fuzz/run.sh 3600
# (new interesting inputs go to $FUZZ_WORK/corpus/TARGET; a finding becomes
# a test case in the suite of its channel).
#
# Nothing here needs a configured build tree, and an in-tree build does not
# disturb it: sources are compiled into the work directory (the scanner and
# parser generated there with flex and bison).  Front-end limits are lowered
# (100,000 layers, a million expansion steps) and FUZZING_BUILD_MODE_...
# keeps training runs small (2 epochs, batches of 16 at most, nets of 4 M
# FLOPs an image, 512 MiB for the CPU backend: lang/settings.c,
# runtime/train/train.c, runtime/cpu/backend.c), so legal but huge inputs
# stay within libFuzzer's memory and time limits.
set -eu
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-parser use session weights idx image onnx}
top=$(cd "$(dirname "$0")/../.." && pwd)
proto=${ONNX_PROTO:-/usr/include/onnx/onnx.proto}
case " $targets " in
*" onnx "*)
	if ! command -v protoc-c >/dev/null || [ ! -f "$proto" ] ||
	   [ ! -f /usr/include/protobuf-c/protobuf-c.h ]; then
		why="protoc-c, protobuf-c or $proto missing (Debian: protobuf-c-compiler libprotobuf-c-dev libonnx-dev)"
		if [ $# -gt 0 ]; then echo "fuzz: onnx: $why" >&2; exit 2; fi
		echo "fuzz: onnx left out: $why"
		targets=$(echo "$targets" | sed 's/ onnx//')
	fi ;;
esac
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/netlang-fuzz.XXXXXX")}
jobs=${FUZZ_JOBS:-1}
CC=${CC:-clang}
mkdir -p "$work/lang" "$work/obj" "$work/corpus"
echo "fuzz: building in $work"
cat > "$work/config.h" <<'CFG'
#define _GNU_SOURCE 1
#define PACKAGE_VERSION "fuzz"
#define HAVE_OPENBLAS_SET_NUM_THREADS 1
CFG
bison -d -o "$work/lang/parser.c" "$top/lang/parser.y"
# lexer.l names its output lex.yy.c (for automake's ylwrap)
(cd "$work/lang" && flex "$top/lang/lexer.l" && mv lex.yy.c lexer.c)

blas_cflags=$(pkg-config --cflags openblas 2>/dev/null || echo -I/usr/include/x86_64-linux-gnu/openblas-pthread)
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 -std=c11 -fopenmp $san -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
	-DNL_MAX_NODES=100000 -DNL_MAX_STEPS=1000000 -DFUZZ_STDLIB=\"$top/stdlib\" \
	-I$work -I$top $blas_cflags"

# compile SRC... into $work/obj, echoing the objects' names; with
# cover=no, without libFuzzer's coverage instrumentation and optimised
# (the CPU kernels: their loops' comparisons tell the fuzzer nothing about
# the input, and they cost two thirds of a session's time), sanitizers kept
cover=yes
compile() {
	for src in "$@"; do
		obj=$work/obj/$(echo "${src#"$top"/}" | tr / _ | sed 's/\.c$/.o/')
		if [ ! -e "$obj" ]; then
			cov="-fsanitize=fuzzer-no-link"
			[ "$cover" = no ] && cov="-O2"
			# shellcheck disable=SC2086
			$CC $cflags $cov -Wno-pass-failed -c "$src" -o "$obj" >&2
		fi
		echo "$obj"
	done
}
lang_objs=$(compile "$top"/lang/*.c "$work/lang/lexer.c" "$work/lang/parser.c")
runtime_srcs=""
for f in "$top"/runtime/*/*.c; do
	# export/ needs code generated from onnx.proto (the onnx target's own)
	case $f in */cpu/* | */export/*) continue ;; esac
	# one process: the stand-in for MPI
	case $f in */dist/*) continue ;; esac
	case $f in */cli/main.c) ;; *) runtime_srcs="$runtime_srcs $f" ;; esac
done
# no GPU here: the backend's stand-in says so
# shellcheck disable=SC2086
runtime_objs="$(compile $runtime_srcs "$top/gpu/gpu_none.c" "$top/runtime/dist/none.c")
$(cover=no compile "$top/runtime/cpu/"*.c)"

# the importer and the C code protoc-c generates from onnx.proto
onnx_objs=""
case " $targets " in
*" onnx "*)
	mkdir -p "$work/runtime/export"
	protoc-c --proto_path="$(dirname "$proto")" --c_out="$work/runtime/export" "$proto"
	onnx_objs=$(compile "$work/runtime/export/onnx.pb-c.c" "$top/runtime/export/onnx_ops.c" \
		"$top/runtime/export/onnx_import.c") ;;
esac

link() {  # TARGET OBJECTS...
	t=$1
	shift
	# shellcheck disable=SC2086
	$CC $cflags -fsanitize=fuzzer "$top/tests/fuzz/fuzz_$t.c" "$@" \
		-lopenblas -lreadline -lpng -ljpeg -lz -lm -o "$work/fuzz_$t"
}
for t in $targets; do
	case $t in
	parser | use) link "$t" $lang_objs ;;
	session | weights | idx) link "$t" $runtime_objs $lang_objs ;;
	image) ;;   # built by its own script, below
	onnx) link "$t" $onnx_objs $lang_objs -lprotobuf-c ;;
	*) echo "fuzz: no target '$t' (parser use session weights idx image onnx)" >&2; exit 2 ;;
	esac
done

# the tiny data sets :train finds (NETLANG_DATA), so a session trains in
# milliseconds: 12 training images, so that a batch (at most 16 here) can
# still be too large for them
python3 "$top/tests/fuzz/tiny_idx.py" -n 12 6 "$work/data/fashion-mnist" "$work/data/mnist"

par=""
if [ "$jobs" -gt 1 ]; then par="-jobs=$jobs -workers=$jobs"; fi
status=0
for t in $targets; do
	case $t in
	image)
		echo "== fuzz $t for ${seconds}s"
		FUZZ_WORK="$work/$t" bash "$top/tests/fuzz/run_image.sh" "$seconds" || status=1
		continue ;;
	esac
	mkdir -p "$work/corpus/$t"
	cp "$top"/tests/fuzz/corpus/"$t"/* "$work/corpus/$t/" 2>/dev/null || true
	case $t in
	session) opts="-max_len=8192 -timeout=30 -close_fd_mask=3" ;;
	idx | weights) opts="-max_len=65536 -timeout=10 -close_fd_mask=2" ;;
	onnx) opts="-max_len=65536 -timeout=10" ;;   # a PyTorch export among the seeds
	*) opts="-max_len=4096 -timeout=10" ;;
	esac
	echo "== fuzz $t for ${seconds}s"
	# shellcheck disable=SC2086
	if ! (cd "$work" && NETLANG_DATA="$work/data" ./fuzz_$t -max_total_time="$seconds" \
		-rss_limit_mb=2048 $opts $par -print_final_stats=1 -artifact_prefix="$work/$t-" \
		"$work/corpus/$t"); then
		echo "fuzz: $t found something: $work/$t-*" >&2
		status=1
	fi
done
exit $status
