/* fuzz_image.c - libFuzzer target for the readers of a user's own data:
 * any bytes go through the PNG and JPEG decoders (as grey or RGB, by the
 * input's length, with a size hint that lets a JPEG be DCT-scaled), a
 * decoded image is scaled to 8x8, and the same bytes are read as CIFAR-10
 * records.  Built and run by run_image.sh; the input must never crash,
 * hang or leak. */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "runtime/data/cifar.h"
#include "runtime/data/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	nl_image im;
	int c = size % 2 ? 3 : 1;
	if (nl_image_decode(data, size, c, 8, 8, &im, err, sizeof err) == 0) {
		uint8_t out[3 * 8 * 8];
		nl_image_resize(&im, 8, 8, out);
		nl_image_free(&im);
	}
	nl_dataset d = { 0 };
	if (nl_cifar_append(&d, data, size, "fuzz", err, sizeof err) == 0)
		nl_dataset_free(&d);
	else
		nl_dataset_free(&d);
	return 0;
}
