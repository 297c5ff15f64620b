/* lanes_data.h - the data-gradient kernel of lanes.c for one block shape,
 * included by lanes_isa.h with DT_NAME, DT_NC (input channels a block)
 * and DT_NX (input columns a block); it undefines them.
 *
 * dxi[c][y][x] = sum over o, i, j of w[o][c][i][j] * dy[o][y + ph - i][x + pw - j]
 * over the rows of dy in range only (no multiplying of a padded border
 * above or below), and the taps in range for some column of the block;
 * the other columns read the zeros that lanes.c keeps on both sides of
 * each row of dy. */
TARGET static void DT_NAME(const lanes_plan *p, const float *wdp, const float *dyh,
                           float *dxi)
{
	const nl_direct_geom *g = &p->g;
	const size_t cd = (size_t)p->cd, wa = (size_t)p->wa;
	for (int c0 = 0; c0 < p->cd; c0 += DT_NC) {
		for (int y = 0; y < g->h; y++) {
			int ilo = y + g->ph - (g->oh - 1), ihi = y + g->ph;
			if (ilo < 0)
				ilo = 0;
			if (ihi > g->kh - 1)
				ihi = g->kh - 1;
			for (size_t x0 = 0; x0 < wa; x0 += DT_NX) {
				/* taps j with x + pw - j in [0, ow) for some x of the
				 * block: the others read only the zeros beside dy */
				int jlo = (int)x0 + g->pw - (g->ow - 1), jhi = (int)x0 + DT_NX - 1 + g->pw;
				if (jlo < 0)
					jlo = 0;
				if (jhi > g->kw - 1)
					jhi = g->kw - 1;
				VEC a[DT_NC][DT_NX];
				_Pragma("GCC unroll 8")
				for (int e = 0; e < DT_NC; e++)
					_Pragma("GCC unroll 8")
					for (int k = 0; k < DT_NX; k++)
						a[e][k] = VZERO();
				for (int o = 0; o < g->oc; o++) {
					for (int i = ilo; i <= ihi; i++) {
						const int oy = y + g->ph - i;
						/* column x0 + pw of the row, kw - 1 zeros on */
						const float *dr = dyh + (((size_t)o * (size_t)g->oh + (size_t)oy) *
						                         p->wd + x0 + (size_t)g->pw +
						                         (size_t)g->kw - 1) * VL;
						const float *wr = wdp + ((size_t)o * (size_t)g->kh + (size_t)i) *
						                        (size_t)g->kw * cd + (size_t)c0;
						for (int j = jlo; j <= jhi; j++) {
							VEC wv[DT_NC];
							_Pragma("GCC unroll 8")
							for (int e = 0; e < DT_NC; e++)
								wv[e] = VSET1(wr[(size_t)j * cd + (size_t)e]);
							const float *dj = dr - (size_t)j * VL;
							_Pragma("GCC unroll 8")
							for (int k = 0; k < DT_NX; k++) {
								VEC dv = VLOAD(dj + (size_t)k * VL);
								_Pragma("GCC unroll 8")
								for (int e = 0; e < DT_NC; e++)
									a[e][k] = VFMA(dv, wv[e], a[e][k]);
							}
						}
					}
				}
				float *xr = dxi + (((size_t)c0 * (size_t)g->h + (size_t)y) * wa + x0) * VL;
				_Pragma("GCC unroll 8")
				for (int e = 0; e < DT_NC; e++)
					_Pragma("GCC unroll 8")
					for (int k = 0; k < DT_NX; k++)
						VSTORE(xr + ((size_t)e * (size_t)g->h * wa + (size_t)k) * VL,
						       a[e][k]);
			}
		}
	}
}

#undef DT_NAME
#undef DT_NC
#undef DT_NX
