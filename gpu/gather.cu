/* gather.cu - a batch assembled from the uint8 data set (C planes per
 * image) on the device, with bilinear resize and an optional per-channel
 * normalisation. */
#include "gpu/kernels.h"
#include "gpu/launch.cuh"

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
