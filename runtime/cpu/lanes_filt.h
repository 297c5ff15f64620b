/* lanes_filt.h - the weight-gradient kernel of lanes.c for one block
 * shape, included by lanes_isa.h with FT_NAME, FT_NO (output channels a
 * block) and FT_NJ (taps of a kernel row a block); it undefines them.
 *
 * acc[o][c][i][j][lane] += dy[o][oy][ox] * xp[c][oy + i][ox + j] over the
 * output pixels, one image a lane: the lanes are summed at the end of the
 * call (lanes.c).  A block's FT_NO x FT_NJ sums stay in registers across
 * the pixels; each pixel loads FT_NO vectors of dy and FT_NJ of the
 * image.  Taps past kw multiply image columns that dy's zero-filled
 * channels and columns cancel or that are never read back. */
TARGET static void FT_NAME(const lanes_plan *p, const float *xi, const float *dyh,
                           float *acc)
{
	const nl_direct_geom *g = &p->g;
	const size_t jpad = (size_t)p->jpad, plane = (size_t)g->oh * p->wd * VL;
	for (int o0 = 0; o0 < p->ocw; o0 += FT_NO) {
		for (int c = 0; c < g->c; c++) {
			for (int i = 0; i < g->kh; i++) {
				for (size_t j0 = 0; j0 < jpad; j0 += FT_NJ) {
					size_t blk = (((size_t)(o0 / FT_NO) * (size_t)g->c + (size_t)c) *
					              (size_t)g->kh + (size_t)i) * jpad + j0;
					float *at = acc + blk * FT_NO * VL;
					VEC a[FT_NO][FT_NJ];
					_Pragma("GCC unroll 8")
					for (int k = 0; k < FT_NJ; k++)
						_Pragma("GCC unroll 8")
						for (int e = 0; e < FT_NO; e++)
							a[e][k] = VLOAD(at + ((size_t)k * FT_NO + (size_t)e) * VL);
					for (int oy = 0; oy < g->oh; oy++) {
						const float *xr = xi + (((size_t)c * p->hx + (size_t)(oy + i)) *
						                        p->wx + j0) * VL;
						const float *dr = dyh + (((size_t)o0 * (size_t)g->oh + (size_t)oy) *
						                         p->wd + (size_t)g->kw - 1) * VL;
						for (int ox = 0; ox < g->ow; ox++) {
							VEC dv[FT_NO];
							_Pragma("GCC unroll 8")
							for (int e = 0; e < FT_NO; e++)
								dv[e] = VLOAD(dr + (size_t)e * plane + (size_t)ox * VL);
							_Pragma("GCC unroll 8")
							for (int k = 0; k < FT_NJ; k++) {
								VEC xv = VLOAD(xr + (size_t)(ox + k) * VL);
								_Pragma("GCC unroll 8")
								for (int e = 0; e < FT_NO; e++)
									a[e][k] = VFMA(dv[e], xv, a[e][k]);
							}
						}
					}
					_Pragma("GCC unroll 8")
					for (int k = 0; k < FT_NJ; k++)
						_Pragma("GCC unroll 8")
						for (int e = 0; e < FT_NO; e++)
							VSTORE(at + ((size_t)k * FT_NO + (size_t)e) * VL, a[e][k]);
				}
			}
		}
	}
}

#undef FT_NAME
#undef FT_NO
#undef FT_NJ
