/* direct.h - the forward pass of a stride-1 convolution, one image at a
 * time (direct.c), for the thin layers that conv.c runs image by image. */
#ifndef NL_CPU_DIRECT_H
#define NL_CPU_DIRECT_H

#include <stddef.h>

/* A stride-1 layer: input c x h x w, output oc x oh x ow, kernel kh x kw,
 * padding ph, pw. */
typedef struct nl_direct_geom {
	int c, h, w, oc, oh, ow, kh, kw, ph, pw;
} nl_direct_geom;

/* Whether the geometry is one (stride 1, output size consistent). */
int nl_cpu_direct_applies(const nl_direct_geom *g);

/* Floats of the packed weights, shared by the threads of one call, and of
 * each thread's buffer. */
size_t nl_cpu_direct_pack_floats(const nl_direct_geom *g);
size_t nl_cpu_direct_thread_floats(const nl_direct_geom *g);

/* Packs the layer's weights w[oc][c][kh][kw], once a call. */
void nl_cpu_direct_pack(const nl_direct_geom *g, const float *w, float *wpk);

/* Zeroes a thread's buffer before its first image of a call. */
void nl_cpu_direct_begin(const nl_direct_geom *g, float *buf);

/* One image: y = bias + the convolution of x, through a ReLU when relu. */
void nl_cpu_direct_image(const nl_direct_geom *g, const float *wpk, const float *bias,
                         const float *x, float *y, int relu, float *buf);

/* The weight gradient: each thread zeroes its buffer (filter_floats) with
 * filter_begin, adds each of its images with filter_image, and writes its
 * sum to dw (oc x c x kh x kw) with filter_end. */
size_t nl_cpu_direct_filter_floats(const nl_direct_geom *g);
void nl_cpu_direct_filter_begin(const nl_direct_geom *g, float *buf);
void nl_cpu_direct_filter_image(const nl_direct_geom *g, const float *x, const float *dy,
                                float *buf);
void nl_cpu_direct_filter_end(const nl_direct_geom *g, const float *buf, float *dw);

#endif
