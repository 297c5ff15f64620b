/* cpu_ops_bench.c - milliseconds per layer of the CPU backend's forward
 * and backward for the convolution, pooling and fully connected layers of
 * LeNet, AlexNet and VGG-11 (D2L's versions, Fashion-MNIST's one channel),
 * so the time of a training step can be traced to its layers.  Not a test:
 *
 *     tests/cpu/cpu_ops_bench [lenet|alexnet|vgg11] [batch] [iterations] [threads]
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/backend.h"

typedef struct layer {
	nl_kind kind;
	int c, h, w;             /* input, per example */
	int out, k, s, p;        /* conv/fc outputs, square kernel/stride/pad */
} layer;

static const layer lenet[] = {
	{ NL_CONV, 1, 28, 28, 6, 5, 1, 2 },
	{ NL_AVGPOOL, 6, 28, 28, 0, 2, 2, 0 },
	{ NL_CONV, 6, 14, 14, 16, 5, 1, 0 },
	{ NL_AVGPOOL, 16, 10, 10, 0, 2, 2, 0 },
	{ NL_FC, 400, 1, 1, 120, 0, 0, 0 },
	{ NL_FC, 120, 1, 1, 84, 0, 0, 0 },
	{ NL_FC, 84, 1, 1, 10, 0, 0, 0 },
	{ NL_INPUT, 0, 0, 0, 0, 0, 0, 0 },
};

static const layer alexnet[] = {
	{ NL_CONV, 1, 224, 224, 96, 11, 4, 1 },
	{ NL_MAXPOOL, 96, 54, 54, 0, 3, 2, 0 },
	{ NL_CONV, 96, 26, 26, 256, 5, 1, 2 },
	{ NL_MAXPOOL, 256, 26, 26, 0, 3, 2, 0 },
	{ NL_CONV, 256, 12, 12, 384, 3, 1, 1 },
	{ NL_CONV, 384, 12, 12, 384, 3, 1, 1 },
	{ NL_CONV, 384, 12, 12, 256, 3, 1, 1 },
	{ NL_MAXPOOL, 256, 12, 12, 0, 3, 2, 0 },
	{ NL_FC, 6400, 1, 1, 4096, 0, 0, 0 },
	{ NL_FC, 4096, 1, 1, 4096, 0, 0, 0 },
	{ NL_FC, 4096, 1, 1, 10, 0, 0, 0 },
	{ NL_INPUT, 0, 0, 0, 0, 0, 0, 0 },
};

static const layer vgg11[] = {
	{ NL_CONV, 1, 224, 224, 64, 3, 1, 1 },
	{ NL_MAXPOOL, 64, 224, 224, 0, 2, 2, 0 },
	{ NL_CONV, 64, 112, 112, 128, 3, 1, 1 },
	{ NL_MAXPOOL, 128, 112, 112, 0, 2, 2, 0 },
	{ NL_CONV, 128, 56, 56, 256, 3, 1, 1 },
	{ NL_CONV, 256, 56, 56, 256, 3, 1, 1 },
	{ NL_MAXPOOL, 256, 56, 56, 0, 2, 2, 0 },
	{ NL_CONV, 256, 28, 28, 512, 3, 1, 1 },
	{ NL_CONV, 512, 28, 28, 512, 3, 1, 1 },
	{ NL_MAXPOOL, 512, 28, 28, 0, 2, 2, 0 },
	{ NL_CONV, 512, 14, 14, 512, 3, 1, 1 },
	{ NL_CONV, 512, 14, 14, 512, 3, 1, 1 },
	{ NL_MAXPOOL, 512, 14, 14, 0, 2, 2, 0 },
	{ NL_FC, 25088, 1, 1, 4096, 0, 0, 0 },
	{ NL_FC, 4096, 1, 1, 4096, 0, 0, 0 },
	{ NL_FC, 4096, 1, 1, 10, 0, 0, 0 },
	{ NL_INPUT, 0, 0, 0, 0, 0, 0, 0 },
};

static float *alloc_rand(nl_backend *be, size_t n)
{
	float *p = be->alloc(be, n * sizeof *p);
	if (!p)
		exit(1);
	for (size_t i = 0; i < n; i++)
		p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
	return p;
}

int main(int argc, char **argv)
{
	const char *net = argc > 1 ? argv[1] : "alexnet";
	int batch = argc > 2 ? atoi(argv[2]) : 128;
	int iters = argc > 3 ? atoi(argv[3]) : 3;
	int threads = argc > 4 ? atoi(argv[4]) : 0;
	const layer *L = !strcmp(net, "lenet") ? lenet : !strcmp(net, "vgg11") ? vgg11 : alexnet;
	nl_backend *be = nl_cpu_backend_new(threads);
	if (!be)
		return 1;
	printf("%s, batch %d, %d threads, fastest of %d iterations after a warm-up\n",
	       net, batch, be->threads, iters);
	printf("%-28s %10s %10s %9s %9s\n", "layer", "fwd ms", "bwd ms", "fwd GF/s", "bwd GF/s");
	double tf = 0, tb = 0;
	for (int i = 0; L[i].kind != NL_INPUT; i++) {
		const layer *l = &L[i];
		nl_node nd = { 0 };
		nd.kind = l->kind;
		nd.kh = nd.kw = l->k;
		nd.sh = nd.sw = l->s;
		nd.ph = nd.pw = l->p;
		nd.out = l->out;
		nl_step s = { 0 };
		s.node = &nd;
		s.ninputs = 1;
		s.xs[0] = (nl_shape){ l->kind == NL_FC ? 2 : 4, batch, l->c, l->h, l->w };
		int oh = l->h, ow = l->w, oc = l->c;
		if (l->kind != NL_FC) {
			oh = (l->h + 2 * l->p - l->k) / l->s + 1;
			ow = (l->w + 2 * l->p - l->k) / l->s + 1;
		} else {
			oh = ow = 1;
		}
		if (l->kind == NL_CONV || l->kind == NL_FC)
			oc = l->out;
		s.ys = (nl_shape){ l->kind == NL_FC ? 2 : 4, batch, oc, oh, ow };
		size_t nx = (size_t)batch * l->c * l->h * l->w;
		size_t ny = (size_t)batch * oc * oh * ow;
		size_t nw = 0;
		if (l->kind == NL_CONV)
			nw = (size_t)oc * l->c * l->k * l->k;
		if (l->kind == NL_FC)
			nw = (size_t)oc * l->c;
		size_t aux = 0, ws = 0;
		be->prepare(be, &s, &aux, &ws);
		if (ws > be->workspace_bytes) {
			be->release(be, be->workspace);
			be->workspace = be->alloc(be, ws);
			be->workspace_bytes = ws;
		}
		s.x[0] = alloc_rand(be, nx);
		s.y = alloc_rand(be, ny);
		s.dy = alloc_rand(be, ny);
		s.dx[0] = i == 0 ? NULL : alloc_rand(be, nx);   /* no gradient for the image */
		if (nw) {
			s.w = alloc_rand(be, nw);
			s.dw = alloc_rand(be, nw);
			s.b = alloc_rand(be, oc);
			s.db = alloc_rand(be, oc);
		}
		s.aux = aux ? be->alloc(be, aux) : NULL;

		be->forward[l->kind](be, &s, 1);
		be->backward[l->kind](be, &s);
		/* The fastest of the iterations: the machine is shared, and
		 * the minimum is the least disturbed measurement. */
		double f = 1e30, b = 1e30;
		for (int it = 0; it < iters; it++) {
			double t0 = be->clock(be);
			be->forward[l->kind](be, &s, 1);
			double t1 = be->clock(be);
			be->backward[l->kind](be, &s);
			double t2 = be->clock(be);
			if ((t1 - t0) * 1e3 < f)
				f = (t1 - t0) * 1e3;
			if ((t2 - t1) * 1e3 < b)
				b = (t2 - t1) * 1e3;
		}
		double flop = 0;
		if (l->kind == NL_CONV)
			flop = 2.0 * batch * oc * oh * ow * (double)l->c * l->k * l->k;
		if (l->kind == NL_FC)
			flop = 2.0 * batch * oc * (double)l->c;
		char name[64];
		snprintf(name, sizeof name, "%s %dx%dx%d -> %dx%dx%d",
		         l->kind == NL_CONV ? "conv" : l->kind == NL_FC ? "fc" :
		         l->kind == NL_MAXPOOL ? "maxpool" : "avgpool",
		         l->c, l->h, l->w, oc, oh, ow);
		printf("%-28s %10.2f %10.2f", name, f, b);
		if (flop)
			printf(" %9.1f %9.1f", flop / f * 1e-6,
			       flop * (s.dx[0] ? 2 : 1) / b * 1e-6);
		printf("\n");
		tf += f;
		tb += b;
		be->release(be, (void *)s.x[0]); be->release(be, s.y);
		be->release(be, (void *)s.dy); be->release(be, s.dx[0]);
		be->release(be, s.w); be->release(be, s.dw);
		be->release(be, s.b); be->release(be, s.db);
		be->release(be, s.aux);
	}
	printf("%-28s %10.2f %10.2f   -> %.1f examples/s (these layers only)\n",
	       "total", tf, tb, batch / ((tf + tb) * 1e-3));
	be->release(be, be->workspace);
	be->destroy(be);
	return 0;
}
