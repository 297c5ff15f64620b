#!/bin/bash
# tests/gpu/check.sh - the GPU backend, proved on a machine with an NVIDIA GPU.
#
#   tests/gpu/check.sh [BUILD [DATA]]     on the GPU machine, from the checkout
#   tests/gpu/check.sh --bundle [BUILD]   on the build machine, before carrying
#
# BUILD is a CUDA build of netlang (default: build), made on a machine with
# the CUDA toolkit, with or without a GPU.  DATA holds Fashion-MNIST's four
# IDX files (or a fashion-mnist/ folder with them): arg 2, else
# $NETLANG_DATA, else data/ in the checkout.
#
# It runs, each step under a timeout, the whole in under 5 minutes:
#   (a) gpu_ops_check: every operation forward and backward, GPU against the
#       CPU backend, TF32 off (limit 1e-5) and on (limit 5e-3);
#   (b) LeNet and AlexNet training on the real data on the GPU, with a falling
#       loss; and the first 5 step losses of GPU and CPU runs with the same
#       seed, which must agree;
#   (c) bench/train_bench.py on the GPU: netlang against PyTorch;
# and prints one summary table last.  Exit status 0 when every check passed.
#
# --bundle copies the shared libraries the build needs that are not part of
# the C library (OpenBLAS, gfortran, readline...) gzipped into
# BUILD/gpu-libs/, since the GPU machine may lack them; this script unpacks
# them there and puts them last on the library path.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)

# Libraries every Linux has, and those that must come from the GPU side.
system_lib() {
	case "$1" in
	linux-vdso*|ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*) return 0 ;;
	libgcc_s.so*|libstdc++.so*|libcuda.so*|libcudnn*|libcublas*|libcudart*) return 0 ;;
	esac
	return 1
}

if [ "${1:-}" = "--bundle" ]; then
	BUILD=${2:-build}
	out="$BUILD/gpu-libs"
	rm -rf "$out" && mkdir -p "$out" || exit 2
	for bin in "$BUILD/netlang" "$BUILD/tests/gpu/gpu_ops_check"; do
		[ -x "$bin" ] || { echo "check.sh: $bin is not built"; exit 2; }
		ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }'
	done | sort -u | while read -r name path; do
		system_lib "$name" && continue
		gzip -9 -c "$path" > "$out/$name.gz" && echo "bundled $name ($path)"
	done
	du -sh "$out"
	exit 0
fi

BUILD=${1:-build}
DATA=${2:-${NETLANG_DATA:-data}}
[ -d "$DATA/fashion-mnist" ] && DATA="$DATA/fashion-mnist"
NETLANG="$ROOT/$BUILD/netlang"
case "$BUILD" in /*) NETLANG="$BUILD/netlang" ;; esac
OPS="$(dirname "$NETLANG")/tests/gpu/gpu_ops_check"
PYTHON=${PYTHON:-python3}
# `use vgg` and friends: the checkout's stdlib, wherever the build was made.
export NETLANG_PATH="$ROOT/stdlib${NETLANG_PATH:+:$NETLANG_PATH}"
LOG=${TMPDIR:-/tmp}/netlang-gpu-check.$$
mkdir -p "$LOG"
START=$(date +%s)

RESULTS=()
FAILED=0
record() {   # check, result (pass/FAIL/skip), figure
	RESULTS+=("$1|$2|$3")
	[ "$2" = FAIL ] && FAILED=$((FAILED + 1))
	printf '>> %-34s %-5s %s\n' "$1" "$2" "$3"
}

# --- libraries: cuDNN, cuBLAS and the CUDA runtime, from the toolkit or from
# a PyTorch installation (torch/lib, site-packages/nvidia/*/lib).
candidates=()
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
	[ -d "$d" ] && candidates+=("$d")
done
torch_dir=$(timeout 60 "$PYTHON" -c 'import torch,os; print(os.path.dirname(torch.__file__))' 2>/dev/null)
if [ -n "$torch_dir" ]; then
	candidates+=("$torch_dir/lib")
	site=$(dirname "$torch_dir")
	for d in "$site"/nvidia/*/lib "$site"/nvidia/*/*/lib; do
		[ -d "$d" ] && candidates+=("$d")
	done
fi
libpath=()
add_dir() {
	local d
	for d in "${libpath[@]}"; do [ "$d" = "$1" ] && return; done
	libpath+=("$1")
}
for want in libcudnn.so.9 'libcublas.so.*' 'libcublasLt.so.*' 'libcudart.so.*'; do
	for d in "${candidates[@]}"; do
		if compgen -G "$d/$want" > /dev/null; then
			add_dir "$d"
			break
		fi
	done
done
# The build's own bundle goes last: a library the machine has wins.
if [ -d "$BUILD/gpu-libs" ]; then
	mkdir -p "$LOG/libs"
	for f in "$BUILD"/gpu-libs/*.gz; do
		[ -e "$f" ] && gzip -dc "$f" > "$LOG/libs/$(basename "$f" .gz)"
	done
fi
LD_LIBRARY_PATH=$(IFS=:; echo "${libpath[*]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
[ -d "$LOG/libs" ] && LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$LOG/libs"
export LD_LIBRARY_PATH
echo "library path: $LD_LIBRARY_PATH"

echo "== GPU"
timeout 30 nvidia-smi -L || echo "(nvidia-smi failed)"
CARD=$(timeout 30 nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
for bin in "$NETLANG" "$OPS"; do
	if [ ! -x "$bin" ]; then
		echo "check.sh: $bin is not built (configure found no CUDA?)"
		record "build present" FAIL "$bin missing"
		continue
	fi
	missing=$(ldd "$bin" | awk '/not found/ { print $1 }' | tr '\n' ' ')
	if [ -n "$missing" ]; then
		record "libraries of $(basename "$bin")" FAIL "not found: $missing"
	fi
done

# --- (a) every op against the CPU backend.
echo "== (a) operations, GPU against CPU"
timeout 180 "$OPS" 2>&1 | tee "$LOG/ops.txt"
status=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOG/ops.txt" | tail -1)
worst_off=$(awk '$1 == "fp32" && $NF != "" { for (i = 1; i <= NF; i++) if ($i == "max") print $(i+1) }' "$LOG/ops.txt" | sort -g | tail -1)
worst_on=$(awk '$1 == "tf32" { for (i = 1; i <= NF; i++) if ($i == "max") print $(i+1) }' "$LOG/ops.txt" | sort -g | tail -1)
if [ "$status" = 0 ] && [ -n "$summary" ]; then
	record "ops: GPU vs CPU" pass "$summary; worst ${worst_off:-?} (fp32), ${worst_on:-?} (tf32)"
else
	record "ops: GPU vs CPU" FAIL "${summary:-exit $status}; see lines marked FAIL"
fi

# --- (b) training on the real data.
steps_losses() {   # file -> the losses of its "step N loss X" lines
	awk '$1 == "step" && $3 == "loss" { print $4 }' "$1"
}

train_check() {    # name, file.net, steps, log-every, extra args...
	local name=$1 net=$2 steps=$3 every=$4
	shift 4
	echo "== (b) $name: $steps steps on the GPU"
	timeout 240 "$NETLANG" "$net" --train --device gpu --steps "$steps" --log-every "$every" \
		--data "$DATA" "$@" 2>&1 | tee "$LOG/$name.txt"
	local st=${PIPESTATUS[0]}
	local losses first last
	losses=$(steps_losses "$LOG/$name.txt")
	first=$(echo "$losses" | head -1)
	last=$(echo "$losses" | tail -1)
	if [ "$st" != 0 ] || [ -z "$first" ] || [ "$(echo "$losses" | wc -l)" -lt 3 ]; then
		record "$name trains on the GPU" FAIL "exit $st, losses: $(echo $losses)"
		return
	fi
	# Each logged loss is the mean over the last $every steps; "falling"
	# means the last is clearly (3%) below the first.
	if awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < 0.97 * a) }'; then
		record "$name trains on the GPU" pass "loss $first -> $last in $steps steps"
	else
		record "$name trains on the GPU" FAIL "loss $first -> $last did not fall"
	fi
}

# GPU and CPU from the same seed: same initial weights, same batches, same
# dropout masks; both in float32 (--no-tf32), so they differ only in the
# order of sums (relative 1e-6 per operation).  Five SGD steps amplify that
# little: 2e-3 relative on every step's loss is a generous bound for
# agreement, and far below what a wrong gradient anywhere produces (which
# shows already at step 2, the first loss computed with updated weights).
compare_check() {  # name, file.net, batch
	local name=$1 net=$2 batch=$3
	echo "== (b) $name: GPU vs CPU, first 5 steps, seed 1, batch $batch"
	timeout 120 "$NETLANG" "$net" --train --device gpu --no-tf32 --steps 5 --log-every 1 \
		--seed 1 --batch "$batch" --data "$DATA" > "$LOG/$name-gpu.txt" 2>&1
	local sg=$?
	timeout 240 "$NETLANG" "$net" --train --device cpu --steps 5 --log-every 1 \
		--seed 1 --batch "$batch" --data "$DATA" > "$LOG/$name-cpu.txt" 2>&1
	local sc=$?
	local g c
	g=$(steps_losses "$LOG/$name-gpu.txt" | tr '\n' ' ')
	c=$(steps_losses "$LOG/$name-cpu.txt" | tr '\n' ' ')
	echo "gpu: $g"
	echo "cpu: $c"
	if [ "$sg" != 0 ] || [ "$sc" != 0 ]; then
		tail -3 "$LOG/$name-gpu.txt" "$LOG/$name-cpu.txt"
		record "$name GPU = CPU (5 steps)" FAIL "exit gpu $sg, cpu $sc"
		return
	fi
	local verdict
	verdict=$(awk -v g="$g" -v c="$c" 'BEGIN {
		n = split(g, a, " "); m = split(c, b, " ");
		if (n != 5 || m != 5) { print "FAIL", n " and " m " losses"; exit }
		worst = 0;
		for (i = 1; i <= n; i++) {
			d = a[i] - b[i]; if (d < 0) d = -d;
			r = d / (b[i] < 0 ? -b[i] : b[i]);
			if (r > worst) worst = r;
		}
		printf "%s max rel. diff %.1e over 5 losses\n", (worst <= 2e-3 ? "pass" : "FAIL"), worst }')
	record "$name GPU = CPU (5 steps)" "${verdict%% *}" "${verdict#* }"
}

# D2L's LeNet (sigmoid, lr 0.9) sits near ln 10 = 2.30 for its first few
# hundred steps before it falls; 1500 steps (6 epochs, seconds on a GPU) are
# well past that.  AlexNet falls from the start.
train_check lenet examples/lenet.net 1500 100
train_check alexnet examples/alexnet.net 300 50 --batch 128
compare_check lenet examples/lenet.net 256
compare_check alexnet examples/alexnet.net 8

# --- (c) the benchmark: netlang against PyTorch on this GPU.
echo "== (c) benchmark on ${CARD:-the GPU}"
left=$(( 290 - ($(date +%s) - START) ))
if [ "$left" -lt 60 ]; then
	record "benchmark" skip "no time left (${left}s)"
else
	timeout "$left" "$PYTHON" bench/train_bench.py --device gpu --netlang "$NETLANG" \
		--nets lenet,alexnet,vgg11 --repeats 3 --budget $((left - 40)) 2>&1 |
		tee "$LOG/bench.txt"
	st=${PIPESTATUS[0]}
	if [ "$st" = 0 ]; then
		rows=$(awk '$1 == "lenet" || $1 == "alexnet" || $1 == "vgg11" { printf "%s %s (%s vs %s)  ", $1, $5, $3, $4 }' "$LOG/bench.txt")
		record "benchmark: train ex/s, netlang/PyTorch" pass "$rows"
	else
		record "benchmark vs PyTorch" FAIL "exit $st"
	fi
fi

# --- the summary, last.
echo
echo "== summary (${CARD:-unknown GPU}, $(( $(date +%s) - START ))s; logs in $LOG)"
printf '%-34s %-6s %s\n' check result figure
printf '%-34s %-6s %s\n' ----- ------ ------
for r in "${RESULTS[@]}"; do
	IFS='|' read -r c s f <<< "$r"
	printf '%-34s %-6s %s\n' "$c" "$s" "$f"
done
[ "$FAILED" = 0 ]
