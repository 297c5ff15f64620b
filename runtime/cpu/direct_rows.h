/* direct_rows.h - direct.c's kernels, included once per instruction set
 * with ROWS_NAME and FILT_NAME (the functions' names), ROWS_TARGET, VEC
 * (the vector type), VL (its floats), NB (output channels a pass) and the
 * operations VZERO, VSET1, VLOAD, VSTORE, VMADD (acc + x * scalar w) and
 * VMADDV (acc + x * y, vectors) defined; it undefines them all.
 *
 * For each output row and block of NB output channels, each vector of
 * the row starts from the bias and adds the (c, i, j) terms in order; the
 * NB accumulators stay in registers across the taps. */
ROWS_TARGET static void ROWS_NAME(const nl_direct_geom *g, const float *xp, size_t hp,
                                  size_t wq, const float *wpk, const float *bias, float *y,
                                  int relu, float *row)
{
	const size_t kk = (size_t)g->kh * (size_t)g->kw, rf = row_floats(g);
	const size_t blocks = ((size_t)g->oc + OBMAX - 1) / OBMAX;
	for (size_t ob = 0; ob < blocks; ob++) {
		for (int e0 = 0; e0 < OBMAX && ob * OBMAX + (size_t)e0 < (size_t)g->oc; e0 += NB) {
			const size_t o0 = ob * OBMAX + (size_t)e0;
			for (int oy = 0; oy < g->oh; oy++) {
				for (size_t v = 0; v < rf; v += VL) {
					VEC acc[NB];
					_Pragma("GCC unroll 8")
					for (int e = 0; e < NB; e++) {
						size_t o = o0 + (size_t)e;
						acc[e] = VSET1(bias && o < (size_t)g->oc ? bias[o] : 0.0f);
					}
					for (int c = 0; c < g->c; c++) {
						const float *xc = xp + ((size_t)c * hp + (size_t)oy) * wq + v;
						const float *wc = wpk + (ob * (size_t)g->c + (size_t)c) * kk * OBMAX +
						                  (size_t)e0;
						for (int i = 0; i < g->kh; i++) {
							for (int j = 0; j < g->kw; j++) {
								VEC xv = VLOAD(xc + (size_t)i * wq + (size_t)j);
								const float *wt = wc + ((size_t)i * (size_t)g->kw +
								                        (size_t)j) * OBMAX;
								_Pragma("GCC unroll 8")
								for (int e = 0; e < NB; e++)
									acc[e] = VMADD(acc[e], xv, wt[e]);
							}
						}
					}
					_Pragma("GCC unroll 8")
					for (int e = 0; e < NB; e++)
						VSTORE(row + (size_t)e * rf + v, acc[e]);
				}
				put_rows(g, row, rf, o0, NB, oy, y, relu);
			}
		}
	}
}


/* The weight gradient's partial sums for one image, added to acc:
 * acc[ob][c][t][e][lane] += dy[o][oy][ox] * xp[c][oy + i][ox + j] for the
 * lanes' columns ox (lane, lane + VL, ...) of every row oy.  dyp holds dy
 * with rows rf floats long, zero past ow, so the columns past the row's
 * end add nothing. */
ROWS_TARGET static void FILT_NAME(const nl_direct_geom *g, const float *xp, size_t hp,
                                  size_t wq, const float *dyp, float *acc)
{
	const size_t kk = (size_t)g->kh * (size_t)g->kw, rf = row_floats(g);
	const size_t blocks = ((size_t)g->oc + OBMAX - 1) / OBMAX;
	const size_t plane = (size_t)g->oh * rf;
	for (size_t ob = 0; ob < blocks; ob++) {
		for (int e0 = 0; e0 < OBMAX && ob * OBMAX + (size_t)e0 < (size_t)g->oc; e0 += NB) {
			const size_t o0 = ob * OBMAX + (size_t)e0;
			/* rows of channels past oc read channel o0's: their sums
			 * are never used */
			const float *dr[NB];
			for (int e = 0; e < NB; e++)
				dr[e] = dyp + (o0 + (size_t)e < (size_t)g->oc ? o0 + (size_t)e : o0) * plane;
			for (int c = 0; c < g->c; c++) {
				for (size_t t = 0; t < kk; t++) {
					const size_t i = t / (size_t)g->kw, j = t % (size_t)g->kw;
					float *at = acc + (((ob * (size_t)g->c + (size_t)c) * kk + t) * OBMAX +
					                   (size_t)e0) * VMAX;
					VEC a[NB];
					_Pragma("GCC unroll 8")
					for (int e = 0; e < NB; e++)
						a[e] = VLOAD(at + (size_t)e * VMAX);
					const float *xc = xp + ((size_t)c * hp + i) * wq + j;
					for (int oy = 0; oy < g->oh; oy++) {
						for (size_t v = 0; v < rf; v += VL) {
							VEC xv = VLOAD(xc + (size_t)oy * wq + v);
							_Pragma("GCC unroll 8")
							for (int e = 0; e < NB; e++)
								a[e] = VMADDV(a[e], VLOAD(dr[e] + (size_t)oy * rf + v), xv);
						}
					}
					_Pragma("GCC unroll 8")
					for (int e = 0; e < NB; e++)
						VSTORE(at + (size_t)e * VMAX, a[e]);
				}
			}
		}
	}
}

#undef ROWS_NAME
#undef FILT_NAME
#undef VMADDV
#undef ROWS_TARGET
#undef VEC
#undef VL
#undef NB
#undef VZERO
#undef VSET1
#undef VLOAD
#undef VSTORE
#undef VMADD
