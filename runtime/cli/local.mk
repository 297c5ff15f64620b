# runtime/cli/local.mk - the netlang command.
bin_PROGRAMS += netlang
netlang_SOURCES = runtime/cli/main.c
# Libraries in dependency order; the GPU backend's link flags come from
# gpu/local.mk (empty when built without CUDA).
NL_LIBS = libruntime.a libgpu.a libcpu.a liblang.a
netlang_LDADD = $(NL_LIBS) $(NL_DIST_LDADD) $(NL_GPU_LDADD) $(BLAS_LIBS) $(LIBS)
