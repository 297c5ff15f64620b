/* image.c - PNG or JPEG by signature, files read whole (see image.h). */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "runtime/data/image.h"

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int nl_image_kind(const uint8_t *data, size_t len)
{
	static const uint8_t png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	if (len >= 8 && memcmp(data, png, 8) == 0)
		return NL_IMAGE_PNG;
	if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
		return NL_IMAGE_JPEG;
	return NL_IMAGE_UNKNOWN;
}

int nl_image_decode(const uint8_t *data, size_t len, int c, int hint_h, int hint_w,
                    nl_image *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (c != 1 && c != 3) {
		say(err, errlen, "images can be read with 1 or 3 channels, not %d", c);
		return -1;
	}
	switch (nl_image_kind(data, len)) {
	case NL_IMAGE_PNG:
		return nl_png_decode(data, len, c, out, err, errlen);
	case NL_IMAGE_JPEG:
		return nl_jpeg_decode(data, len, c, hint_h, hint_w, out, err, errlen);
	}
	if (len == 0)
		say(err, errlen, "empty file, not an image");
	else
		say(err, errlen, "not a PNG or JPEG image (it does not start like one)");
	return -1;
}

int nl_image_load(const char *path, int c, int hint_h, int hint_w, nl_image *out,
                  char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "rb");
	if (!f) {
		say(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		say(err, errlen, "%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	if ((unsigned long long)st.st_size > NL_IMAGE_MAX_FILE) {
		say(err, errlen, "%s: %llu bytes, more than an image netlang reads (%zu MiB)", path,
		    (unsigned long long)st.st_size, NL_IMAGE_MAX_FILE >> 20);
		fclose(f);
		return -1;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf) {
		say(err, errlen, "%s: out of memory", path);
		fclose(f);
		return -1;
	}
	size_t got = fread(buf, 1, n, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || got != n) {
		say(err, errlen, "%s: read error", path);
		free(buf);
		return -1;
	}
	char why[512];
	int rc = nl_image_decode(buf, n, c, hint_h, hint_w, out, why, sizeof why);
	if (rc != 0)
		say(err, errlen, "%s: %s", path, why);
	free(buf);
	return rc;
}

void nl_image_free(nl_image *im)
{
	if (!im)
		return;
	free(im->px);
	memset(im, 0, sizeof *im);
}
