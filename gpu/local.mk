# gpu/local.mk - the GPU backend (cuDNN + cuBLAS), or its stand-in.
#
# With CUDA: the C files use the CUDA runtime, cuDNN and cuBLAS APIs and are
# compiled by $(CC) with the toolkit's headers; the kernels (*.cu, each
# beside the C file of its concern) are compiled by nvcc into objects added
# to the library.  Without: one file whose nl_gpu_backend_new says so and
# returns NULL.  Programs that link libgpu.a add $(NL_GPU_LDADD) after it.
noinst_LIBRARIES += libgpu.a
NL_GPU_CU = gpu/backend.cu gpu/fc.cu gpu/activation.cu gpu/dropout.cu gpu/batchnorm.cu \
	gpu/join.cu gpu/loss.cu gpu/gather.cu
EXTRA_DIST += $(NL_GPU_CU) gpu/launch.cuh gpu/gpu_none.c gpu/gpu.h gpu/kernels.h

if HAVE_CUDA
libgpu_a_SOURCES = gpu/gpu.h gpu/kernels.h \
	gpu/backend.c gpu/status.c gpu/conv.c gpu/pool.c gpu/fc.c gpu/gemm.c \
	gpu/activation.c gpu/dropout.c gpu/batchnorm.c gpu/join.c gpu/loss.c \
	gpu/gather.c
libgpu_a_CPPFLAGS = $(AM_CPPFLAGS) $(CUDA_CPPFLAGS)

NL_GPU_CU_OBJS = $(NL_GPU_CU:.cu=_cu.o)
libgpu_a_LIBADD = $(NL_GPU_CU_OBJS)
CLEANFILES += $(NL_GPU_CU_OBJS)
NL_GPU_LDADD = $(CUDA_LDFLAGS) $(CUDA_LIBS) -lstdc++

# nvcc runs gcc on the host half of each .cu file: the same warnings as
# the C files, errors when configured with --enable-werror.
NL_NVCC = $(NVCC) $(NVCCFLAGS) -Xcompiler -fPIC,-Wall,-Wextra \
	$(if $(WERROR_CFLAGS),-Xcompiler -Werror) \
	-I$(top_srcdir) -I$(top_builddir) $(CUDA_CPPFLAGS)

gpu/%_cu.o: gpu/%.cu gpu/kernels.h gpu/launch.cuh runtime/rng.h
	$(AM_V_GEN)$(MKDIR_P) gpu && $(NL_NVCC) -c -o $@ $<
else
libgpu_a_SOURCES = gpu/gpu_none.c
NL_GPU_LDADD =
endif
