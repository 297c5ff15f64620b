#!/usr/bin/env python3
"""subset.py SRC DST NTRAIN NTEST - the first examples of an IDX data set.

Writes plain (uncompressed) IDX files, so a test can train a big network on
a few dozen images for a few steps: the same images come back every epoch,
and a training loss that does not fall then means a broken step, not noise.
"""
import gzip
import os
import struct
import sys


def cut(src, dst, name, n):
    path = os.path.join(src, name)
    data = gzip.open(path + ".gz").read() if os.path.exists(path + ".gz") else open(path, "rb").read()
    magic = struct.unpack(">I", data[:4])[0]
    if magic == 0x803:
        h, w = struct.unpack(">II", data[8:16])
        out = struct.pack(">IIII", magic, n, h, w) + data[16:16 + n * h * w]
    else:
        out = struct.pack(">II", magic, n) + data[8:8 + n]
    with open(os.path.join(dst, name), "wb") as f:
        f.write(out)


def main():
    src, dst, ntrain, ntest = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(dst, exist_ok=True)
    cut(src, dst, "train-images-idx3-ubyte", ntrain)
    cut(src, dst, "train-labels-idx1-ubyte", ntrain)
    cut(src, dst, "t10k-images-idx3-ubyte", ntest)
    cut(src, dst, "t10k-labels-idx1-ubyte", ntest)


if __name__ == "__main__":
    main()
