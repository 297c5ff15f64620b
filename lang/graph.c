/* graph.c - names of layer kinds, and freeing a graph. */
#include <config.h>

#include <stdlib.h>

#include "lang/graph.h"
#include "lang/graph_store.h"

static const char *const torch_names[NL_NKINDS] = {
	[NL_INPUT] = "Input", [NL_CONV] = "Conv2d", [NL_MAXPOOL] = "MaxPool2d",
	[NL_AVGPOOL] = "AvgPool2d", [NL_GAVGPOOL] = "AdaptiveAvgPool2d",
	[NL_FC] = "Linear", [NL_RELU] = "ReLU", [NL_SIGMOID] = "Sigmoid",
	[NL_TANH] = "Tanh", [NL_SOFTMAX] = "Softmax", [NL_DROPOUT] = "Dropout",
	[NL_FLATTEN] = "Flatten", [NL_BATCHNORM] = "BatchNorm2d",
	/* PyTorch has no modules for these; D2L writes them inside a block. */
	[NL_CONCAT] = "Concat", [NL_ADD] = "Add",
};

static const char *const names[NL_NKINDS] = {
	[NL_INPUT] = "input", [NL_CONV] = "conv", [NL_MAXPOOL] = "maxpool",
	[NL_AVGPOOL] = "avgpool", [NL_GAVGPOOL] = "avgpool global", [NL_FC] = "fc",
	[NL_RELU] = "relu", [NL_SIGMOID] = "sigmoid", [NL_TANH] = "tanh",
	[NL_SOFTMAX] = "softmax", [NL_DROPOUT] = "dropout", [NL_FLATTEN] = "flatten",
	[NL_BATCHNORM] = "batchnorm", [NL_CONCAT] = "concat", [NL_ADD] = "add",
};

const char *nl_kind_torch_name(nl_kind k)
{
	return (unsigned)k < NL_NKINDS ? torch_names[k] : "?";
}

const char *nl_kind_name(nl_kind k)
{
	return (unsigned)k < NL_NKINDS ? names[k] : "?";
}

void nl_graph_free(nl_graph *g)
{
	if (!g)
		return;
	nl_graph_store *st = g->owner_;
	if (st) {
		free(st->edges);
		free(st->strings);
		free(st);
	}
	free(g->nodes);
	free(g->origins);
	free(g);
}
