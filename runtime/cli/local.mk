# runtime/cli/local.mk - the netlang command.
bin_PROGRAMS += netlang
netlang_SOURCES = runtime/cli/main.c
# Libraries in dependency order.  NL_LIBS (for the test programs) links the
# GPU backend itself; netlang links what gpu/local.mk says: in a CUDA build
# the loader of the GPU module, so that CPU runs never load CUDA.
NL_LIBS = libruntime.a libgpu.a libcpu.a liblang.a
netlang_LDADD = libruntime.a $(NL_GPU_EXE_LIBS) libcpu.a liblang.a $(NL_DIST_LDADD) \
	$(NL_GPU_EXE_LDADD) $(BLAS_LIBS) $(LIBS)
