/* onnx_none.c - a build without protobuf-c: ONNX export and import say
 * what to install instead. */
#include <config.h>

#include <stdio.h>

#include "runtime/export/export.h"

static int unsupported(void)
{
	fprintf(stderr, "netlang: this build has no ONNX support: configure did not find "
	        "protobuf-c and onnx.proto (Debian: apt-get install protobuf-c-compiler "
	        "libprotobuf-c-dev libonnx-dev, then configure again)\n");
	return -1;
}

int nl_onnx_supported(void)
{
	return 0;
}

int nl_export_onnx(const char *path, const nl_graph *g, const nl_options *o)
{
	(void)path; (void)g; (void)o;
	return unsupported();
}

int nl_import_onnx(FILE *out, const char *path)
{
	(void)out; (void)path;
	return unsupported();
}

int nl_import_onnx_buffer(FILE *out, FILE *diag, const char *path, const uint8_t *data,
                          size_t len)
{
	(void)out; (void)diag; (void)path; (void)data; (void)len;
	return unsupported();
}
