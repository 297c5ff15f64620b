/* train.cu - the training loop's kernels: softmax cross-entropy (loss and
 * its gradient, with the loss sum and the correct count accumulated on the
 * device so the host never waits per step), the SGD update, and the batch
 * gather with bilinear resize. */
#include "gpu/kernels.h"
#include "gpu/launch.cuh"

/* One block: each thread takes whole rows (a row is one example's logits),
 * then the block sums the per-row losses in a fixed order, so the result
 * does not depend on scheduling.  Rows are short (k classes), batches a
 * few hundred: one block is plenty and needs no atomics. */
__global__ void k_loss(const float *logits, const int32_t *labels, int n, int k,
                       float *dlogits, float *acc)
{
	__shared__ double s_loss[NL_K_THREADS];
	__shared__ int s_correct[NL_K_THREADS];
	double loss = 0.0;
	int correct = 0;
	float inv_n = 1.0f / (float)n;
	for (int i = threadIdx.x; i < n; i += blockDim.x) {
		const float *z = logits + (size_t)i * k;
		float m = z[0];
		int arg = 0;
		for (int j = 1; j < k; j++) {
			if (z[j] > m) {
				m = z[j];
				arg = j;
			}
		}
		float sum = 0.0f;
		for (int j = 0; j < k; j++)
			sum += expf(z[j] - m);
		int lab = labels[i];
		int valid = lab >= 0 && lab < k;
		float zl = valid ? z[lab] : m;
		loss += (double)(logf(sum) + m - zl);
		correct += valid && arg == lab;
		if (dlogits) {
			/* Row i is read and written by this thread alone, each z[j]
			 * read before d[j] is written: dlogits may alias logits. */
			float *d = dlogits + (size_t)i * k;
			float inv = 1.0f / sum;
			for (int j = 0; j < k; j++)
				d[j] = (expf(z[j] - m) * inv - (j == lab ? 1.0f : 0.0f)) * inv_n;
		}
	}
	s_loss[threadIdx.x] = loss;
	s_correct[threadIdx.x] = correct;
	__syncthreads();
	for (int half = blockDim.x / 2; half > 0; half /= 2) {
		if ((int)threadIdx.x < half) {
			s_loss[threadIdx.x] += s_loss[threadIdx.x + half];
			s_correct[threadIdx.x] += s_correct[threadIdx.x + half];
		}
		__syncthreads();
	}
	if (threadIdx.x == 0) {
		acc[0] += (float)s_loss[0];
		acc[1] += (float)s_correct[0];
	}
}

cudaError_t nl_k_loss(cudaStream_t st, const float *logits, const int32_t *labels,
                      int n, int k, float *dlogits, float *acc)
{
	if (n <= 0 || k <= 0)
		return cudaSuccess;
	k_loss<<<1, NL_K_THREADS, 0, st>>>(logits, labels, n, k, dlogits, acc);
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

/* Bilinear resize with half-pixel centres (PyTorch's interpolate with
 * align_corners=False): the source coordinate of output pixel d is
 * max((d + 0.5) * in/out - 0.5, 0), its neighbours are floor and floor+1
 * clamped to the edge.  The CPU backend evaluates the same formula. */
__global__ void k_gather(const uint8_t *images, const uint8_t *labels, const int32_t *idx,
                         int n, int c, int h, int w, int oh, int ow, nl_k_norm norm,
                         float *out, int32_t *labels_out)
{
	size_t plane = (size_t)oh * (size_t)ow, in_plane = (size_t)h * (size_t)w;
	size_t per = (size_t)c * plane, total = (size_t)n * per;
	float sy_scale = (float)h / (float)oh, sx_scale = (float)w / (float)ow;
	NL_K_FOR(i, total) {
		size_t b = i / per, rc = i - b * per;
		int ch = (int)(rc / plane);
		size_t r = rc - (size_t)ch * plane;
		int oy = (int)(r / (size_t)ow), ox = (int)(r - (size_t)oy * ow);
		int id = idx[b];
		const uint8_t *img = images + ((size_t)id * (size_t)c + (size_t)ch) * in_plane;
		if (rc == 0)
			labels_out[b] = labels[id];
		float v;
		if (oh == h && ow == w) {
			v = (float)img[(size_t)oy * w + ox];
		} else {
			float sy = fmaxf(((float)oy + 0.5f) * sy_scale - 0.5f, 0.0f);
			float sx = fmaxf(((float)ox + 0.5f) * sx_scale - 0.5f, 0.0f);
			int y0 = (int)sy, x0 = (int)sx;
			if (y0 > h - 1)
				y0 = h - 1;
			if (x0 > w - 1)
				x0 = w - 1;
			int y1 = y0 < h - 1 ? y0 + 1 : y0;
			int x1 = x0 < w - 1 ? x0 + 1 : x0;
			float ly = sy - (float)y0, lx = sx - (float)x0;
			float p00 = img[(size_t)y0 * w + x0], p01 = img[(size_t)y0 * w + x1];
			float p10 = img[(size_t)y1 * w + x0], p11 = img[(size_t)y1 * w + x1];
			v = (1.0f - ly) * ((1.0f - lx) * p00 + lx * p01) +
			    ly * ((1.0f - lx) * p10 + lx * p11);
		}
		float x = v / 255.0f;
		if (norm.on)
			x = (x - norm.mean[ch]) / norm.std[ch];
		out[i] = x;
	}
}

cudaError_t nl_k_gather(cudaStream_t st, const uint8_t *images, const uint8_t *labels,
                        const int32_t *idx, int n, int c, int h, int w, int oh, int ow,
                        nl_k_norm norm, float *out, int32_t *labels_out)
{
	size_t total = (size_t)n * (size_t)c * (size_t)oh * (size_t)ow;
	if (total == 0)
		return cudaSuccess;
	k_gather<<<nl_k_blocks(total), NL_K_THREADS, 0, st>>>(images, labels, idx, n, c, h, w,
	                                                     oh, ow, norm, out, labels_out);
	return cudaGetLastError();
}
