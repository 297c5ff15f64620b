/* lanes.c - thin stride-1 convolutions, a vector of images at a time.
 *
 * direct.c computes one image at a time along its rows, so a row of 10
 * outputs (LeNet's second layer) fills 10 of a vector's 16 lanes and its
 * data gradient, done that way, would multiply dy's whole zero border.
 * Here each lane is an image: a group of VL images (16 with AVX-512, 8
 * with AVX2) is transposed, a row segment at a time in registers, into
 * buffers whose every element is a vector of the group's pixels,
 *
 *   xi[c][r][s][lane]   the images, zero-padded    (c x hx x wx)
 *   yi[o][oy][ox][lane] the outputs                (ocf x oh x owa)
 *   dyh[o][oy][X][lane] dy, kw - 1 zeros each side (ocw x oh x wd)
 *   dxi[c][y][x][lane]  the data gradient          (cd x h x wa)
 *   acc[...][lane]      the weight gradient's sums, kept over the call
 *
 * and the kernels (lanes_fwd.h, lanes_filt.h, lanes_data.h) are the
 * textbook loops with every operand a vector: no lane is idle whatever
 * the row width, the data gradient multiplies only rows of dy in range,
 * and there is no unfolding.  Each kernel keeps a block of accumulators in
 * registers; the block shapes (channels x columns, or x taps) are chosen
 * per layer from a few compiled ones, the one that pads the layer least,
 * and the buffers' channels and widths are rounded up to them (zeros, or
 * values never stored back).
 *
 * A ReLU or sigmoid folded into the convolution is applied as the outputs
 * go back to the images, and its derivative (read from y) to dy as it
 * comes in; the bias gradient is summed from the gathered dy, so no pass
 * of the step reads dy twice.
 *
 * A partial last group fills its missing lanes with zeros.  Every
 * buffer's border is zeroed once a call and never written.  The forward
 * sums are direct.c's, term for term, so the two agree bit for bit; the
 * weight gradient sums each thread's images in lanes, the lanes in order
 * and then the threads in order, so one thread count and instruction set
 * always give the same bits.
 */
#include <config.h>

#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LANES_X86 1
#endif

#include "runtime/cpu/cpu.h"
#include "runtime/cpu/lanes.h"

typedef struct lanes_plan {
	nl_direct_geom g;
	int fno, fnx;            /* forward block: output channels x columns */
	int wno, wnj;            /* weight gradient: output channels x taps */
	int dnc, dnx;            /* data gradient: input channels x columns */
	int ocf, owa;            /* forward: channels, columns rounded up */
	int ocw, jpad;           /* weight gradient: channels, taps rounded up */
	int cd, wa;              /* data gradient: channels, columns rounded up */
	size_t hx, wx, wd;       /* xi's rows and row length, dyh's row length */
	/* floats from the start of a thread's buffer, and of the shared one */
	size_t xi, yi, dyh, dxi, acc, bacc, floats;
	size_t wf, bf, wdp, shared;
} lanes_plan;

typedef void (*lanes_fwd_fn)(const lanes_plan *, const float *, const float *,
                             const float *, float *);
typedef void (*lanes_filt_fn)(const lanes_plan *, const float *, const float *, float *);
typedef void (*lanes_data_fn)(const lanes_plan *, const float *, const float *, float *);
typedef struct { int no, nx; lanes_fwd_fn fn; } lanes_fwd_shape;
typedef struct { int no, nj; lanes_filt_fn fn; } lanes_filt_shape;
typedef struct { int nc, nx; lanes_data_fn fn; } lanes_data_shape;

typedef struct lanes_ops {
	int vl;
	void (*gather_x)(const lanes_plan *, const float *, int, float *);
	void (*gather_dy)(const lanes_plan *, const float *, const float *, int, int, float *);
	void (*scatter_y)(const lanes_plan *, const float *, int, float *, int);
	void (*scatter_dx)(const lanes_plan *, const float *, int, float *, int);
	void (*bias_sums)(const lanes_plan *, const float *, double *);
	const lanes_fwd_shape *fwd;
	size_t nfwd;
	const lanes_filt_shape *filt;
	size_t nfilt;
	const lanes_data_shape *data;
	size_t ndata;
} lanes_ops;

/* The row moves and transposes are small and called per row: inlined,
 * their vectors stay in registers (called, they went through memory and
 * took a fifth of LeNet's step). */
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* How a row goes back to the images. */
enum { PUT_WRITE, PUT_RELU, PUT_ADD };

#ifdef LANES_X86
/* ---- AVX-512: 16 images a vector ---- */
#define ISA(name) name##_avx512
#define TARGET __attribute__((target("avx512f")))
#define VEC __m512
#define VL 16
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VZERO() _mm512_setzero_ps()
#define VSET1(a) _mm512_set1_ps(a)
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VSUB(a, b) _mm512_sub_ps((a), (b))
/* MAXPS returns its second operand when either is a NaN */
#define VRELU(v) _mm512_max_ps(_mm512_setzero_ps(), (v))
#define VPOS(d, y) _mm512_maskz_mov_ps(_mm512_cmp_ps_mask((y), _mm512_setzero_ps(), _CMP_GT_OQ), (d))

/* Whole vectors where the row has them: a masked access costs more. */
TARGET static ALWAYS_INLINE __m512 mload_avx512(const float *p, int cnt)
{
	if (cnt == 16)
		return _mm512_loadu_ps(p);
	return _mm512_maskz_loadu_ps((__mmask16)((1u << cnt) - 1u), p);
}

TARGET static ALWAYS_INLINE void mstore_avx512(float *p, __m512 v, int cnt)
{
	if (cnt == 16)
		_mm512_storeu_ps(p, v);
	else
		_mm512_mask_storeu_ps(p, (__mmask16)((1u << cnt) - 1u), v);
}

/* r[k][l] = r[l][k]: pairs of rows interleaved by floats, then by pairs of
 * floats (each 128-bit lane q then holds four rows' column 4q + m in
 * b[4i + m]), then the 128-bit lanes gathered across the four groups. */
TARGET static ALWAYS_INLINE void transpose_avx512(__m512 r[16])
{
	__m512 a[16], b[16];
	for (int i = 0; i < 8; i++) {
		a[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
		a[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
	}
	for (int i = 0; i < 4; i++) {
		__m512d a0 = _mm512_castps_pd(a[4 * i]), a1 = _mm512_castps_pd(a[4 * i + 1]);
		__m512d a2 = _mm512_castps_pd(a[4 * i + 2]), a3 = _mm512_castps_pd(a[4 * i + 3]);
		b[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a0, a2));
		b[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a0, a2));
		b[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(a1, a3));
		b[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(a1, a3));
	}
	for (int m = 0; m < 4; m++) {
		__m512 c0 = _mm512_shuffle_f32x4(b[m], b[4 + m], 0x88);
		__m512 c1 = _mm512_shuffle_f32x4(b[m], b[4 + m], 0xDD);
		__m512 d0 = _mm512_shuffle_f32x4(b[8 + m], b[12 + m], 0x88);
		__m512 d1 = _mm512_shuffle_f32x4(b[8 + m], b[12 + m], 0xDD);
		r[m] = _mm512_shuffle_f32x4(c0, d0, 0x88);
		r[4 + m] = _mm512_shuffle_f32x4(c1, d1, 0x88);
		r[8 + m] = _mm512_shuffle_f32x4(c0, d0, 0xDD);
		r[12 + m] = _mm512_shuffle_f32x4(c1, d1, 0xDD);
	}
}
#include "runtime/cpu/lanes_isa.h"

/* ---- AVX2: 8 images a vector ---- */
#define ISA(name) name##_avx2
#define TARGET __attribute__((target("avx2,fma")))
#define VEC __m256
#define VL 8
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VZERO() _mm256_setzero_ps()
#define VSET1(a) _mm256_set1_ps(a)
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VSUB(a, b) _mm256_sub_ps((a), (b))
#define VRELU(v) _mm256_max_ps(_mm256_setzero_ps(), (v))
#define VPOS(d, y) _mm256_and_ps((d), _mm256_cmp_ps((y), _mm256_setzero_ps(), _CMP_GT_OQ))

TARGET static ALWAYS_INLINE __m256i mask_avx2(int cnt)
{
	return _mm256_cmpgt_epi32(_mm256_set1_epi32(cnt), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

TARGET static ALWAYS_INLINE __m256 mload_avx2(const float *p, int cnt)
{
	if (cnt == 8)
		return _mm256_loadu_ps(p);
	return _mm256_maskload_ps(p, mask_avx2(cnt));
}

/* AMD's VMASKMOVPS store is microcoded, a sixth of LeNet's step with
 * AVX2: a whole vector, or halves, pairs and one float. */
TARGET static ALWAYS_INLINE void mstore_avx2(float *p, __m256 v, int cnt)
{
	if (cnt == 8) {
		_mm256_storeu_ps(p, v);
		return;
	}
	__m128 h = _mm256_castps256_ps128(v);
	if (cnt >= 4) {
		_mm_storeu_ps(p, h);
		h = _mm256_extractf128_ps(v, 1);
		p += 4;
		cnt -= 4;
	}
	if (cnt >= 2) {
		_mm_storel_pi((__m64 *)(void *)p, h);
		h = _mm_movehl_ps(h, h);
		p += 2;
		cnt -= 2;
	}
	if (cnt)
		_mm_store_ss(p, h);
}

TARGET static ALWAYS_INLINE void transpose_avx2(__m256 r[8])
{
	__m256 a[8], b[8];
	for (int i = 0; i < 4; i++) {
		a[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
		a[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
	}
	for (int i = 0; i < 2; i++) {
		__m256d a0 = _mm256_castps_pd(a[4 * i]), a1 = _mm256_castps_pd(a[4 * i + 1]);
		__m256d a2 = _mm256_castps_pd(a[4 * i + 2]), a3 = _mm256_castps_pd(a[4 * i + 3]);
		b[4 * i] = _mm256_castpd_ps(_mm256_unpacklo_pd(a0, a2));
		b[4 * i + 1] = _mm256_castpd_ps(_mm256_unpackhi_pd(a0, a2));
		b[4 * i + 2] = _mm256_castpd_ps(_mm256_unpacklo_pd(a1, a3));
		b[4 * i + 3] = _mm256_castpd_ps(_mm256_unpackhi_pd(a1, a3));
	}
	for (int m = 0; m < 4; m++) {
		r[m] = _mm256_permute2f128_ps(b[m], b[4 + m], 0x20);
		r[4 + m] = _mm256_permute2f128_ps(b[m], b[4 + m], 0x31);
	}
}
#include "runtime/cpu/lanes_isa.h"
#endif

static const lanes_ops *ops_for(int isa)
{
#ifdef LANES_X86
	if (isa == NL_ISA_AVX512)
		return &ops_avx512;
	if (isa == NL_ISA_AVX2)
		return &ops_avx2;
#else
	(void)isa;
#endif
	return NULL;
}

int nl_cpu_lanes(void)
{
	const lanes_ops *o = ops_for(nl_cpu_isa());
	return o ? o->vl : 0;
}

static int round_up(int a, int b)
{
	return (a + b - 1) / b * b;
}

static size_t round16(size_t n)
{
	return (n + 15) / 16 * 16;
}

/* The block shapes and buffer layout of g on ops' instruction set: each
 * kernel's shape the one whose rounding up adds least work (the first,
 * the widest, on a tie). */
static void plan_of(const nl_direct_geom *g, const lanes_ops *ops, lanes_plan *p,
                    size_t *fi, size_t *wi, size_t *di)
{
	memset(p, 0, sizeof *p);
	p->g = *g;
	long best = -1;
	for (size_t i = 0; i < ops->nfwd; i++) {
		long work = (long)round_up(g->oc, ops->fwd[i].no) * round_up(g->ow, ops->fwd[i].nx);
		if (best < 0 || work < best)
			best = work, *fi = i;
	}
	best = -1;
	for (size_t i = 0; i < ops->nfilt; i++) {
		long work = (long)round_up(g->oc, ops->filt[i].no) * round_up(g->kw, ops->filt[i].nj);
		if (best < 0 || work < best)
			best = work, *wi = i;
	}
	best = -1;
	for (size_t i = 0; i < ops->ndata; i++) {
		long work = (long)round_up(g->c, ops->data[i].nc) * round_up(g->w, ops->data[i].nx);
		if (best < 0 || work < best)
			best = work, *di = i;
	}
	p->fno = ops->fwd[*fi].no, p->fnx = ops->fwd[*fi].nx;
	p->wno = ops->filt[*wi].no, p->wnj = ops->filt[*wi].nj;
	p->dnc = ops->data[*di].nc, p->dnx = ops->data[*di].nx;
	p->ocf = round_up(g->oc, p->fno), p->owa = round_up(g->ow, p->fnx);
	p->ocw = round_up(g->oc, p->wno), p->jpad = round_up(g->kw, p->wnj);
	p->cd = round_up(g->c, p->dnc), p->wa = round_up(g->w, p->dnx);
	/* xi's rows: forward reads owa + kw - 1 columns, the weight gradient
	 * ow + jpad - 1 */
	size_t wx = (size_t)g->w + 2 * (size_t)g->pw;
	if ((size_t)(p->owa + g->kw - 1) > wx)
		wx = (size_t)(p->owa + g->kw - 1);
	if ((size_t)(g->ow + p->jpad - 1) > wx)
		wx = (size_t)(g->ow + p->jpad - 1);
	p->hx = (size_t)g->h + 2 * (size_t)g->ph;
	p->wx = wx;
	/* dyh's rows: kw - 1 zeros, ow values, zeros to the data pass's
	 * last column wa - 1 + pw (+ kw - 1) */
	size_t wd = (size_t)g->ow + 2 * (size_t)(g->kw - 1);
	if ((size_t)(p->wa + g->pw + g->kw - 1) > wd)
		wd = (size_t)(p->wa + g->pw + g->kw - 1);
	p->wd = wd;
	const size_t vl = (size_t)ops->vl;
	p->xi = 0;
	p->yi = p->xi + round16((size_t)g->c * p->hx * p->wx * vl);
	p->dyh = p->yi + round16((size_t)p->ocf * (size_t)g->oh * (size_t)p->owa * vl);
	p->dxi = p->dyh + round16((size_t)p->ocw * (size_t)g->oh * p->wd * vl);
	p->acc = p->dxi + round16((size_t)p->cd * (size_t)g->h * (size_t)p->wa * vl);
	p->bacc = p->acc + round16((size_t)p->ocw * (size_t)g->c * (size_t)g->kh *
	                           (size_t)p->jpad * vl);
	p->floats = p->bacc + round16(2 * (size_t)g->oc * vl);   /* doubles */
	const size_t kk = (size_t)g->kh * (size_t)g->kw;
	p->wf = 0;
	p->bf = round16((size_t)p->ocf * (size_t)g->c * kk);
	p->wdp = p->bf + round16((size_t)p->ocf);
	p->shared = p->wdp + round16((size_t)g->oc * kk * (size_t)p->cd);
}

/* The largest over the instruction sets this build has kernels for. */
static void sizes(const nl_direct_geom *g, size_t *shared, size_t *thread)
{
	*shared = 0, *thread = 0;
	for (int isa = NL_ISA_GENERIC; isa <= NL_ISA_AVX512; isa++) {
		const lanes_ops *ops = ops_for(isa);
		if (!ops)
			continue;
		lanes_plan p;
		size_t fi, wi, di;
		plan_of(g, ops, &p, &fi, &wi, &di);
		if (p.shared > *shared)
			*shared = p.shared;
		if (p.floats > *thread)
			*thread = p.floats;
	}
}

size_t nl_cpu_lanes_shared_floats(const nl_direct_geom *g)
{
	size_t s, t;
	sizes(g, &s, &t);
	return s;
}

size_t nl_cpu_lanes_thread_floats(const nl_direct_geom *g)
{
	size_t s, t;
	sizes(g, &s, &t);
	return t;
}

static int thread_num(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

static int num_threads(void)
{
#ifdef _OPENMP
	return omp_get_num_threads();
#else
	return 1;
#endif
}

void nl_cpu_lanes_forward(const nl_direct_geom *g, int n, const float *x, const float *w,
                          const float *bias, float *y, int act, float *shared, float *ws,
                          size_t thread_floats, int nt)
{
	const lanes_ops *ops = ops_for(nl_cpu_isa());
	lanes_plan p;
	size_t fi, wi, di;
	plan_of(g, ops, &p, &fi, &wi, &di);
	const lanes_fwd_fn fwd = ops->fwd[fi].fn;
	const size_t kk = (size_t)g->kh * (size_t)g->kw, no = (size_t)p.fno;
	/* wf[o / no][c][i][j][o % no], bf[o]: zeros past oc */
	float *wf = shared + p.wf, *bf = shared + p.bf;
	for (size_t o = 0; o < (size_t)p.ocf; o++) {
		int real = o < (size_t)g->oc;
		bf[o] = real && bias ? bias[o] : 0.0f;
		for (size_t c = 0; c < (size_t)g->c; c++)
			for (size_t t = 0; t < kk; t++)
				wf[(((o / no) * (size_t)g->c + c) * kk + t) * no + o % no] =
					real ? w[(o * (size_t)g->c + c) * kk + t] : 0.0f;
	}
	const int vl = ops->vl, groups = (n + vl - 1) / vl;
	const size_t xsize = (size_t)g->c * (size_t)g->h * (size_t)g->w;
	const size_t ysize = (size_t)g->oc * (size_t)g->oh * (size_t)g->ow;
	if (nt > groups)
		nt = groups;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
	{
		int t = thread_num(), tn = num_threads();
		float *buf = ws + (size_t)t * thread_floats;
		int lo = (int)((long)groups * t / tn), hi = (int)((long)groups * (t + 1) / tn);
		if (lo < hi)
			memset(buf, 0, p.dyh * sizeof *buf);
		for (int q = lo; q < hi; q++) {
			int n0 = q * vl, nimg = n - n0 < vl ? n - n0 : vl;
			ops->gather_x(&p, x + (size_t)n0 * xsize, nimg, buf + p.xi);
			fwd(&p, wf, bf, buf + p.xi, buf + p.yi);
			if (act == NL_LANES_SIGMOID)
				nl_cpu_sigmoid_span(buf + p.yi, buf + p.yi,
				                    (size_t)g->oc * (size_t)g->oh * (size_t)p.owa *
				                    (size_t)vl);
			ops->scatter_y(&p, buf + p.yi, nimg, y + (size_t)n0 * ysize,
			               act == NL_LANES_RELU);
		}
	}
}

void nl_cpu_lanes_backward(const nl_direct_geom *g, int n, const float *x, const float *y,
                           int act, const float *dy, const float *w, float *dw, float *db,
                           float *dx, int dx_accumulate, float *shared, float *ws,
                           size_t thread_floats, int nt)
{
	const lanes_ops *ops = ops_for(nl_cpu_isa());
	lanes_plan p;
	size_t fi, wi, di;
	plan_of(g, ops, &p, &fi, &wi, &di);
	const lanes_filt_fn filt = ops->filt[wi].fn;
	const lanes_data_fn data = ops->data[di].fn;
	const size_t kk = (size_t)g->kh * (size_t)g->kw, cd = (size_t)p.cd;
	/* wdp[o][i][j][c]: zeros past c */
	float *wdp = shared + p.wdp;
	if (dx)
		for (size_t o = 0; o < (size_t)g->oc; o++)
			for (size_t t = 0; t < kk; t++)
				for (size_t c = 0; c < cd; c++)
					wdp[(o * kk + t) * cd + c] =
						c < (size_t)g->c ? w[(o * (size_t)g->c + c) * kk + t] : 0.0f;
	const int vl = ops->vl, groups = (n + vl - 1) / vl;
	const size_t xsize = (size_t)g->c * (size_t)g->h * (size_t)g->w;
	const size_t ysize = (size_t)g->oc * (size_t)g->oh * (size_t)g->ow;
	if (nt > groups)
		nt = groups;
	if (nt < 1)
		nt = 1;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
	{
		int t = thread_num(), tn = num_threads();
		float *buf = ws + (size_t)t * thread_floats;
		int lo = (int)((long)groups * t / tn), hi = (int)((long)groups * (t + 1) / tn);
		/* the zero borders of xi and dyh, and the sums (yi is not
		 * used, dxi is written whole) */
		memset(buf + p.xi, 0, (p.yi - p.xi) * sizeof *buf);
		memset(buf + p.dyh, 0, (p.dxi - p.dyh) * sizeof *buf);
		memset(buf + p.acc, 0, (p.floats - p.acc) * sizeof *buf);
		for (int q = lo; q < hi; q++) {
			int n0 = q * vl, nimg = n - n0 < vl ? n - n0 : vl;
			const float *yg = act != NL_LANES_LINEAR ? y + (size_t)n0 * ysize : NULL;
			ops->gather_dy(&p, dy + (size_t)n0 * ysize, yg, act, nimg, buf + p.dyh);
			if (db)
				ops->bias_sums(&p, buf + p.dyh, (double *)(buf + p.bacc));
			if (dw) {
				ops->gather_x(&p, x + (size_t)n0 * xsize, nimg, buf + p.xi);
				filt(&p, buf + p.xi, buf + p.dyh, buf + p.acc);
			}
			if (dx) {
				data(&p, wdp, buf + p.dyh, buf + p.dxi);
				ops->scatter_dx(&p, buf + p.dxi, nimg, dx + (size_t)n0 * xsize,
				                dx_accumulate);
			}
		}
#ifdef _OPENMP
#pragma omp barrier
#endif
		if (db && t == 0) {
			/* db: each thread's lanes in order, then the threads */
			for (int o = 0; o < g->oc; o++) {
				double sum = 0.0;
				for (int u = 0; u < tn; u++) {
					const double *b = (const double *)(ws + (size_t)u * thread_floats +
					                                   p.bacc) + (size_t)o * (size_t)vl;
					for (int l = 0; l < vl; l++)
						sum += b[l];
				}
				db[o] = (float)sum;
			}
		}
		if (dw) {
			/* dw = each thread's lanes summed in order, then the
			 * threads in order; each thread a slice of the weights */
			const size_t nw = (size_t)g->oc * (size_t)g->c * kk;
			const size_t wlo = nw * (size_t)t / (size_t)tn, whi = nw * (size_t)(t + 1) / (size_t)tn;
			const size_t no = (size_t)p.wno, jpad = (size_t)p.jpad;
			for (size_t k = wlo; k < whi; k++) {
				size_t o = k / ((size_t)g->c * kk), c = k / kk % (size_t)g->c;
				size_t i = k % kk / (size_t)g->kw, j = k % (size_t)g->kw;
				size_t at = (((((o / no) * (size_t)g->c + c) * (size_t)g->kh + i) * jpad + j) *
				             no + o % no) * (size_t)vl;
				float sum = 0.0f;
				for (int u = 0; u < tn; u++) {
					const float *a = ws + (size_t)u * thread_floats + p.acc + at;
					float part = 0.0f;
					for (int l = 0; l < vl; l++)
						part += a[l];
					sum += part;
				}
				dw[k] = sum;
			}
		}
	}
}
