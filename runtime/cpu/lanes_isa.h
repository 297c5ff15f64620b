/* lanes_isa.h - lanes.c's kernels for one instruction set, included once
 * per set with ISA(name) (the set's name for a function), TARGET, VEC, VL
 * (floats a vector: the images of a group), VLOAD, VSTORE, VZERO, VSET1,
 * VFMA (a * b + c, fused), VADD, VMUL, VSUB, VRELU (max(0, v) keeping a
 * NaN), VPOS(d, y) (d where y > 0, else 0) and the functions ISA(mload) (the first cnt
 * floats, zeros after), ISA(mstore) (the first cnt lanes) and
 * ISA(transpose) (VL vectors) defined; it undefines the macros.
 *
 * Images move between their NCHW rows and the lanes a row segment of VL
 * pixels at a time: VL vectors, one an image, transposed in registers. */

/* Pixels off .. off + cnt - 1 (cnt <= VL) of images 0 .. nimg - 1 (zeros
 * for the lanes past nimg), each isize floats after the last, into
 * dst[k][lane]; with y, times act's derivative (y > 0 for a ReLU, y (1 - y)
 * for a sigmoid, in the order of their own backward steps). */
TARGET static ALWAYS_INLINE void ISA(gather_row)(const float *base, const float *y, int act,
                                          size_t isize, int nimg, size_t off, int cnt,
                                          float *dst)
{
	VEC r[VL];
	for (int l = 0; l < VL; l++) {
		if (l >= nimg) {
			r[l] = VZERO();
			continue;
		}
		/* sixteen streams (32 with y) are more than the hardware
		 * prefetchers follow: ask for the lines four ahead */
		_mm_prefetch((const char *)(base + (size_t)l * isize + off + 4 * 16), _MM_HINT_T0);
		r[l] = ISA(mload)(base + (size_t)l * isize + off, cnt);
		if (y) {
			_mm_prefetch((const char *)(y + (size_t)l * isize + off + 4 * 16), _MM_HINT_T0);
			VEC yv = ISA(mload)(y + (size_t)l * isize + off, cnt);
			if (act == NL_LANES_RELU)
				r[l] = VPOS(r[l], yv);
			else
				r[l] = VMUL(VMUL(r[l], yv), VSUB(VSET1(1.0f), yv));
		}
	}
	ISA(transpose)(r);
	for (int k = 0; k < cnt; k++)
		VSTORE(dst + (size_t)k * VL, r[k]);
}

/* The reverse: src[k][lane] for k < cnt to pixels off .. off + cnt - 1 of
 * images 0 .. nimg - 1, written, through a ReLU, or added. */
TARGET static ALWAYS_INLINE void ISA(scatter_row)(const float *src, int nimg, int cnt, float *base,
                                    size_t isize, size_t off, int how)
{
	VEC r[VL];
	for (int k = 0; k < VL; k++)
		r[k] = k < cnt ? VLOAD(src + (size_t)k * VL) : VZERO();
	ISA(transpose)(r);
	for (int l = 0; l < nimg; l++) {
		float *d = base + (size_t)l * isize + off;
		__builtin_prefetch(d + 4 * 16, 1, 3);
		VEC v = r[l];
		if (how == PUT_RELU)
			v = VRELU(v);
		else if (how == PUT_ADD)
			v = VADD(ISA(mload)(d, cnt), v);
		ISA(mstore)(d, v, cnt);
	}
}

/* A group's images into the padded image buffer's interior. */
TARGET static void ISA(gather_x)(const lanes_plan *p, const float *x, int nimg, float *xi)
{
	const nl_direct_geom *g = &p->g;
	const size_t isize = (size_t)g->c * (size_t)g->h * (size_t)g->w;
	for (int c = 0; c < g->c; c++)
		for (int r = 0; r < g->h; r++)
			for (int x0 = 0; x0 < g->w; x0 += VL) {
				int cnt = g->w - x0 < VL ? g->w - x0 : VL;
				size_t off = ((size_t)c * (size_t)g->h + (size_t)r) * (size_t)g->w + (size_t)x0;
				float *d = xi + (((size_t)c * p->hx + (size_t)(r + g->ph)) * p->wx +
				                 (size_t)(x0 + g->pw)) * VL;
				ISA(gather_row)(x, NULL, 0, isize, nimg, off, cnt, d);
			}
}

/* A group's dy (times act's derivative when y is not NULL) into dyh, each
 * row after kw - 1 zeros. */
TARGET static void ISA(gather_dy)(const lanes_plan *p, const float *dy, const float *y,
                                  int act, int nimg, float *dyh)
{
	const nl_direct_geom *g = &p->g;
	const size_t isize = (size_t)g->oc * (size_t)g->oh * (size_t)g->ow;
	for (int o = 0; o < g->oc; o++)
		for (int r = 0; r < g->oh; r++)
			for (int x0 = 0; x0 < g->ow; x0 += VL) {
				int cnt = g->ow - x0 < VL ? g->ow - x0 : VL;
				size_t off = ((size_t)o * (size_t)g->oh + (size_t)r) * (size_t)g->ow + (size_t)x0;
				float *d = dyh + (((size_t)o * (size_t)g->oh + (size_t)r) * p->wd +
				                  (size_t)(x0 + g->kw - 1)) * VL;
				ISA(gather_row)(dy, y, act, isize, nimg, off, cnt, d);
			}
}

/* The group's bias gradient: each channel's sum over the pixels of dyh in
 * a vector of floats, added to the call's sums in double. */
TARGET static void ISA(bias_sums)(const lanes_plan *p, const float *dyh, double *bacc)
{
	const nl_direct_geom *g = &p->g;
	for (int o = 0; o < g->oc; o++) {
		VEC s = VZERO();
		for (int r = 0; r < g->oh; r++) {
			const float *d = dyh + (((size_t)o * (size_t)g->oh + (size_t)r) * p->wd +
			                        (size_t)(g->kw - 1)) * VL;
			for (int x = 0; x < g->ow; x++)
				s = VADD(s, VLOAD(d + (size_t)x * VL));
		}
		float part[VL];
		VSTORE(part, s);
		for (int l = 0; l < VL; l++)
			bacc[(size_t)o * VL + (size_t)l] += part[l];
	}
}

/* The group's outputs to y (through a ReLU when relu). */
TARGET static void ISA(scatter_y)(const lanes_plan *p, const float *yi, int nimg, float *y,
                                  int relu)
{
	const nl_direct_geom *g = &p->g;
	const size_t isize = (size_t)g->oc * (size_t)g->oh * (size_t)g->ow;
	for (int o = 0; o < g->oc; o++)
		for (int r = 0; r < g->oh; r++)
			for (int x0 = 0; x0 < g->ow; x0 += VL) {
				int cnt = g->ow - x0 < VL ? g->ow - x0 : VL;
				size_t off = ((size_t)o * (size_t)g->oh + (size_t)r) * (size_t)g->ow + (size_t)x0;
				const float *s = yi + (((size_t)o * (size_t)g->oh + (size_t)r) *
				                       (size_t)p->owa + (size_t)x0) * VL;
				ISA(scatter_row)(s, nimg, cnt, y, isize, off, relu ? PUT_RELU : PUT_WRITE);
			}
}

/* The group's data gradient to dx, written or added. */
TARGET static void ISA(scatter_dx)(const lanes_plan *p, const float *dxi, int nimg, float *dx,
                                   int add)
{
	const nl_direct_geom *g = &p->g;
	const size_t isize = (size_t)g->c * (size_t)g->h * (size_t)g->w;
	for (int c = 0; c < g->c; c++)
		for (int r = 0; r < g->h; r++)
			for (int x0 = 0; x0 < g->w; x0 += VL) {
				int cnt = g->w - x0 < VL ? g->w - x0 : VL;
				size_t off = ((size_t)c * (size_t)g->h + (size_t)r) * (size_t)g->w + (size_t)x0;
				const float *s = dxi + (((size_t)c * (size_t)g->h + (size_t)r) *
				                        (size_t)p->wa + (size_t)x0) * VL;
				ISA(scatter_row)(s, nimg, cnt, dx, isize, off, add ? PUT_ADD : PUT_WRITE);
			}
}

/* The kernels, a few block shapes each (lanes.c picks the one that pads
 * the layer least): as many accumulators as the registers hold, 32
 * vector registers with AVX-512, 16 with AVX2. */
#if VL == 16
#define FW_NAME ISA(fwd_8_3)
#define FW_NO 8
#define FW_NX 3
#include "runtime/cpu/lanes_fwd.h"
#define FW_NAME ISA(fwd_6_4)
#define FW_NO 6
#define FW_NX 4
#include "runtime/cpu/lanes_fwd.h"
#define FW_NAME ISA(fwd_8_2)
#define FW_NO 8
#define FW_NX 2
#include "runtime/cpu/lanes_fwd.h"
#define FW_NAME ISA(fwd_4_5)
#define FW_NO 4
#define FW_NX 5
#include "runtime/cpu/lanes_fwd.h"
static const lanes_fwd_shape ISA(fwd_menu)[] = {
	{ 8, 3, ISA(fwd_8_3) }, { 6, 4, ISA(fwd_6_4) }, { 8, 2, ISA(fwd_8_2) },
	{ 4, 5, ISA(fwd_4_5) },
};

#define FT_NAME ISA(filt_4_5)
#define FT_NO 4
#define FT_NJ 5
#include "runtime/cpu/lanes_filt.h"
#define FT_NAME ISA(filt_3_5)
#define FT_NO 3
#define FT_NJ 5
#include "runtime/cpu/lanes_filt.h"
#define FT_NAME ISA(filt_6_3)
#define FT_NO 6
#define FT_NJ 3
#include "runtime/cpu/lanes_filt.h"
#define FT_NAME ISA(filt_4_3)
#define FT_NO 4
#define FT_NJ 3
#include "runtime/cpu/lanes_filt.h"
static const lanes_filt_shape ISA(filt_menu)[] = {
	{ 4, 5, ISA(filt_4_5) }, { 3, 5, ISA(filt_3_5) }, { 6, 3, ISA(filt_6_3) },
	{ 4, 3, ISA(filt_4_3) },
};

#define DT_NAME ISA(data_6_3)
#define DT_NC 6
#define DT_NX 3
#include "runtime/cpu/lanes_data.h"
#define DT_NAME ISA(data_6_2)
#define DT_NC 6
#define DT_NX 2
#include "runtime/cpu/lanes_data.h"
#define DT_NAME ISA(data_4_4)
#define DT_NC 4
#define DT_NX 4
#include "runtime/cpu/lanes_data.h"
#define DT_NAME ISA(data_8_2)
#define DT_NC 8
#define DT_NX 2
#include "runtime/cpu/lanes_data.h"
static const lanes_data_shape ISA(data_menu)[] = {
	{ 6, 3, ISA(data_6_3) }, { 6, 2, ISA(data_6_2) }, { 4, 4, ISA(data_4_4) },
	{ 8, 2, ISA(data_8_2) },
};
#else
#define FW_NAME ISA(fwd_3_3)
#define FW_NO 3
#define FW_NX 3
#include "runtime/cpu/lanes_fwd.h"
#define FW_NAME ISA(fwd_2_5)
#define FW_NO 2
#define FW_NX 5
#include "runtime/cpu/lanes_fwd.h"
#define FW_NAME ISA(fwd_4_2)
#define FW_NO 4
#define FW_NX 2
#include "runtime/cpu/lanes_fwd.h"
static const lanes_fwd_shape ISA(fwd_menu)[] = {
	{ 3, 3, ISA(fwd_3_3) }, { 2, 5, ISA(fwd_2_5) }, { 4, 2, ISA(fwd_4_2) },
};

#define FT_NAME ISA(filt_2_5)
#define FT_NO 2
#define FT_NJ 5
#include "runtime/cpu/lanes_filt.h"
#define FT_NAME ISA(filt_3_3)
#define FT_NO 3
#define FT_NJ 3
#include "runtime/cpu/lanes_filt.h"
static const lanes_filt_shape ISA(filt_menu)[] = {
	{ 2, 5, ISA(filt_2_5) }, { 3, 3, ISA(filt_3_3) },
};

#define DT_NAME ISA(data_3_3)
#define DT_NC 3
#define DT_NX 3
#include "runtime/cpu/lanes_data.h"
#define DT_NAME ISA(data_2_5)
#define DT_NC 2
#define DT_NX 5
#include "runtime/cpu/lanes_data.h"
#define DT_NAME ISA(data_4_2)
#define DT_NC 4
#define DT_NX 2
#include "runtime/cpu/lanes_data.h"
static const lanes_data_shape ISA(data_menu)[] = {
	{ 3, 3, ISA(data_3_3) }, { 2, 5, ISA(data_2_5) }, { 4, 2, ISA(data_4_2) },
};
#endif

static const lanes_ops ISA(ops) = {
	VL,
	ISA(gather_x), ISA(gather_dy), ISA(scatter_y), ISA(scatter_dx), ISA(bias_sums),
	ISA(fwd_menu), sizeof ISA(fwd_menu) / sizeof *ISA(fwd_menu),
	ISA(filt_menu), sizeof ISA(filt_menu) / sizeof *ISA(filt_menu),
	ISA(data_menu), sizeof ISA(data_menu) / sizeof *ISA(data_menu),
};

#undef ISA
#undef TARGET
#undef VEC
#undef VL
#undef VLOAD
#undef VSTORE
#undef VZERO
#undef VSET1
#undef VFMA
#undef VADD
#undef VMUL
#undef VSUB
#undef VRELU
#undef VPOS
