#!/bin/sh
# run_image.sh SECONDS - build the image readers' fuzz target (PNG and JPEG
# decoding, scaling, CIFAR-10 records: fuzz_image.c) with clang's
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer against
# Debian's libpng and libjpeg-turbo, and run it for SECONDS (default 60) on
# the seed corpus tests/fuzz/corpus-image (small images of every layout
# the decoders take, written by tests/data/imgwrite.c).  Exits non-zero on
# a finding; the crashing input is left in the work directory it prints.
#     FUZZ_JOBS=$(nproc) tests/fuzz/run_image.sh 3600     before a release
set -eu
seconds=${1:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/netlang-fuzz-image.XXXXXX")}
jobs=${FUZZ_JOBS:-1}
CC=${CC:-clang}
mkdir -p "$work/corpus"
echo "fuzz: building in $work"
cat > "$work/config.h" <<'CFG'
#define _GNU_SOURCE 1
CFG
# shellcheck disable=SC2086
$CC -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-I"$work" -I"$top" \
	"$top/runtime/data/image.c" "$top/runtime/data/image_png.c" \
	"$top/runtime/data/image_jpeg.c" "$top/runtime/data/image_resize.c" \
	"$top/runtime/data/cifar.c" "$top/runtime/data/imageset.c" \
	"$top/runtime/data/tar_reader.c" "$top/runtime/data/gz_source.c" \
	"$top/runtime/data/md5.c" \
	"$top/tests/fuzz/fuzz_image.c" -o "$work/fuzz_image" -lpng16 -ljpeg -lz -lm
cp "$top"/tests/fuzz/corpus-image/* "$work/corpus/" 2>/dev/null || true
cd "$work"
par=""
if [ "$jobs" -gt 1 ]; then par="-jobs=$jobs -workers=$jobs"; fi
# Images up to 64 KiB; a decoder may allocate up to its limits (64
# megapixels), hence the memory limit.
# shellcheck disable=SC2086
./fuzz_image -max_total_time="$seconds" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2560 -malloc_limit_mb=1024 $par -print_final_stats=1 corpus
