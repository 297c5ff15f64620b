/* module.c - what netlang-gpu.so exports (see module.h). */
#include <config.h>

#include "gpu/module.h"

const nl_gpu_module nl_gpu_module_entry = {
	NL_GPU_MODULE_ABI, PACKAGE_VERSION, sizeof(nl_backend),
	nl_gpu_backend_new, nl_gpu_device_count,
};
