/* fuzz_onnx.c - libFuzzer target for the ONNX importer: any bytes go
 * through nl_import_onnx_buffer (protobuf-c's parse, the graph's folding
 * into joins, the front end's check of the program).  Built and run by
 * run.sh (its target onnx); the input must never crash, hang or leak. */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/export/export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	nl_import_onnx_buffer(sink, sink, "fuzz.onnx", data, size);
	return 0;
}
