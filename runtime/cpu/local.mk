# runtime/cpu/local.mk - the CPU backend (OpenBLAS + OpenMP), the reference
# every other backend is checked against.
noinst_LIBRARIES += libcpu.a
libcpu_a_SOURCES = \
	runtime/cpu/cpu.h \
	runtime/cpu/vexp.h \
	runtime/cpu/backend.c \
	runtime/cpu/blas_core.c \
	runtime/cpu/gemm.c \
	runtime/cpu/conv.c \
	runtime/cpu/direct.h \
	runtime/cpu/direct_rows.h \
	runtime/cpu/direct.c \
	runtime/cpu/lanes.h \
	runtime/cpu/lanes_isa.h \
	runtime/cpu/lanes_fwd.h \
	runtime/cpu/lanes_filt.h \
	runtime/cpu/lanes_data.h \
	runtime/cpu/lanes.c \
	runtime/cpu/isa.c \
	runtime/cpu/winograd.h \
	runtime/cpu/winograd.c \
	runtime/cpu/winograd_kern.c \
	runtime/cpu/pool.c \
	runtime/cpu/fc.c \
	runtime/cpu/activation.c \
	runtime/cpu/sigmoid.c \
	runtime/cpu/dropout.c \
	runtime/cpu/batchnorm.c \
	runtime/cpu/join.c \
	runtime/cpu/loss.c \
	runtime/cpu/gather.c
# The hot loops (im2col, col2im, pooling, elementwise) are worth -O3's
# vectoriser; it stays portable (no -march).
libcpu_a_CFLAGS = $(AM_CFLAGS) -O3
