/* loss.c - softmax cross-entropy over a batch, and the SGD update.
 *
 * The loss of a row is logsumexp(z) - z[label], computed as
 * m + log(sum exp(z - m)) with m = max z so no exp overflows.  The loss and
 * correct count are accumulated in double and added to acc once.
 */
#include <config.h>

#include <math.h>
#include <stdio.h>

#include "runtime/cpu/cpu.h"

void nl_cpu_loss(nl_backend *be, const float *logits, const int32_t *labels,
                 int n, int k, float *dlogits, float *acc)
{
	(void)be;
	double total = 0.0, correct = 0.0;
	const double inv_n = n > 0 ? 1.0 / n : 0.0;
	for (int i = 0; i < n; i++) {
		const float *z = logits + (size_t)i * k;
		int32_t label = labels[i];
		int best = 0;
		for (int j = 1; j < k; j++)
			if (z[j] > z[best])
				best = j;
		float m = z[best];
		double sum = 0.0;
		for (int j = 0; j < k; j++)
			sum += exp((double)z[j] - m);
		double lse = m + log(sum);
		if (label < 0 || label >= k) {
			/* The data loader checks labels; this only keeps a bad one
			 * from reading out of bounds. */
			fprintf(stderr, "netlang: label %d of example %d is outside 0..%d\n",
			        (int)label, i, k - 1);
			total += NAN;
			if (dlogits)
				memset(dlogits + (size_t)i * k, 0, (size_t)k * sizeof *dlogits);
			continue;
		}
		total += lse - z[label];
		correct += best == label;
		if (dlogits) {
			float *d = dlogits + (size_t)i * k;
			/* p - 1 in double: for a confident right answer p is
			 * within a few float ulps of 1, and subtracting in
			 * float would leave only those ulps of the gradient. */
			for (int j = 0; j < k; j++) {
				double p = exp((double)z[j] - lse);
				d[j] = (float)((p - (j == label ? 1.0 : 0.0)) * inv_n);
			}
		}
	}
	acc[0] += (float)total;
	acc[1] += (float)correct;
}

/* PyTorch's torch.optim.SGD (dampening 0, no Nesterov):
 *   g' = g + wd w;  v = momentum v + g';  w -= lr (momentum ? v : g')
 * v starts at zero, which makes the first step's v equal g' as in PyTorch. */
void nl_cpu_sgd(nl_backend *be, float *w, const float *g, float *v, size_t n,
                float lr, float momentum, float weight_decay)
{
	(void)be;
	if (momentum != 0.0f && v) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n > 4 * NL_CPU_PAR_MIN)
#endif
		for (size_t i = 0; i < n; i++) {
			float gi = g[i] + weight_decay * w[i];
			v[i] = momentum * v[i] + gi;
			w[i] -= lr * v[i];
		}
	} else {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n > 4 * NL_CPU_PAR_MIN)
#endif
		for (size_t i = 0; i < n; i++)
			w[i] -= lr * (g[i] + weight_decay * w[i]);
	}
}
