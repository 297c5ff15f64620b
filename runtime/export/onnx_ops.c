/* onnx_ops.c - layer kinds and ONNX operators (onnx_ops.h). */
#include <config.h>

#include <string.h>

#include "runtime/export/onnx_ops.h"

/* ONNX's operator for each kind; NULL where the kind is written another way
 * (GELU as Erf arithmetic, add as Add or Sum) or not at all. */
static const char *const onnx_op[NL_NKINDS] = {
	[NL_CONV] = "Conv", [NL_MAXPOOL] = "MaxPool", [NL_AVGPOOL] = "AveragePool",
	[NL_GAVGPOOL] = "GlobalAveragePool", [NL_FC] = "Gemm", [NL_RELU] = "Relu",
	[NL_SIGMOID] = "Sigmoid", [NL_TANH] = "Tanh", [NL_SOFTMAX] = "Softmax",
	[NL_DROPOUT] = "Dropout", [NL_FLATTEN] = "Flatten",
	[NL_BATCHNORM] = "BatchNormalization", [NL_CONCAT] = "Concat",
};

const char *nl_onnx_op(int kind)
{
	return kind >= 0 && kind < NL_NKINDS ? onnx_op[kind] : NULL;
}

int nl_onnx_kind_of(const char *op)
{
	for (int k = 0; k < NL_NKINDS; k++)
		if (onnx_op[k] && strcmp(onnx_op[k], op) == 0)
			return k;
	return -1;
}

