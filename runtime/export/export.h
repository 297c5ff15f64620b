/* export.h - bridges out of netlang: a program as PyTorch code, a trained
 * network as an ONNX model and back, and a network's logits for chosen
 * images (so that another framework's can be compared with them).
 *
 * Each returns 0, or -1 after a message on stderr naming the file or the
 * layer at fault.
 */
#ifndef NL_EXPORT_H
#define NL_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "lang/graph.h"
#include "lang/lang.h"
#include "lang/settings.h"

/* Write a runnable Python module to out: the program cx (checked into g)
 * as D2L writes networks, its train { } recipe o as a train() in D2L's
 * style, and load_netlang(), which reads netlang weights files into it.
 * path names the .net file in comments. */
int nl_export_pytorch(FILE *out, const nl_ctx *cx, const nl_graph *g, const nl_options *o,
                      const char *path);

/* Write g as an ONNX model to path, atomically, with the weights of
 * o->load, or those o->seed initialises, as initializers. */
int nl_export_onnx(const char *path, const nl_graph *g, const nl_options *o);

/* Print, to out, a .net program equivalent to the ONNX model in path.
 * Returns -1 after a message naming the node for anything it cannot say. */
int nl_import_onnx(FILE *out, const char *path);
/* The same for a model already in memory, with messages to diag (path
 * names the model in them). */
int nl_import_onnx_buffer(FILE *out, FILE *diag, const char *path, const uint8_t *data,
                          size_t len);

/* 1 when this build reads and writes ONNX (configure found protobuf-c). */
int nl_onnx_supported(void);

/* Write to path the logits of the test images o->data names (the first
 * o->steps batches of o->batch, or all), one line per image, with the
 * weights of o->load or those o->seed initialises; o->save, when set,
 * receives those weights. */
int nl_export_logits(const char *path, const nl_graph *g, const nl_options *o);

#endif
