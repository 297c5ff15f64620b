#!/bin/bash
# dist_bench.sh [BUILDDIR] - data-parallel training on this machine:
#   1. LeNet's training examples/sec: one process with 2 threads against
#      mpirun -np 2 with 1 thread per rank (same global batch, seed, steps);
#   2. the gradient sum per step (bench/allreduce_bench) for AlexNet's 47 M
#      and VGG-11's 129 M parameters over 2 ranks;
#   3. on paper, the scaling to 8 and 64 ranks on 10 and 100 Gbit/s: a ring
#      allreduce sends 2(N-1)/N x the gradient bytes per rank, after the
#      compute time per step (COMPUTE="net:batch:seconds ...", default
#      AlexNet 128 at 45.2 and VGG-11 32 at 5.5 examples/sec, this machine's
#      2-thread figures in RESULTS.md).
# A benchmark, not a test: run it on a quiet machine.  STEPS (default 60)
# and REPS (default 5) set its length.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-$top/_b}
netlang=$b/netlang
steps=${STEPS:-60}
reps=${REPS:-5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

data=${NETLANG_BENCH_DATA:-}
if [ -z "$data" ]; then
	data=$tmp/data
	python3 "$top/tests/fuzz/tiny_idx.py" -n $((256 * (steps + 1))) 256 "$data"
fi
args=("$top/examples/lenet.net" --train --data "$data" --device cpu --batch 256 --lr 0.9
	--steps "$steps" --quiet)
rate() { sed -n 's/^\([0-9.]*\) examples\/sec on .*/\1/p'; }
one=$("$netlang" "${args[@]}" --threads 2 | rate)
two=$(mpirun --oversubscribe -np 2 "$netlang" "${args[@]}" --threads 1 | rate)
echo "LeNet, batch 256, $steps steps: 1 process x 2 threads $one examples/sec;" \
	"2 ranks x 1 thread $two examples/sec"

"$b/bench/allreduce_bench" 1 1 >/dev/null 2>&1 || true
mpirun --oversubscribe -np 2 "$b/bench/allreduce_bench" "$reps" 47 129 | tee "$tmp/ar"

python3 - "${COMPUTE:-alexnet:128:2.832 vgg11:32:5.818}" <<'PY'
import sys
params = {"alexnet": 46.8e6, "vgg11": 128.8e6}
print("\nprojection (ring allreduce, no overlap with the backward pass, latency ignored):")
print("| net | per-rank batch | compute s/step | N | Gbit/s | allreduce s | efficiency |")
print("|---|---:|---:|---:|---:|---:|---:|")
for item in sys.argv[1].split():
    net, batch, t = item.split(":")
    t = float(t)
    for n in (8, 64):
        for gbit in (10, 100):
            ar = 2 * (n - 1) / n * params[net] * 4 / (gbit / 8 * 1e9)
            print(f"| {net} | {batch} | {t:.2f} | {n} | {gbit} | {ar:.3f} | {t / (t + ar):.0%} |")
PY
