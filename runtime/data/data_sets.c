/* data_sets.c - the table of known data sets (see data_sets.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "runtime/data/cifar.h"
#include "runtime/data/data_sets.h"
#include "runtime/data/gz_source.h"

/* The published MD5s are torchvision's; the content MD5s were computed
 * from the published files and agree with Debian's recompressed copy of
 * Fashion-MNIST (the table in tests/data/official_test.c checks both). */
static const char *const fashion_names[] = {
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
	"Bag", "Ankle boot",
};
static const char *const digit_names[] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
};

static const nl_known_set known[] = {
	{ "fashion-mnist", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
	  "dataset-fashion-mnist", NL_SET_IDX, 4, {
		{ "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
		  "f4a8712d7a061bf5bd6d2ca38dc4d50a" },
		{ "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
		  "9018921c3c673c538a1fc5bad174d6f9" },
		{ "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
		  "8181f5470baa50b63fa0f6fddb340f0a" },
		{ "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310",
		  "15d484375f8d13e6eb1aabb0c3f46965" } }, fashion_names },
	{ "mnist", "https://ossci-datasets.s3.amazonaws.com/mnist/", NULL, NL_SET_IDX, 4, {
		{ "train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
		  "6bbc9ace898e44ae57da46a324031adb" },
		{ "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
		  "a25bea736e30d166cdddb491f175f624" },
		{ "t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
		  "2646ac647ad5339dbf082846283269ea" },
		{ "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c",
		  "27ae3e4e09519cfbb04c329615203637" } }, digit_names },
	/* The binary version's archive, its MD5 as the CIFAR page lists it; read
	 * without unpacking, so its own bytes are what identifies it. */
	{ "cifar10", "https://www.cs.toronto.edu/~kriz/", NULL, NL_SET_CIFAR, 1, {
		{ NL_CIFAR_ARCHIVE, "c32a1d4ab5d03f1284b67883e8d87530", NULL } }, nl_cifar_names },
};

const char nl_known_set_names[] = "fashion-mnist, mnist, cifar10";

const nl_known_set *nl_known_set_named(const char *name)
{
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(name, known[i].name) == 0)
			return &known[i];
	return NULL;
}

int nl_known_set_verify(const nl_known_set *ks, const char *dir, FILE *out)
{
	int bad = 0;
	for (int i = 0; i < ks->nfiles; i++) {
		const nl_known_file *f = &ks->files[i];
		/* The published name, or the same without .gz (gunzipped). */
		size_t n = strlen(dir) + strlen(f->name) + 2;
		char *path = malloc(n), hex[33], err[1024];
		if (!path) {
			bad++;
			continue;
		}
		snprintf(path, n, "%s/%s", dir, f->name);
		struct stat st;
		size_t len = strlen(path);
		if (stat(path, &st) != 0 && len > 3 && strcmp(path + len - 3, ".gz") == 0)
			path[len - 3] = '\0';
		if (!f->content_md5) {
			if (out)
				fprintf(out, "%s: no content checksum recorded\n", path);
		} else if (nl_gz_content_md5(path, hex, err, sizeof err) != 0) {
			bad++;
			if (out)
				fprintf(out, "%s\n", err);
		} else if (strcmp(hex, f->content_md5) != 0) {
			bad++;
			if (out)
				fprintf(out, "%s: content MD5 %s, the official %s's is %s\n", path, hex,
				        ks->name, f->content_md5);
		} else if (out) {
			fprintf(out, "%s: content MD5 %s: official\n", path, hex);
		}
		free(path);
	}
	return bad;
}
