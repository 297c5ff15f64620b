/* fuzz_idx.c - libFuzzer target for IDX image sets (the MNIST family's
 * files), plain or gzipped: the input is cut in two at the position its
 * first two bytes give, the first part written as the images file and the
 * rest as the labels file, and the pair loaded.  A pair is refused with a
 * message or loaded whole; nothing may crash, hang or leak, and memory may
 * grow only with the bytes present.  Built and run by run.sh. */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime/data/idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = n ? fwrite(p, 1, n, f) : 0;
	return fclose(f) == 0 && w == n ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char images[64], labels[64];
	if (!images[0]) {
		snprintf(images, sizeof images, "/tmp/fuzz-idx-%ld-images", (long)getpid());
		snprintf(labels, sizeof labels, "/tmp/fuzz-idx-%ld-labels", (long)getpid());
	}
	if (size < 2)
		return 0;
	size_t cut = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	data += 2;
	size -= 2;
	if (write_file(images, data, cut) != 0 || write_file(labels, data + cut, size - cut) != 0)
		abort();
	nl_dataset d;
	char err[256];
	if (nl_idx_load(images, labels, &d, err, sizeof err) == 0) {
		/* what a loaded set promises: labels below the class count */
		for (int i = 0; i < d.n; i++)
			if (d.labels[i] >= d.classes)
				abort();
		nl_dataset_free(&d);
	}
	unlink(images);
	unlink(labels);
	return 0;
}
