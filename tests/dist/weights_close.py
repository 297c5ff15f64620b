#!/usr/bin/env python3
"""weights_close.py A B [TOL] - exit 0 when two netlang weights files
(runtime/data/weights.h: "NETLANGW", version, tensor headers, float32 data,
CRC-32) hold the same tensors and every value agrees within TOL, relative to
the tensor's largest magnitude (default 1e-4); else say where they differ
and exit 1.  Data-parallel training sums the gradients in another order
than one process does, so the two agree to float rounding, not bit for bit."""
import struct
import sys
import zlib


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"NETLANGW":
        sys.exit(f"{path}: not a netlang weights file")
    if struct.unpack_from("<I", data, len(data) - 4)[0] != zlib.crc32(data[:-4]):
        sys.exit(f"{path}: bad CRC")
    version, ntensors = struct.unpack_from("<II", data, 8)
    heads = [struct.unpack_from("<8I", data, 16 + 32 * i) for i in range(ntensors)]
    at = 16 + 32 * ntensors
    tensors = []
    for h in heads:
        count = 1
        for d in h[3:3 + h[2]]:
            count *= d
        tensors.append((h, struct.unpack_from(f"<{count}f", data, at)))
        at += 4 * count
    return tensors


def main():
    a, b = read(sys.argv[1]), read(sys.argv[2])
    tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4
    if [h for h, _ in a] != [h for h, _ in b]:
        sys.exit("the files hold different tensors")
    worst = 0.0
    for i, ((h, x), (_, y)) in enumerate(zip(a, b)):
        scale = max(max(abs(v) for v in x), 1e-12)
        err = max(abs(u - v) for u, v in zip(x, y)) / scale
        worst = max(worst, err)
        if err > tol:
            print(f"tensor {i} (kind {h[0]}, role {h[1]}): relative difference {err:.3g} "
                  f"> {tol:g}")
            return 1
    print(f"same to {worst:.3g} (relative, tolerance {tol:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
