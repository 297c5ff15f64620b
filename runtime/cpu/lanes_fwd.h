/* lanes_fwd.h - the forward kernel of lanes.c for one block shape,
 * included by lanes_isa.h with FW_NAME, FW_NO (output channels a block)
 * and FW_NX (output columns a block); it undefines them.
 *
 * yi[o][oy][ox] = bias[o] + the (c, i, j) terms in that order, each a
 * fused multiply-add: the order and the rounding of direct.c's rows, so
 * both give the same bits.  The FW_NO x FW_NX accumulators stay in
 * registers; each vector of the image serves FW_NO of them. */
TARGET static void FW_NAME(const lanes_plan *p, const float *wf, const float *bf,
                           const float *xi, float *yi)
{
	const nl_direct_geom *g = &p->g;
	const size_t kk = (size_t)g->kh * (size_t)g->kw, owa = (size_t)p->owa;
	for (int o0 = 0; o0 < p->ocf; o0 += FW_NO) {
		const float *wb = wf + (size_t)o0 * (size_t)g->c * kk;
		for (int oy = 0; oy < g->oh; oy++) {
			for (size_t x0 = 0; x0 < owa; x0 += FW_NX) {
				VEC acc[FW_NO][FW_NX];
				_Pragma("GCC unroll 8")
				for (int e = 0; e < FW_NO; e++) {
					VEC b = VSET1(bf[o0 + e]);
					_Pragma("GCC unroll 8")
					for (int k = 0; k < FW_NX; k++)
						acc[e][k] = b;
				}
				for (int c = 0; c < g->c; c++) {
					for (int i = 0; i < g->kh; i++) {
						const float *xr = xi + (((size_t)c * p->hx + (size_t)(oy + i)) *
						                        p->wx + x0) * VL;
						const float *wr = wb + ((size_t)c * kk +
						                        (size_t)i * (size_t)g->kw) * FW_NO;
						for (int j = 0; j < g->kw; j++) {
							VEC wv[FW_NO];
							_Pragma("GCC unroll 8")
							for (int e = 0; e < FW_NO; e++)
								wv[e] = VSET1(wr[(size_t)j * FW_NO + (size_t)e]);
							_Pragma("GCC unroll 8")
							for (int k = 0; k < FW_NX; k++) {
								VEC xv = VLOAD(xr + (size_t)(j + k) * VL);
								_Pragma("GCC unroll 8")
								for (int e = 0; e < FW_NO; e++)
									acc[e][k] = VFMA(xv, wv[e], acc[e][k]);
							}
						}
					}
				}
				float *yr = yi + (((size_t)o0 * (size_t)g->oh + (size_t)oy) * owa + x0) * VL;
				_Pragma("GCC unroll 8")
				for (int e = 0; e < FW_NO; e++)
					_Pragma("GCC unroll 8")
					for (int k = 0; k < FW_NX; k++)
						VSTORE(yr + ((size_t)e * (size_t)g->oh * owa + (size_t)k) * VL,
						       acc[e][k]);
			}
		}
	}
}

#undef FW_NAME
#undef FW_NO
#undef FW_NX
