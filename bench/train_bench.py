#!/usr/bin/env python3
"""train_bench.py - training and inference throughput, netlang against PyTorch.

For each network, netlang's `--time` and bench/torch_train.py run the same
network at the same batch on the same device with the same threads (and
the same TF32 setting on a GPU), alternating, --repeats times; the table
shows the medians and the ratio netlang / PyTorch (above 1: netlang faster).

    /usr/bin/python3 bench/train_bench.py --device cpu --threads 2 \\
        --nets lenet,alexnet,vgg11 --repeats 3 --batch vgg11=16
    python3 bench/train_bench.py --device gpu --nets lenet,alexnet,vgg11

Batches are the slides' (LeNet 256, AlexNet and VGG-11 128 at 224x224, the
others D2L's); timed iterations default to a count that keeps VGG-11 on two
CPU cores to a few minutes (--iterations NET=K to change).  Noise between runs
is 10-20% on a shared machine: compare within one run, medians of repeats.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

# net -> (batch, CPU iterations, GPU iterations)
DEFAULTS = {
    "lenet": (256, 20, 100),
    "alexnet": (128, 2, 20),
    "vgg11": (128, 2, 10),
    "nin": (128, 2, 20),
    "googlenet": (128, 2, 20),
    "lenet-bn": (256, 20, 100),
    "resnet18": (256, 2, 20),
    "densenet": (256, 2, 20),
}

LINE = re.compile(r"^(train|inference): ([0-9.]+) examples/sec")


def parse_overrides(text, what):
    """'vgg11=16,alexnet=64' -> {'vgg11': 16, 'alexnet': 64}; a bare number
    applies to every network (key '*')."""
    out = {}
    for part in filter(None, (text or "").split(",")):
        if "=" in part:
            k, v = part.split("=", 1)
        else:
            k, v = "*", part
        try:
            out[k.strip()] = int(v)
        except ValueError:
            sys.exit("train_bench.py: bad %s '%s' (want NET=N or N)" % (what, part))
    return out


def throughput(cmd, timeout, env=None):
    """Run cmd; return ({'train': x, 'inference': y}, output) from its lines."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, env=env, universal_newlines=True)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds: %s" % (timeout, " ".join(cmd))
    except OSError as e:
        return None, "cannot run %s: %s" % (cmd[0], e)
    found = {}
    for line in p.stdout.splitlines():
        m = LINE.match(line.strip())
        if m:
            found[m.group(1)] = float(m.group(2))
    if p.returncode != 0 or len(found) != 2:
        tail = "\n".join(p.stdout.strip().splitlines()[-5:])
        return None, "exit %d: %s\n%s" % (p.returncode, " ".join(cmd), tail)
    return found, p.stdout


def fmt(x):
    return "n/a" if x is None else "%.1f" % x


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else "%.2f" % (a / b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--nets", default="lenet,alexnet,vgg11",
                    help="comma-separated: " + ",".join(DEFAULTS))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", default="", help="NET=B,... or B for all")
    ap.add_argument("--iterations", default="", help="NET=K,... or K for all")
    ap.add_argument("--no-tf32", action="store_true", help="GPU: float32 on both sides")
    ap.add_argument("--netlang", default=os.environ.get("NETLANG",
                                                        os.path.join(TOP, "build", "netlang")))
    ap.add_argument("--python", default=sys.executable, help="the Python that has torch")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per run")
    ap.add_argument("--budget", type=int, default=0,
                    help="seconds: start no run after this, print what was measured")
    a = ap.parse_args()

    nets = [n.strip() for n in a.nets.split(",") if n.strip()]
    for n in nets:
        if n not in DEFAULTS:
            sys.exit("train_bench.py: unknown network '%s' (know %s)" % (n, ", ".join(DEFAULTS)))
    if not os.access(a.netlang, os.X_OK):
        sys.exit("train_bench.py: %s is not an executable netlang (--netlang)" % a.netlang)
    batches = parse_overrides(a.batch, "--batch")
    iters = parse_overrides(a.iterations, "--iterations")

    env = dict(os.environ)
    # The examples' `use` statements find the checkout's stdlib, also with a
    # netlang built elsewhere.
    env["NETLANG_PATH"] = os.path.join(TOP, "stdlib") + (
        ":" + env["NETLANG_PATH"] if env.get("NETLANG_PATH") else "")
    if a.device == "cpu":
        # Both sides get exactly the threads asked for.
        env["OMP_NUM_THREADS"] = str(a.threads)
        env["OPENBLAS_NUM_THREADS"] = str(a.threads)

    plan = {}
    for n in nets:
        b, cpu_k, gpu_k = DEFAULTS[n]
        plan[n] = (batches.get(n, batches.get("*", b)),
                   iters.get(n, iters.get("*", cpu_k if a.device == "cpu" else gpu_k)))

    results = {n: {"netlang": [], "pytorch": []} for n in nets}
    failures = 0
    skipped = 0
    t_start = time.time()
    for r in range(a.repeats):
        for n in nets:
            batch, k = plan[n]
            netfile = os.path.join(TOP, "examples", n + ".net")
            ours = [a.netlang, netfile, "--time", "--device", a.device,
                    "--threads", str(a.threads), "--batch", str(batch), "--iterations", str(k)]
            theirs = [a.python, os.path.join(HERE, "torch_train.py"), "--net", n,
                      "--batch", str(batch), "--device", a.device, "--threads", str(a.threads),
                      "--iterations", str(k), "--warmup", "1" if a.device == "cpu" else "3"]
            if a.no_tf32:
                ours.append("--no-tf32")
                theirs.append("--no-tf32")
            # Alternate who goes first, so drift in the machine's state
            # (clocks, other load) does not favour one side.
            order = [("netlang", ours), ("pytorch", theirs)]
            if r % 2:
                order.reverse()
            for side, cmd in order:
                if a.budget and time.time() - t_start > a.budget:
                    if not skipped:
                        print("train_bench.py: --budget %ds spent; the medians below are of "
                              "fewer repeats" % a.budget, file=sys.stderr)
                    skipped += 1
                    continue
                got, out = throughput(cmd, a.timeout, env)
                if got is None:
                    failures += 1
                    print("train_bench.py: %s %s failed: %s" % (side, n, out), file=sys.stderr)
                    continue
                results[n][side].append(got)
                print("[%5.0fs] repeat %d %-9s %-7s train %10.1f  inference %10.1f ex/s"
                      % (time.time() - t_start, r + 1, n, side, got["train"], got["inference"]),
                      flush=True)

    def median(n, side, what):
        v = [x[what] for x in results[n][side]]
        return statistics.median(v) if v else None

    print()
    print("device %s%s, %d repeats%s, medians; ratio = netlang / PyTorch"
          % (a.device, ", %d threads" % a.threads if a.device == "cpu" else
             (", TF32 off" if a.no_tf32 else ", TF32 on"), a.repeats,
             " (%d runs skipped for time)" % skipped if skipped else ""))
    head = ("net", "batch", "netlang train", "PyTorch train", "ratio",
            "netlang infer", "PyTorch infer", "ratio")
    print("%-10s %5s %14s %14s %6s %14s %14s %6s" % head)
    for n in nets:
        nt, pt = median(n, "netlang", "train"), median(n, "pytorch", "train")
        ni, pi = median(n, "netlang", "inference"), median(n, "pytorch", "inference")
        print("%-10s %5d %14s %14s %6s %14s %14s %6s"
              % (n, plan[n][0], fmt(nt), fmt(pt), ratio(nt, pt), fmt(ni), fmt(pi), ratio(ni, pi)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
