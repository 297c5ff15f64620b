/* device.c - choosing a backend for --device, and filling unset options. */
#include <config.h>

#include <stdio.h>
#include "runtime/train.h"

nl_backend *nl_backend_open(const nl_options *o)
{
	if (o->device == NL_DEV_GPU) {
		nl_backend *be = nl_gpu_backend_new(0, o->tf32, 0);
		if (!be)
			fprintf(stderr, "netlang: --device gpu: no usable GPU\n");
		return be;
	}
	if (o->device == NL_DEV_AUTO) {
		nl_backend *be = nl_gpu_backend_new(0, o->tf32, 1);
		if (be)
			return be;
		if (!o->quiet)
			fprintf(stderr, "netlang: no usable GPU; running on the CPU\n");
	}
	return nl_cpu_backend_new(o->threads);
}

void nl_options_resolve(nl_options *o, const nl_graph *g)
{
	const nl_train_spec *t = &g->train;
	if (o->epochs <= 0)
		o->epochs = t->epochs > 0 ? t->epochs : 10;
	if (o->batch <= 0)
		o->batch = t->batch > 0 ? t->batch : 256;
	if (o->lr < 0)
		o->lr = t->lr > 0 ? t->lr : 0.1;
	if (o->momentum < 0)
		o->momentum = t->momentum > 0 ? t->momentum : 0.0;
	if (o->weight_decay < 0)
		o->weight_decay = t->weight_decay > 0 ? t->weight_decay : 0.0;
	if (!o->has_seed) {
		o->has_seed = 1;
		o->seed = t->has_seed ? t->seed : 1;
	}
	if (!o->data)
		o->data = t->data;
	if (o->resize <= 0)
		o->resize = t->resize;
	if (o->time_iterations <= 0)
		o->time_iterations = 5;
	if (o->time_warmup <= 0)
		o->time_warmup = 1;
}
