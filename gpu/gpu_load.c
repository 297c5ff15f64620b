/* gpu_load.c - nl_gpu_backend_new and nl_gpu_device_count in the netlang
 * program of a CUDA build: they open the GPU module (module.h) on first
 * use and call into it.
 *
 * The module is looked for beside the program first (the build tree, or
 * a build copied to another machine with it), then where `make install`
 * puts it.  It stays open: CUDA's libraries are not made to be unloaded.
 * When the caller can go on without a GPU (quiet: --device auto), a
 * machine with no NVIDIA device node is not worth loading cuDNN for. */
#include <config.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gpu/module.h"

static const nl_gpu_module *module;
static void *handle;
static int tried;
static char why[PATH_MAX + 256];   /* why it did not load, for the message */

/* A driver's device node: /dev/nvidiactl on Linux, /dev/dxg under WSL. */
static int driver_present(void)
{
	return access("/dev/nvidiactl", F_OK) == 0 || access("/dev/dxg", F_OK) == 0;
}

static void *open_in(const char *dir, char *path, size_t size)
{
	if ((size_t)snprintf(path, size, "%s/%s", dir, NL_GPU_MODULE_FILE) >= size)
		return NULL;
	if (access(path, F_OK) != 0)
		return NULL;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		snprintf(why, sizeof why, "%s", dlerror());
	return h;
}

static const nl_gpu_module *load(void)
{
	if (tried)
		return module;
	tried = 1;
	char exe[PATH_MAX], path[PATH_MAX];
	void *h = NULL;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			h = open_in(exe, path, sizeof path);
		}
	}
	if (!h && !why[0])
		h = open_in(NL_GPU_MODULE_DIR, path, sizeof path);
	if (!h) {
		if (!why[0])
			snprintf(why, sizeof why, "%s is not installed in %s or beside the program",
			         NL_GPU_MODULE_FILE, NL_GPU_MODULE_DIR);
		return NULL;
	}
	const nl_gpu_module *m = dlsym(h, NL_GPU_MODULE_SYMBOL);
	if (!m)
		snprintf(why, sizeof why, "%s is not netlang's GPU module", path);
	else if (m->abi != NL_GPU_MODULE_ABI || strcmp(m->version, PACKAGE_VERSION) != 0 ||
	         m->backend_size != sizeof(nl_backend))
		snprintf(why, sizeof why, "%s is from another netlang build (version %s); "
		         "reinstall netlang", path, m->abi == NL_GPU_MODULE_ABI ? m->version : "?");
	else {
		handle = h;
		return module = m;
	}
	return NULL;     /* left open: closing what failed to match helps nothing */
}

int nl_gpu_device_count(void)
{
	const nl_gpu_module *m = driver_present() ? load() : NULL;
	return m ? m->device_count() : 0;
}

nl_backend *nl_gpu_backend_new(int device, int tf32, int quiet)
{
	if (quiet && !driver_present())
		return NULL;
	const nl_gpu_module *m = load();
	if (!m) {
		if (!quiet)
			fprintf(stderr, "netlang: cannot load the GPU backend: %s\n", why);
		return NULL;
	}
	return m->backend_new(device, tf32, quiet);
}

/* dlsym on the module's handle searches the libraries it loaded: CUDA's. */
void *nl_gpu_symbol(const char *name)
{
	return handle ? dlsym(handle, name) : NULL;
}
