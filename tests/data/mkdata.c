/* mkdata.c - writes the data sets the shell tests train on (not a test):
 *
 *   mkdata folder DIR PER_CLASS     DIR/checker, DIR/horizontal, DIR/vertical,
 *                                   PER_CLASS images each, PNG and JPEG of
 *                                   every layout, sizes 24 to 56
 *   mkdata split DIR PER_CLASS      the same under DIR/train and a third as
 *                                   many under DIR/test
 *   mkdata cifar DIR NTRAIN NTEST   data_batch_1.bin (and _2 with the second
 *                                   half of NTRAIN) and test_batch.bin
 *   mkdata cifar-archive DIR NTRAIN NTEST
 *                                   the same as DIR/cifar-10-binary.tar.gz
 *   mkdata seeds DIR                tiny images of every layout, and CIFAR
 *                                   records: the image fuzzer's seed corpus
 *
 * The pictures are imgwrite.c's: a class is a stripe pattern with a
 * dominant colour, so a small net learns them in a few steps. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/data/imgwrite.h"

static const char *const classes[3] = { "horizontal", "vertical", "checker" };

static void die(const char *what)
{
	fprintf(stderr, "mkdata: %s\n", what);
	exit(1);
}

static void mkdir_or_die(const char *p)
{
	if (mkdir(p, 0755) != 0) {
		struct stat st;
		if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			die(p);
	}
}

/* n images per class into dir/CLASS/, numbered from first. */
static void folder(const char *dir, int n, int first)
{
	mkdir_or_die(dir);
	for (int k = 0; k < 3; k++) {
		char d[4096];
		snprintf(d, sizeof d, "%s/%s", dir, classes[k]);
		mkdir_or_die(d);
		for (int i = first; i < first + n; i++) {
			int w = 24 + (i * 7) % 33, h = 24 + (i * 11) % 33, c = 3;
			uint8_t *px = malloc((size_t)w * h * 3);
			if (!px)
				die("out of memory");
			tw_picture(px, w, h, c, k, (unsigned)(1000 * k + i));
			char p[4200];
			int rc;
			switch (i % 8) {
			case 0: snprintf(p, sizeof p, "%s/%03d.png", d, i);
				rc = tw_png(p, px, w, h, c, PNG_RGB); break;
			case 1: snprintf(p, sizeof p, "%s/%03d.jpg", d, i);
				rc = tw_jpeg(p, px, w, h, c, 90, 0, 0); break;
			case 2: snprintf(p, sizeof p, "%s/%03d.png", d, i);
				rc = tw_png(p, px, w, h, c, PNG_PALETTE); break;
			case 3: snprintf(p, sizeof p, "%s/%03d.JPEG", d, i);
				rc = tw_jpeg(p, px, w, h, c, 85, 1, 0); break;
			case 4: snprintf(p, sizeof p, "%s/%03d.png", d, i);
				rc = tw_png(p, px, w, h, c, PNG_RGB | PNG_ALPHA); break;
			case 5: snprintf(p, sizeof p, "%s/%03d.png", d, i);
				rc = tw_png(p, px, w, h, c, PNG_RGB | PNG_16BIT | PNG_INTERLACED); break;
			case 6: snprintf(p, sizeof p, "%s/%03d.jpeg", d, i);
				rc = tw_jpeg(p, px, w, h, c, 95, 0, 0); break;
			default: snprintf(p, sizeof p, "%s/%03d.png", d, i);
				rc = tw_png(p, px, w, h, c, PNG_GREY); break;
			}
			free(px);
			if (rc != 0)
				die(p);
		}
	}
}

static void write_file(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

static void cifar(const char *dir, int ntrain, int ntest, int archive)
{
	mkdir_or_die(dir);
	int n1 = ntrain > 1 ? ntrain / 2 : ntrain, n2 = ntrain - n1;
	size_t len[3];
	uint8_t *b[3] = { tw_cifar_records(n1, 1, &len[0]),
	                  n2 ? tw_cifar_records(n2, 50000, &len[1]) : NULL,
	                  tw_cifar_records(ntest, 90000, &len[2]) };
	if (!b[0] || !b[2] || (n2 && !b[1]))
		die("out of memory");
	if (!n2)
		len[1] = 0;
	char p[4200];
	if (archive) {
		const char *names[4] = { "cifar-10-batches-bin/batches.meta.txt",
		                         "cifar-10-batches-bin/data_batch_1.bin",
		                         "cifar-10-batches-bin/test_batch.bin",
		                         "cifar-10-batches-bin/data_batch_2.bin" };
		static uint8_t meta[] = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\n"
		                        "ship\ntruck\n\n";
		uint8_t *data[4] = { meta, b[0], b[2], b[1] };
		size_t sizes[4] = { sizeof meta - 1, len[0], len[2], len[1] };
		snprintf(p, sizeof p, "%s/cifar-10-binary.tar.gz", dir);
		if (tw_tar_gz(p, names, data, sizes, n2 ? 4 : 3) != 0)
			die(p);
	} else {
		snprintf(p, sizeof p, "%s/data_batch_1.bin", dir);
		write_file(p, b[0], len[0]);
		if (n2) {
			snprintf(p, sizeof p, "%s/data_batch_2.bin", dir);
			write_file(p, b[1], len[1]);
		}
		snprintf(p, sizeof p, "%s/test_batch.bin", dir);
		write_file(p, b[2], len[2]);
	}
	free(b[0]);
	free(b[1]);
	free(b[2]);
}

/* The fuzzer's seeds: small, so that it mutates fast. */
static void seeds(const char *dir)
{
	static const struct { const char *name; int flags; } pngs[] = {
		{ "rgb.png", PNG_RGB }, { "grey.png", PNG_GREY }, { "palette.png", PNG_PALETTE },
		{ "rgba.png", PNG_RGB | PNG_ALPHA }, { "grey16.png", PNG_GREY | PNG_16BIT },
		{ "interlaced.png", PNG_RGB | PNG_INTERLACED },
	};
	mkdir_or_die(dir);
	uint8_t px[9 * 7 * 3];
	tw_picture(px, 9, 7, 3, 2, 1);
	char p[4200];
	for (size_t i = 0; i < sizeof pngs / sizeof pngs[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, pngs[i].name);
		if (tw_png(p, px, 9, 7, 3, pngs[i].flags) != 0)
			die(p);
	}
	snprintf(p, sizeof p, "%s/baseline.jpg", dir);
	tw_jpeg(p, px, 9, 7, 3, 75, 0, 0);
	snprintf(p, sizeof p, "%s/progressive.jpg", dir);
	tw_jpeg(p, px, 9, 7, 3, 75, 1, 0);
	snprintf(p, sizeof p, "%s/cmyk.jpg", dir);
	tw_jpeg(p, px, 9, 7, 3, 75, 0, 1);
	uint8_t grey[9 * 7];
	tw_picture(grey, 9, 7, 1, 0, 2);
	snprintf(p, sizeof p, "%s/grey.jpg", dir);
	tw_jpeg(p, grey, 9, 7, 1, 75, 0, 0);
	size_t n;
	uint8_t *rec = tw_cifar_records(2, 3, &n);
	snprintf(p, sizeof p, "%s/cifar-records.bin", dir);
	write_file(p, rec, n);
	free(rec);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "folder") == 0) {
		folder(argv[2], atoi(argv[3]), 0);
	} else if (argc == 4 && strcmp(argv[1], "split") == 0) {
		char p[4096];
		mkdir_or_die(argv[2]);
		snprintf(p, sizeof p, "%s/train", argv[2]);
		folder(p, atoi(argv[3]), 0);
		snprintf(p, sizeof p, "%s/test", argv[2]);
		folder(p, (atoi(argv[3]) + 2) / 3, 500);
	} else if (argc == 3 && strcmp(argv[1], "seeds") == 0) {
		seeds(argv[2]);
	} else if (argc == 5 && (strcmp(argv[1], "cifar") == 0 ||
	                         strcmp(argv[1], "cifar-archive") == 0)) {
		cifar(argv[2], atoi(argv[3]), atoi(argv[4]), argv[1][5] == '-');
	} else {
		fprintf(stderr, "usage: mkdata folder|split DIR PER_CLASS\n"
		        "       mkdata cifar|cifar-archive DIR NTRAIN NTEST\n"
		        "       mkdata seeds DIR\n");
		return 2;
	}
	return 0;
}
