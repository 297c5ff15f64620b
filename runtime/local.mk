# runtime/local.mk - the execution plan, training loop and the program.
noinst_LIBRARIES += libruntime.a
libruntime_a_SOURCES = \
	runtime/backend.h runtime/rng.h \
	runtime/params.h runtime/params.c \
	runtime/plan.h runtime/plan.c \
	runtime/train.h runtime/train.c runtime/device.c runtime/timing.c \
	runtime/memory.c \
	runtime/repl.h
include runtime/io.mk
include runtime/repl.mk

bin_PROGRAMS += netlang
netlang_SOURCES = runtime/main.c
# Libraries in dependency order; the GPU backend's link flags come from
# gpu/local.mk (empty when built without CUDA).
NL_LIBS = libruntime.a libgpu.a libcpu.a liblang.a
netlang_LDADD = $(NL_LIBS) $(NL_GPU_LDADD) $(BLAS_LIBS) $(LIBS)
