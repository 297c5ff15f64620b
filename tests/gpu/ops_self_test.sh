#!/bin/sh
# gpu_ops_check --self-test: the GPU op check's harness, proved without a
# GPU.  Every case must pass CPU against CPU, and each planted fault (one
# the GPU backend once had) must make exactly its cases fail.
: "${top_builddir:?}"
exec "$top_builddir/tests/gpu/gpu_ops_check" --self-test
