# tests/gpu/local.mk - the GPU checks.  Not part of `make check`: they need
# an NVIDIA GPU, and run through tests/gpu/check.sh on a machine with one
# (see tests/gpu/README.md).  gpu_ops_check is built with every CUDA build
# so that a build made without a GPU carries it over.
EXTRA_DIST += tests/gpu/check.sh tests/gpu/README.md
if HAVE_CUDA
noinst_PROGRAMS += tests/gpu/gpu_ops_check
tests_gpu_gpu_ops_check_SOURCES = tests/gpu/gpu_ops_check.c
tests_gpu_gpu_ops_check_LDADD = libgpu.a libcpu.a libruntime.a liblang.a \
	$(NL_GPU_LDADD) $(BLAS_LIBS)
endif
