/* module.h - the GPU backend as a module that netlang opens when it needs
 * a GPU.  Linking cuDNN and cuBLAS into the program made every run pay
 * for loading them, GPU or not: about 220 MB of resident memory and a
 * tenth of a second before the first line, on machines where most runs
 * are on the CPU.  So a CUDA build puts the backend (libgpu.a and the
 * CUDA libraries it needs) into netlang-gpu.so, and netlang opens it with
 * dlopen only when a GPU is asked for or may be there (gpu_load.c).
 *
 * The module exports one object, NL_GPU_MODULE_SYMBOL, naming this
 * interface's version and the build it comes from: a module from another
 * build is refused instead of being called through the wrong layout. */
#ifndef NL_GPU_MODULE_H
#define NL_GPU_MODULE_H

#include <stddef.h>

#include "runtime/backend.h"

#define NL_GPU_MODULE_FILE "netlang-gpu.so"
#define NL_GPU_MODULE_SYMBOL "nl_gpu_module_entry"
enum { NL_GPU_MODULE_ABI = 1 };

typedef struct nl_gpu_module {
	int abi;                  /* NL_GPU_MODULE_ABI */
	const char *version;      /* PACKAGE_VERSION of the build */
	size_t backend_size;      /* sizeof(nl_backend) in that build */
	nl_backend *(*backend_new)(int device, int tf32, int quiet);
	int (*device_count)(void);
} nl_gpu_module;

#endif
