/* batchnorm.c - batch normalization per channel (rank 4) or per feature
 * (rank 2), as PyTorch's BatchNorm1d/2d.
 *
 * Training normalises with the batch mean and the biased variance over the
 * M = N*H*W values of a channel, and moves the running statistics the way
 * PyTorch does: r = (1 - momentum) r + momentum * stat, with the UNBIASED
 * variance (times M/(M-1)) going into running_var.  Evaluation normalises
 * with the running statistics.  aux holds a 64-byte header (which of the
 * two the forward did) and the mean and 1/sqrt(var + eps) it used, so
 * backward need not recompute them.  Sums are kept in double across the
 * planes of a channel (a large batch has hundreds of thousands of values),
 * and in float within a plane, where vector lanes may share the sum (omp
 * simd reduction): one double accumulating every value in turn was a
 * chain of dependent additions, the slowest part of a ResNet step after
 * the convolutions.
 */
#include <config.h>

#include <math.h>

#include "runtime/cpu/cpu.h"

#define BN_HEADER_FLOATS 16

size_t nl_cpu_batchnorm_aux(const nl_step *s)
{
	return (BN_HEADER_FLOATS + 2 * (size_t)s->ys.c) * sizeof(float);
}

void nl_cpu_batchnorm_forward(nl_backend *be, nl_step *s, int training)
{
	(void)be;
	const int N = s->xs[0].n, C = s->xs[0].c;
	const size_t HW = (size_t)s->xs[0].h * s->xs[0].w;
	const size_t M = (size_t)N * HW;
	const float eps = s->node->eps, mom = s->node->momentum;
	float *aux = s->aux;
	float *mean = aux + BN_HEADER_FLOATS, *invstd = mean + C;
	const float *x = s->x[0];
	float *y = s->y;

	aux[0] = training ? 1.0f : 0.0f;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (M * (size_t)C > NL_CPU_PAR_MIN)
#endif
	for (int c = 0; c < C; c++) {
		double mu, var;
		if (training) {
			double sum = 0.0;
			for (int n = 0; n < N; n++) {
				const float *xp = x + ((size_t)n * C + c) * HW;
				float part = 0.0f;
#ifdef _OPENMP
#pragma omp simd reduction(+ : part)
#endif
				for (size_t p = 0; p < HW; p++)
					part += xp[p];
				sum += part;
			}
			mu = sum / (double)M;
			const float muf = (float)mu;
			double ss = 0.0;
			for (int n = 0; n < N; n++) {
				const float *xp = x + ((size_t)n * C + c) * HW;
				float part = 0.0f;
#ifdef _OPENMP
#pragma omp simd reduction(+ : part)
#endif
				for (size_t p = 0; p < HW; p++) {
					float d = xp[p] - muf;
					part += d * d;
				}
				ss += part;
			}
			var = ss / (double)M;
			double unbiased = M > 1 ? ss / (double)(M - 1) : var;
			s->running_mean[c] = (float)((1.0 - mom) * s->running_mean[c] + mom * mu);
			s->running_var[c] = (float)((1.0 - mom) * s->running_var[c] + mom * unbiased);
		} else {
			mu = s->running_mean[c];
			var = s->running_var[c];
		}
		float is = (float)(1.0 / sqrt(var + eps));
		mean[c] = (float)mu;
		invstd[c] = is;
		/* y = x * a + b with a = gamma * invstd, b = beta - mean * a */
		float a = s->w[c] * is;
		float b = s->b[c] - (float)mu * a;
		for (int n = 0; n < N; n++) {
			const float *xp = x + ((size_t)n * C + c) * HW;
			float *yp = y + ((size_t)n * C + c) * HW;
			for (size_t p = 0; p < HW; p++)
				yp[p] = xp[p] * a + b;
		}
	}
}

/* With xhat = (x - mean) invstd:
 *   dbeta = sum dy,  dgamma = sum dy xhat,
 *   training: dx = gamma invstd (dy - dbeta/M - xhat dgamma/M)
 *   eval:     dx = gamma invstd dy   (the statistics are constants) */
void nl_cpu_batchnorm_backward(nl_backend *be, nl_step *s)
{
	(void)be;
	const int N = s->xs[0].n, C = s->xs[0].c;
	const size_t HW = (size_t)s->xs[0].h * s->xs[0].w;
	const size_t M = (size_t)N * HW;
	const float *aux = s->aux;
	const int trained = aux[0] != 0.0f;
	const float *mean = aux + BN_HEADER_FLOATS, *invstd = mean + C;
	const float *x = s->x[0], *dy = s->dy;
	float *dx = s->dx[0];
	const int acc = s->dx_accumulate[0];

#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (M * (size_t)C > NL_CPU_PAR_MIN)
#endif
	for (int c = 0; c < C; c++) {
		const float mu = mean[c], is = invstd[c];
		double sdy = 0.0, sdyx = 0.0;
		for (int n = 0; n < N; n++) {
			const float *xp = x + ((size_t)n * C + c) * HW;
			const float *gp = dy + ((size_t)n * C + c) * HW;
			float a = 0.0f, b = 0.0f;
#ifdef _OPENMP
#pragma omp simd reduction(+ : a, b)
#endif
			for (size_t p = 0; p < HW; p++) {
				a += gp[p];
				b += gp[p] * (xp[p] - mu);
			}
			sdy += a;
			sdyx += b;
		}
		sdyx *= is;
		if (s->db)
			s->db[c] = (float)sdy;
		if (s->dw)
			s->dw[c] = (float)sdyx;
		if (!dx)
			continue;
		const float k = s->w[c] * is;
		const float mdy = trained ? (float)(sdy / (double)M) : 0.0f;
		const float mdyx = trained ? (float)(sdyx / (double)M) : 0.0f;
		for (int n = 0; n < N; n++) {
			const float *xp = x + ((size_t)n * C + c) * HW;
			const float *gp = dy + ((size_t)n * C + c) * HW;
			float *dp = dx + ((size_t)n * C + c) * HW;
			for (size_t p = 0; p < HW; p++) {
				float xhat = (xp[p] - mu) * is;
				float g = k * (gp[p] - mdy - xhat * mdyx);
				dp[p] = acc ? dp[p] + g : g;
			}
		}
	}
}
