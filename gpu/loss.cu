/* loss.cu - softmax cross-entropy (loss and its gradient, with the loss sum
 * and the correct count accumulated on the device so the host never waits
 * per step) and the SGD update. */
#include <math_constants.h>

#include "gpu/kernels.h"
#include "gpu/launch.cuh"

/* One block: each thread takes whole rows (a row is one example's logits),
 * then the block sums the per-row losses in a fixed order, so the result
 * does not depend on scheduling.  Rows are short (k classes), batches a
 * few hundred: one block is plenty and needs no atomics.
 *
 * The arithmetic is the CPU's (runtime/cpu/loss.c), in double: the loss is
 * lse - z[label] with lse = m + log(sum exp(z - m)), and the gradient
 * (p - onehot) / n with p = exp(z - lse).  For a confident right answer p
 * is within a few float ulps of 1, and p - 1 in float would keep only
 * those ulps of a gradient of 1e-8.
 *
 * A label outside 0..k-1 makes the loss NaN (so training stops), gets no
 * gradient and no correct count, and is recorded in bad[] (host memory the
 * device writes: the count, then the first one's label, example and k)
 * for the host to report, as the CPU does at once.  The block finds its
 * first bad label itself and one thread writes bad[] with plain stores:
 * atomics on mapped host memory are not to be relied on everywhere. */
__global__ void k_loss(const float *logits, const int32_t *labels, int n, int k,
                       float *dlogits, float *acc, volatile int *bad)
{
	__shared__ double s_loss[NL_K_THREADS];
	__shared__ int s_correct[NL_K_THREADS];
	__shared__ int s_nbad[NL_K_THREADS];
	__shared__ int s_first[NL_K_THREADS];     /* example of the first bad label */
	double loss = 0.0;
	int correct = 0, nbad = 0, first = n;
	const double inv_n = 1.0 / (double)n;
	for (int i = threadIdx.x; i < n; i += blockDim.x) {
		const float *z = logits + (size_t)i * k;
		int best = 0;
		for (int j = 1; j < k; j++)
			if (z[j] > z[best])
				best = j;
		const float m = z[best];
		double sum = 0.0;
		for (int j = 0; j < k; j++)
			sum += exp((double)z[j] - m);
		const double lse = m + log(sum);
		/* Row i is read and written by this thread alone, each z[j]
		 * read before d[j] is written: dlogits may alias logits. */
		float *d = dlogits ? dlogits + (size_t)i * k : NULL;
		const int lab = labels[i];
		if (lab < 0 || lab >= k) {
			loss += CUDART_NAN;
			if (d)
				for (int j = 0; j < k; j++)
					d[j] = 0.0f;
			if (!nbad++)
				first = i;
			continue;
		}
		loss += lse - z[lab];
		correct += best == lab;
		if (d)
			for (int j = 0; j < k; j++) {
				double p = exp((double)z[j] - lse);
				d[j] = (float)((p - (j == lab ? 1.0 : 0.0)) * inv_n);
			}
	}
	s_loss[threadIdx.x] = loss;
	s_correct[threadIdx.x] = correct;
	s_nbad[threadIdx.x] = nbad;
	s_first[threadIdx.x] = first;
	__syncthreads();
	for (int half = blockDim.x / 2; half > 0; half /= 2) {
		if ((int)threadIdx.x < half) {
			s_loss[threadIdx.x] += s_loss[threadIdx.x + half];
			s_correct[threadIdx.x] += s_correct[threadIdx.x + half];
			s_nbad[threadIdx.x] += s_nbad[threadIdx.x + half];
			if (s_first[threadIdx.x + half] < s_first[threadIdx.x])
				s_first[threadIdx.x] = s_first[threadIdx.x + half];
		}
		__syncthreads();
	}
	if (threadIdx.x == 0) {
		acc[0] += (float)s_loss[0];
		acc[1] += (float)s_correct[0];
		if (bad && s_nbad[0]) {
			/* The host clears bad[0] once it has reported. */
			if (bad[0] == 0) {
				bad[1] = labels[s_first[0]];
				bad[2] = s_first[0];
				bad[3] = k;
			}
			bad[0] += s_nbad[0];
		}
	}
}

cudaError_t nl_k_loss(cudaStream_t st, const float *logits, const int32_t *labels,
                      int n, int k, float *dlogits, float *acc, int *bad)
{
	if (n <= 0 || k <= 0)
		return cudaSuccess;
	k_loss<<<1, NL_K_THREADS, 0, st>>>(logits, labels, n, k, dlogits, acc, bad);
	return cudaGetLastError();
}

/* PyTorch's SGD: g' = g + wd*w; v = m*v + g'; w -= lr * (m ? v : g').
 * PyTorch starts v as g' on the first step; v starting at zero gives the
 * same m*0 + g'. */
__global__ void k_sgd(float *w, const float *g, float *v, size_t n, float lr,
                      float momentum, float weight_decay)
{
	NL_K_FOR(i, n) {
		float gi = g[i] + weight_decay * w[i];
		if (v) {
			float vi = momentum * v[i] + gi;
			v[i] = vi;
			w[i] -= lr * vi;
		} else {
			w[i] -= lr * gi;
		}
	}
}

cudaError_t nl_k_sgd(cudaStream_t st, float *w, const float *g, float *v, size_t n,
                     float lr, float momentum, float weight_decay)
{
	if (n == 0)
		return cudaSuccess;
	k_sgd<<<nl_k_blocks(n), NL_K_THREADS, 0, st>>>(w, g, momentum != 0.0f ? v : NULL, n, lr,
	                                              momentum, weight_decay);
	return cudaGetLastError();
}
