# tests/gpu/local.mk - the GPU checks.  gpu_ops_check compares every GPU
# operation with the CPU backend; it needs an NVIDIA GPU and runs through
# tests/gpu/check.sh on a machine with one (see tests/gpu/README.md).  It is
# built by every build, so that a CUDA build made without a GPU carries it
# over, and so that `make check` can prove the harness itself: its
# --self-test runs every case CPU against CPU, then against planted faults
# that each must be caught.  check_script_test runs check.sh itself
# without a GPU (--dry-run): a planted failure, the summary, the logs.
EXTRA_DIST += tests/gpu/check.sh tests/gpu/README.md tests/gpu/ops_self_test.sh \
	tests/gpu/check_script_test.sh
noinst_PROGRAMS += tests/gpu/gpu_ops_check
tests_gpu_gpu_ops_check_SOURCES = tests/gpu/gpu_ops_check.c
tests_gpu_gpu_ops_check_LDADD = libgpu.a libcpu.a libruntime.a liblang.a \
	$(NL_DIST_LDADD) $(NL_GPU_LDADD) $(BLAS_LIBS)
TESTS += tests/gpu/ops_self_test.sh tests/gpu/check_script_test.sh
