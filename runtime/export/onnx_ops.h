/* onnx_ops.h - what the ONNX exporter and importer share: the one table
 * from layer kinds to ONNX operators (onnx.c), read both ways. */
#ifndef NL_ONNX_OPS_H
#define NL_ONNX_OPS_H

#include "lang/graph.h"

/* The operator kind's layers export as, or NULL. */
const char *nl_onnx_op(int kind);

/* The kind whose layers export as op (an nl_kind), or -1.  Add, which
 * exports as Add or Sum, and GELU, as Erf arithmetic, are not in the
 * table. */
int nl_onnx_kind_of(const char *op);

#endif
