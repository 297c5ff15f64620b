/* image_jpeg.c - JPEG through libjpeg-turbo (see image.h).
 *
 * libjpeg calls error_exit on a fatal error (longjmp'd out of here) and
 * emit_message for warnings.  A warning about the data (premature end of
 * file, a bad Huffman code...) means libjpeg filled what it could not
 * decode with grey: for training data that is an error, so it is one,
 * except for the few warnings that leave every pixel intact.  Grey output
 * is the file's luma (Y) where it stores YCbCr; CMYK files are refused,
 * libjpeg cannot turn them into RGB.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>
#include "runtime/data/image.h"

/* A progressive JPEG can hold any number of scans, each a pass over the
 * whole image; real ones have about ten.  Beyond this the file is hostile
 * (and would take minutes). */
#define MAX_SCANS 500

/* Everything the error path needs, on the heap so that longjmp leaves it
 * intact (a local struct changed after setjmp would be indeterminate). */
typedef struct guard {
	struct jpeg_error_mgr pub;          /* first: libjpeg's err points here */
	struct jpeg_decompress_struct ci;
	struct jpeg_progress_mgr progress;
	jmp_buf jb;
	char msg[JMSG_LENGTH_MAX];
} guard;

static void on_error(j_common_ptr ci)
{
	guard *g = (guard *)ci->err;
	(*ci->err->format_message)(ci, g->msg);
	longjmp(g->jb, 1);
}

static void on_message(j_common_ptr ci, int level)
{
	if (level >= 0)
		return;     /* trace messages */
	switch (ci->err->msg_code) {
	case JWRN_EXTRANEOUS_DATA:  /* junk between markers: skipped, image intact */
	case JWRN_JFIF_MAJOR:
	case JWRN_ADOBE_XFORM:
	case JWRN_BOGUS_ICC:
		return;
	default:
		on_error(ci);
	}
}

static void on_progress(j_common_ptr ci)
{
	j_decompress_ptr d = (j_decompress_ptr)ci;
	if (d->input_scan_number > MAX_SCANS) {
		guard *g = (guard *)ci->err;
		snprintf(g->msg, sizeof g->msg, "more than %d progressive scans", MAX_SCANS);
		longjmp(g->jb, 1);
	}
}

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int nl_jpeg_decode(const uint8_t *data, size_t len, int c, int hint_h, int hint_w,
                   nl_image *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	guard *g = calloc(1, sizeof *g);
	if (!g) {
		say(err, errlen, "out of memory");
		return -1;
	}
	uint8_t *volatile px = NULL;
	struct jpeg_decompress_struct *ci = &g->ci;
	ci->err = jpeg_std_error(&g->pub);
	g->pub.error_exit = on_error;
	g->pub.emit_message = on_message;
	if (setjmp(g->jb)) {
		jpeg_destroy_decompress(ci);
		free(px);
		say(err, errlen, "bad JPEG: %s", g->msg);
		free(g);
		return -1;
	}
	jpeg_create_decompress(ci);
	g->progress.progress_monitor = on_progress;
	ci->progress = &g->progress;
	ci->mem->max_memory_to_use = (long)512 << 20;
	jpeg_mem_src(ci, data, (unsigned long)len);
	jpeg_read_header(ci, TRUE);
	if (ci->image_width > NL_IMAGE_MAX_SIDE || ci->image_height > NL_IMAGE_MAX_SIDE ||
	    (uint64_t)ci->image_width * ci->image_height > (uint64_t)NL_IMAGE_MAX_PIXELS) {
		snprintf(g->msg, sizeof g->msg, "%ux%u pixels, more than netlang reads (at most "
		         "%d on a side, %ld megapixels)", ci->image_width, ci->image_height,
		         NL_IMAGE_MAX_SIDE, NL_IMAGE_MAX_PIXELS >> 20);
		longjmp(g->jb, 1);
	}
	if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK) {
		snprintf(g->msg, sizeof g->msg, "a CMYK image: its channels cannot be used "
		         "(save it as RGB)");
		longjmp(g->jb, 1);
	}
	ci->out_color_space = c == 1 ? JCS_GRAYSCALE : JCS_RGB;
	/* The smallest DCT scaling that still covers the hint. */
	ci->scale_num = 1;
	ci->scale_denom = 1;
	if (hint_h > 0 && hint_w > 0)
		for (unsigned d = 8; d > 1; d /= 2)
			if ((ci->image_width + d - 1) / d >= (unsigned)hint_w &&
			    (ci->image_height + d - 1) / d >= (unsigned)hint_h) {
				ci->scale_denom = d;
				break;
			}
	jpeg_start_decompress(ci);
	if (ci->output_components != c) {
		snprintf(g->msg, sizeof g->msg, "%d channels where %d were asked for",
		         ci->output_components, c);
		longjmp(g->jb, 1);
	}
	size_t row = (size_t)ci->output_width * (size_t)c;
	px = malloc(row * ci->output_height);
	if (!px) {
		snprintf(g->msg, sizeof g->msg, "out of memory");
		longjmp(g->jb, 1);
	}
	while (ci->output_scanline < ci->output_height) {
		JSAMPROW r = px + row * ci->output_scanline;
		jpeg_read_scanlines(ci, &r, 1);
	}
	jpeg_finish_decompress(ci);
	out->w = (int)ci->output_width;
	out->h = (int)ci->output_height;
	out->c = c;
	out->px = px;
	jpeg_destroy_decompress(ci);
	free(g);
	return 0;
}
