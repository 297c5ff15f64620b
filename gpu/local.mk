# gpu/local.mk - the GPU backend (cuDNN + cuBLAS), or its stand-in.
#
# With CUDA: the C files use the CUDA runtime, cuDNN and cuBLAS APIs and are
# compiled by $(CC) with the toolkit's headers; the kernels (*.cu, each
# beside the C file of its concern) are compiled by nvcc into objects added
# to the library.  Without: one file whose nl_gpu_backend_new says so and
# returns NULL.  Programs that link libgpu.a add $(NL_GPU_LDADD) after it.
#
# The netlang program itself does not link libgpu.a in a CUDA build: it
# links the loader (libgpuload.a, gpu_load.c), which opens the module
# netlang-gpu.so, made of libgpu.a and the CUDA libraries, when a GPU is
# wanted (module.h says why).  NL_GPU_EXE_LIBS and NL_GPU_EXE_LDADD are
# what the program links in either build.
noinst_LIBRARIES += libgpu.a
NL_GPU_CU = gpu/backend.cu gpu/fc.cu gpu/activation.cu gpu/dropout.cu gpu/batchnorm.cu \
	gpu/join.cu gpu/loss.cu gpu/gather.cu
EXTRA_DIST += $(NL_GPU_CU) gpu/launch.cuh gpu/gpu_none.c gpu/gpu.h gpu/kernels.h \
	gpu/module.h gpu/module.c gpu/gpu_load.c

if HAVE_CUDA
libgpu_a_SOURCES = gpu/gpu.h gpu/kernels.h \
	gpu/backend.c gpu/status.c gpu/conv.c gpu/pool.c gpu/fc.c gpu/gemm.c \
	gpu/activation.c gpu/dropout.c gpu/batchnorm.c gpu/join.c gpu/loss.c \
	gpu/gather.c
libgpu_a_CPPFLAGS = $(AM_CPPFLAGS) $(CUDA_CPPFLAGS)
# position-independent: the objects go into the module
libgpu_a_CFLAGS = $(AM_CFLAGS) -fPIC

NL_GPU_CU_OBJS = $(NL_GPU_CU:.cu=_cu.o)
libgpu_a_LIBADD = $(NL_GPU_CU_OBJS)
CLEANFILES += $(NL_GPU_CU_OBJS)
NL_GPU_LDADD = $(CUDA_LDFLAGS) $(CUDA_LIBS) -lstdc++ $(DL_LIBS)

# The module, installed in $(pkglibdir); it carries its own copy of the
# one front-end function the backend calls (nl_kind_name, for messages).
gpumoddir = $(pkglibdir)
gpumod_PROGRAMS = netlang-gpu.so
netlang_gpu_so_SOURCES = gpu/module.c gpu/module.h lang/kinds.c
netlang_gpu_so_CFLAGS = $(AM_CFLAGS) -fPIC
netlang_gpu_so_LDFLAGS = $(AM_LDFLAGS) -shared -Wl,-Bsymbolic
netlang_gpu_so_LDADD = libgpu.a $(NL_GPU_LDADD)

noinst_LIBRARIES += libgpuload.a
libgpuload_a_SOURCES = gpu/gpu_load.c gpu/module.h
libgpuload_a_CPPFLAGS = $(AM_CPPFLAGS) -DNL_GPU_MODULE_DIR='"$(gpumoddir)"'
NL_GPU_EXE_LIBS = libgpuload.a
NL_GPU_EXE_LDADD = $(DL_LIBS)

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
NL_GPU_EXE_LIBS = libgpu.a
NL_GPU_EXE_LDADD =
endif
