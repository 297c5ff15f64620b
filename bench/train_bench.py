#!/usr/bin/env python3
"""train_bench.py - training and inference throughput and peak memory, netlang against PyTorch.

For each network, netlang's `--time` and bench/torch_train.py run the same
network at the same batch on the same device with the same threads (and
the same TF32 setting on a GPU), in turns, --repeats times; the table shows
the medians and the ratio netlang / PyTorch (above 1: netlang faster).

    /usr/bin/python3 bench/train_bench.py --device cpu --threads 2 \\
        --python /usr/bin/python3,/opt/venv-torch/bin/python --repeats 3
    python3 bench/train_bench.py --device gpu --nets lenet,alexnet,vgg11

Several PyTorch installations (--python A,B: Debian's and a current one from
PyPI, say) run in the same turns; for each figure the faster one is the
anchor the ratio is taken against, and the table below the main one shows
each.  Every run is a fresh process and its peak resident memory is its
ru_maxrss, read the same way for both sides (for PyTorch that includes the
Python interpreter and torch's libraries, as a user pays them).  On the CPU
the line above the table is the machine's sgemm ceiling (bench/sgemm_peak,
OpenBLAS 2048^3 on the same threads), the yardstick for the figures below.

Batches are the slides' (LeNet 256, AlexNet and VGG-11 128 at 224x224, the
others D2L's: ResNet-18 256 at 96x96); timed iterations default to a count
that keeps VGG-11 on two CPU cores to a few minutes (--iterations NET=K to
change).  --isa avx2 caps both sides' code paths at AVX2 (an AVX2 machine's
kernels on an AVX-512 one).  OpenBLAS runs the same kernels on both sides
(netlang's choice, which Debian's PyTorch gets through OPENBLAS_CORETYPE).
--hog N runs N busy loops beside every run (a loaded machine, as a
laptop with a browser open is).  Noise between runs is 10-20% on a shared
machine: compare within one run, medians of repeats.
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

# net -> (batch, CPU iterations, GPU iterations)
DEFAULTS = {
    "lenet": (256, 20, 100),
    "alexnet": (128, 2, 20),
    "vgg11": (128, 2, 10),
    "resnet18": (256, 2, 20),
    "nin": (128, 2, 20),
    "googlenet": (128, 2, 20),
    "lenet-bn": (256, 20, 100),
    "densenet": (256, 2, 20),
}
DEFAULT_NETS = "lenet,alexnet,vgg11,resnet18"

LINE = re.compile(r"^(train|inference): ([0-9.]+) examples/sec")
TORCH_VERSION = re.compile(r"\(torch ([^)]+)\)")


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


def run_measured(cmd, timeout, env=None):
    """Run cmd in a fresh process; return (returncode, output, peak RSS in
    MiB or None).  The peak is the child's own ru_maxrss from wait4."""
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env=env, universal_newlines=True)
    except OSError as e:
        return None, "cannot run %s: %s" % (cmd[0], e), None
    # Read to EOF and reap the child here, not with communicate() (which
    # reaps it too and loses its rusage); a timer kills it when late.
    late = threading.Event()

    def kill():
        late.set()
        p.kill()
    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
    finally:
        timer.cancel()
        p.stdout.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if late.is_set():
        return None, "timed out after %ds: %s" % (timeout, " ".join(cmd)), None
    return p.returncode, out, ru.ru_maxrss / 1024.0      # KiB on Linux


def throughput(cmd, timeout, env=None):
    """Run cmd; return ({'train': x, 'inference': y, 'mem': MiB, 'version': v},
    output) from its lines, or (None, why)."""
    rc, out, peak = run_measured(cmd, timeout, env)
    if rc is None:
        return None, out
    found = {}
    for line in out.splitlines():
        m = LINE.match(line.strip())
        if m:
            found[m.group(1)] = float(m.group(2))
        v = TORCH_VERSION.search(line)
        if v:
            found["version"] = v.group(1)
    if rc != 0 or "train" not in found or "inference" not in found:
        tail = "\n".join(out.strip().splitlines()[-5:])
        return None, "exit %d: %s\n%s" % (rc, " ".join(cmd), tail)
    found["mem"] = peak
    return found, out


def cpu_description():
    """'Intel(R) Xeon(R) ..., AVX-512' from /proc/cpuinfo (Linux)."""
    model, flags = platform.processor() or "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k.strip() == "model name":
                    model = v.strip()
                elif k.strip() == "flags":
                    flags = set(v.split())
                    break
    except OSError:
        pass
    width = ("AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags
             else "SSE" if flags else "vector width unknown")
    return "%s, %s, %d cores" % (model, width, os.cpu_count() or 0)


def sgemm_line(netlang, threads, env=None):
    """The sgemm_peak program's last line, or why there is none."""
    prog = os.path.join(os.path.dirname(os.path.abspath(netlang)), "bench", "sgemm_peak")
    if not os.access(prog, os.X_OK):
        return "sgemm: not measured (build bench/sgemm_peak: make bench/sgemm_peak)"
    rc, out, _ = run_measured([prog, str(threads)], 300, env)
    lines = (out or "").strip().splitlines()
    if rc != 0 or not lines:
        return "sgemm: not measured (%s failed)" % prog
    return lines[-1]


def start_hogs(n):
    """n busy loops at the default priority; returns their Popen objects."""
    return [subprocess.Popen(["nice", "-n", "0", "sh", "-c", "while :; do :; done"])
            for _ in range(n)]


def fmt(x, digits=1):
    return "n/a" if x is None else "%.*f" % (digits, x)


def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else "%.2f" % (a / b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--nets", default=DEFAULT_NETS,
                    help="comma-separated: " + ",".join(DEFAULTS))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", default="", help="NET=B,... or B for all")
    ap.add_argument("--iterations", default="", help="NET=K,... or K for all")
    ap.add_argument("--no-tf32", action="store_true", help="GPU: float32 on both sides")
    ap.add_argument("--netlang", default=os.environ.get("NETLANG",
                                                        os.path.join(TOP, "build", "netlang")))
    ap.add_argument("--python", default=sys.executable,
                    help="the Pythons that have torch, comma-separated (each is timed; "
                         "the faster is the anchor)")
    ap.add_argument("--hog", type=int, default=0,
                    help="run N busy loops beside every run (a loaded machine)")
    ap.add_argument("--isa", choices=("native", "avx2"), default="native",
                    help="CPU: avx2 caps both sides at AVX2 code paths on an AVX-512 machine")
    ap.add_argument("--markdown", action="store_true",
                    help="also print the tables as Markdown, for RESULTS.md")
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
    pythons = [p.strip() for p in a.python.split(",") if p.strip()]
    if not pythons:
        sys.exit("train_bench.py: --python names no Python")
    batches = parse_overrides(a.batch, "--batch")
    iters = parse_overrides(a.iterations, "--iterations")

    env = dict(os.environ)
    # The examples' `use` statements find the checkout's stdlib, also with a
    # netlang built elsewhere.
    env["NETLANG_PATH"] = os.path.join(TOP, "stdlib") + (
        ":" + env["NETLANG_PATH"] if env.get("NETLANG_PATH") else "")
    if a.device == "cpu":
        # Every side gets exactly the threads asked for.
        env["OMP_NUM_THREADS"] = str(a.threads)
        env["OPENBLAS_NUM_THREADS"] = str(a.threads)
        env["MKL_NUM_THREADS"] = str(a.threads)
    if a.device == "cpu" and a.isa == "native" and "OPENBLAS_CORETYPE" not in env:
        # netlang runs the OpenBLAS kernels the CPU can run even where the
        # library does not know the CPU (netlang --version names them);
        # PyTorch builds that use OpenBLAS (Debian's) get the same ones.
        rc, out, _ = run_measured([a.netlang, "--version"], 60, env)
        m = re.search(r"^OpenBLAS kernels: (\S+)$", out or "", re.M)
        if rc == 0 and m:
            env["OPENBLAS_CORETYPE"] = m.group(1)
    if a.device == "cpu" and a.isa == "avx2":
        # An AVX2 machine's code paths on this CPU (not its clocks, caches
        # or memory): netlang's kernels and OpenBLAS's, PyTorch's own,
        # oneDNN's and MKL's, each told to stop at AVX2.
        env.update(NL_CPU_ISA="avx2", OPENBLAS_CORETYPE="Haswell", ATEN_CPU_CAPABILITY="avx2",
                   DNNL_MAX_CPU_ISA="AVX2", ONEDNN_MAX_CPU_ISA="AVX2",
                   MKL_ENABLE_INSTRUCTIONS="AVX2")

    plan = {}
    for n in nets:
        b, cpu_k, gpu_k = DEFAULTS[n]
        plan[n] = (batches.get(n, batches.get("*", b)),
                   iters.get(n, iters.get("*", cpu_k if a.device == "cpu" else gpu_k)))

    sides = ["netlang"] + ["pytorch%d" % i for i in range(len(pythons))]
    results = {n: {side: [] for side in sides} for n in nets}
    versions = {}
    failures = 0
    skipped = 0

    print("machine: %s%s" % (cpu_description() if a.device == "cpu" else "GPU run",
                             "; code paths capped at AVX2 on both sides"
                             if a.device == "cpu" and a.isa == "avx2" else ""), flush=True)
    if a.device == "cpu":
        print(sgemm_line(a.netlang, a.threads, env), flush=True)
        if env.get("OPENBLAS_CORETYPE"):
            print("OpenBLAS kernels on both sides: %s" % env["OPENBLAS_CORETYPE"], flush=True)
    hogs = start_hogs(a.hog)
    if hogs:
        print("load: %d busy loop(s) beside every run" % len(hogs), flush=True)
    t_start = time.time()
    try:
        for r in range(a.repeats):
            for n in nets:
                batch, k = plan[n]
                netfile = os.path.join(TOP, "examples", n + ".net")
                cmds = {"netlang": [a.netlang, netfile, "--time", "--device", a.device,
                                    "--threads", str(a.threads), "--batch", str(batch),
                                    "--iterations", str(k)]}
                for i, py in enumerate(pythons):
                    cmds["pytorch%d" % i] = [
                        py, os.path.join(HERE, "torch_train.py"), "--net", n,
                        "--batch", str(batch), "--device", a.device,
                        "--threads", str(a.threads), "--iterations", str(k),
                        "--warmup", "1" if a.device == "cpu" else "3"]
                if a.no_tf32:
                    for c in cmds.values():
                        c.append("--no-tf32")
                # Rotate who goes first, so drift in the machine's state
                # (clocks, other load) favours no side.
                order = sides[r % len(sides):] + sides[:r % len(sides)]
                for side in order:
                    if a.budget and time.time() - t_start > a.budget:
                        if not skipped:
                            print("train_bench.py: --budget %ds spent; the medians below are "
                                  "of fewer repeats" % a.budget, file=sys.stderr)
                        skipped += 1
                        continue
                    got, out = throughput(cmds[side], a.timeout, env)
                    if got is None:
                        failures += 1
                        print("train_bench.py: %s %s failed: %s" % (side, n, out),
                              file=sys.stderr)
                        continue
                    results[n][side].append(got)
                    label = side
                    if side != "netlang":
                        versions[side] = got.get("version", pythons[int(side[7:])])
                        label = "torch " + versions[side]
                    print("[%5.0fs] repeat %d %-9s %-14s train %10.1f  inference %10.1f ex/s"
                          "  peak %s MiB"
                          % (time.time() - t_start, r + 1, n, label, got["train"],
                             got["inference"], fmt(got["mem"], 0)), flush=True)
    finally:
        for h in hogs:
            h.kill()
            h.wait()

    def median(n, side, what):
        v = [x[what] for x in results[n][side] if x.get(what) is not None]
        return statistics.median(v) if v else None

    def anchor(n, what, pick):
        """The PyTorch figure the ratio is taken against: the faster (or, for
        memory, the smaller) of the installations."""
        v = [median(n, s, what) for s in sides[1:]]
        v = [x for x in v if x is not None]
        return pick(v) if v else None

    torch_names = ", ".join("torch %s (%s)" % (versions.get(s, "?"), pythons[i])
                            for i, s in enumerate(sides[1:]))
    print()
    print("device %s%s, %d repeats%s%s, medians; PyTorch: %s"
          % (a.device, ", %d threads" % a.threads if a.device == "cpu" else
             (", TF32 off" if a.no_tf32 else ", TF32 on"), a.repeats,
             ", %d busy loops beside" % a.hog if a.hog else "",
             " (%d runs skipped for time)" % skipped if skipped else "", torch_names))
    print("ratio = netlang / PyTorch (the faster installation; for memory the smaller); "
          "memory is peak resident MiB")
    head = ("net", "batch", "netlang train", "PyTorch train", "ratio",
            "netlang infer", "PyTorch infer", "ratio", "netlang MiB", "PyTorch MiB", "ratio")
    rowfmt = "%-10s %5s %14s %14s %6s %14s %14s %6s %12s %12s %6s"
    rows = []
    for n in nets:
        nt, pt = median(n, "netlang", "train"), anchor(n, "train", max)
        ni, pi = median(n, "netlang", "inference"), anchor(n, "inference", max)
        nm, pm = median(n, "netlang", "mem"), anchor(n, "mem", min)
        rows.append((n, str(plan[n][0]), fmt(nt), fmt(pt), ratio(nt, pt), fmt(ni), fmt(pi),
                     ratio(ni, pi), fmt(nm, 0), fmt(pm, 0), ratio(nm, pm)))
    print(rowfmt % head)
    for row in rows:
        print(rowfmt % row)

    print()
    print("each PyTorch: train / inference examples/sec, peak MiB")
    detail = []
    for n in nets:
        cells = []
        for s in sides[1:]:
            cells.append("%s / %s / %s" % (fmt(median(n, s, "train")),
                                           fmt(median(n, s, "inference")),
                                           fmt(median(n, s, "mem"), 0)))
        detail.append((n, cells))
        print("%-10s %s" % (n, "   ".join("torch %s: %s" % (versions.get(s, "?"), c)
                                          for s, c in zip(sides[1:], cells))))

    if a.markdown:
        print()
        print("| " + " | ".join(head) + " |")
        print("|---|" + "---:|" * (len(head) - 1))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print()
        print("| net | " + " | ".join("torch %s train / infer / MiB" % versions.get(s, "?")
                                      for s in sides[1:]) + " |")
        print("|---|" + "---:|" * (len(sides) - 1))
        for n, cells in detail:
            print("| %s | %s |" % (n, " | ".join(cells)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
