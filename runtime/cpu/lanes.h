/* lanes.h - thin stride-1 convolutions computed for a vector of images at
 * once (lanes.c): each vector lane holds the same pixel of a different
 * image, so rows of any width fill the vectors.  conv.c's image-parallel
 * path takes it for a batch wide enough to fill its threads' vectors. */
#ifndef NL_CPU_LANES_H
#define NL_CPU_LANES_H

#include <stddef.h>

#include "runtime/cpu/direct.h"

/* Images a vector holds on the running instruction set (16 with AVX-512,
 * 8 with AVX2), or 0 where there is no lane kernel (the portable build). */
int nl_cpu_lanes(void);

/* Floats of the weights packed once a call, shared by the threads, and of
 * each thread's buffers: enough for every instruction set's kernels. */
size_t nl_cpu_lanes_shared_floats(const nl_direct_geom *g);
size_t nl_cpu_lanes_thread_floats(const nl_direct_geom *g);

/* The activation folded into the convolution. */
enum { NL_LANES_LINEAR, NL_LANES_RELU, NL_LANES_SIGMOID };

/* y (n x oc x oh x ow) = act(bias + the convolution of x (n x c x h x w)
 * with w (oc x c x kh x kw)); nt threads, thread t's buffer at ws + t *
 * thread_floats. */
void nl_cpu_lanes_forward(const nl_direct_geom *g, int n, const float *x, const float *w,
                          const float *bias, float *y, int act, float *shared, float *ws,
                          size_t thread_floats, int nt);

/* From dy, the gradient of act's output y (times act's derivative, read
 * from y, before use): dw, db and dx, the weight, bias and data gradients
 * (each when not NULL; dx added to when dx_accumulate).  The same bits for
 * the same thread count and instruction set. */
void nl_cpu_lanes_backward(const nl_direct_geom *g, int n, const float *x, const float *y,
                           int act, const float *dy, const float *w, float *dw, float *db,
                           float *dx, int dx_accumulate, float *shared, float *ws,
                           size_t thread_floats, int nt);

#endif
