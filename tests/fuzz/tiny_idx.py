#!/usr/bin/env python3
"""tiny_idx.py [-n TRAIN TEST] DIR... - write a tiny image set in the MNIST
family's IDX format into each DIR (by default 32 training and 16 test
images of 28x28, ten classes, gzipped as the published files are), for runs
that must train in milliseconds: the fuzz targets' sessions, seeds for the
IDX target, and the tests of checkpoints and interruptions."""
import gzip
import os
import struct
import sys


def idx_images(n, seed):
    pix = bytes((i * 37 + seed * 11 + (i // 28) * 5) % 256 for i in range(n * 28 * 28))
    return struct.pack(">IIII", 0x803, n, 28, 28) + pix


def idx_labels(n, seed):
    return struct.pack(">II", 0x801, n) + bytes((i + seed) % 10 for i in range(n))


def main():
    args = sys.argv[1:]
    ntrain, ntest = 32, 16
    if args[:1] == ["-n"]:
        ntrain, ntest = int(args[1]), int(args[2])
        args = args[3:]
    if not args or any(a.startswith("-") for a in args):
        # --help or a misspelt option is not a folder to fill
        sys.exit("usage: tiny_idx.py [-n TRAIN TEST] DIR...")
    for d in args:
        os.makedirs(d, exist_ok=True)
        for name, data in (("train-images-idx3-ubyte", idx_images(ntrain, 1)),
                           ("train-labels-idx1-ubyte", idx_labels(ntrain, 1)),
                           ("t10k-images-idx3-ubyte", idx_images(ntest, 2)),
                           ("t10k-labels-idx1-ubyte", idx_labels(ntest, 2))):
            with open(os.path.join(d, name + ".gz"), "wb") as f:
                f.write(gzip.compress(data, mtime=0))


if __name__ == "__main__":
    main()
