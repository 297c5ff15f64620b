/* onnx.c - a checked graph and its weights as an ONNX model
 * (netlang NET.net --export net.onnx [--load W]).
 *
 * The model is built as protobuf-c messages generated from ONNX's own
 * onnx.proto and packed straight into the file, so the weights are never
 * copied: each initializer's float_data points into the host buffers.
 *
 *   opset 13, IR version 7; one input "input" of N x C x H x W with the
 *   batch N symbolic; one output "output"; node i's output is "n<i>"
 *   node names:  "lenet.net:3 conv 5x5 -> 6 pad 2 #1": where the layer is
 *                written, the layer as netlang prints it, the node's index
 *   initializers: "n<i>.weight", ".bias", ".running_mean", ".running_var"
 *
 * Weights are those of --load, or else the ones --seed initialises
 * (Xavier-uniform, as training starts from), so that an export is
 * reproducible.  The file is written atomically.
 */
#include <config.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "lang/kinds.h"
#include "runtime/data/data.h"
#include "runtime/export/export.h"
#include "runtime/export/onnx.pb-c.h"
#include "runtime/export/onnx_ops.h"
#include "runtime/plan/plan.h"

enum { OPSET = 13, IR_VERSION = 7 };

/* Every message and string is allocated here and freed together. */
typedef struct builder {
	void **blocks;
	size_t nblocks, capblocks;
	int oom;
	Onnx__NodeProto **nodes;
	size_t nnodes, capnodes;
	Onnx__TensorProto **inits;
	size_t ninits, capinits;
	const nl_graph *g;
	const nl_param_layout *l;
	float *params, *state;
} builder;

static void *b_alloc(builder *b, size_t size)
{
	if (b->oom)
		return NULL;
	if (b->nblocks == b->capblocks) {
		size_t cap = b->capblocks ? b->capblocks * 2 : 256;
		void **nb = realloc(b->blocks, cap * sizeof *nb);
		if (!nb) {
			b->oom = 1;
			return NULL;
		}
		b->blocks = nb;
		b->capblocks = cap;
	}
	void *p = calloc(1, size ? size : 1);
	if (!p) {
		b->oom = 1;
		return NULL;
	}
	return b->blocks[b->nblocks++] = p;
}

static char *b_str(builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *b_str(builder *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = n >= 0 ? b_alloc(b, (size_t)n + 1) : NULL;
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static int push(builder *b, void *pv, size_t *n, size_t *cap, void *item)
{
	void ***v = pv;
	if (!item || b->oom)
		return b->oom = 1, -1;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		void **nv = realloc(*v, c * sizeof *nv);
		if (!nv)
			return b->oom = 1, -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = item;
	return 0;
}

/* ---- messages ---- */

static Onnx__NodeProto *node(builder *b, const char *op, const char *name, const char *out,
                             int nin, const char *const *in)
{
	Onnx__NodeProto *n = b_alloc(b, sizeof *n);
	char **ins = b_alloc(b, ((size_t)nin + 1) * sizeof *ins);
	char **outs = b_alloc(b, sizeof *outs);
	if (!n || !ins || !outs)
		return NULL;
	onnx__node_proto__init(n);
	n->op_type = (char *)op;
	n->name = (char *)name;
	for (int i = 0; i < nin; i++)
		ins[i] = (char *)in[i];
	n->n_input = (size_t)nin;
	n->input = ins;
	outs[0] = (char *)out;
	n->n_output = 1;
	n->output = outs;
	return push(b, &b->nodes, &b->nnodes, &b->capnodes, n) ? NULL : n;
}

static Onnx__AttributeProto *attr(builder *b, Onnx__NodeProto *n, const char *name)
{
	if (!n)
		return NULL;
	Onnx__AttributeProto *a = b_alloc(b, sizeof *a);
	Onnx__AttributeProto **v = b_alloc(b, (n->n_attribute + 1) * sizeof *v);
	if (!a || !v)
		return NULL;
	onnx__attribute_proto__init(a);
	a->name = (char *)name;
	if (n->n_attribute)
		memcpy(v, n->attribute, n->n_attribute * sizeof *v);
	v[n->n_attribute++] = a;
	n->attribute = v;  /* the old array stays in the builder until the end */
	return a;
}

static void attr_ints(builder *b, Onnx__NodeProto *n, const char *name, int count, ...)
{
	Onnx__AttributeProto *a = attr(b, n, name);
	int64_t *v = b_alloc(b, (size_t)count * sizeof *v);
	if (!a || !v)
		return;
	va_list ap;
	va_start(ap, count);
	for (int i = 0; i < count; i++)
		v[i] = va_arg(ap, int);
	va_end(ap);
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
	a->n_ints = (size_t)count;
	a->ints = v;
}

static void attr_int(builder *b, Onnx__NodeProto *n, const char *name, int64_t value)
{
	Onnx__AttributeProto *a = attr(b, n, name);
	if (!a)
		return;
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	a->has_i = 1;
	a->i = value;
}

static void attr_float(builder *b, Onnx__NodeProto *n, const char *name, float value)
{
	Onnx__AttributeProto *a = attr(b, n, name);
	if (!a)
		return;
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
	a->has_f = 1;
	a->f = value;
}

/* A float32 initializer over data (not copied), or a scalar of value. */
static const char *init(builder *b, const char *name, int ndims, const int *dims,
                        float *data, size_t count)
{
	Onnx__TensorProto *t = b_alloc(b, sizeof *t);
	int64_t *d = b_alloc(b, ((size_t)ndims + 1) * sizeof *d);
	if (!t || !d || !name)
		return NULL;
	onnx__tensor_proto__init(t);
	for (int i = 0; i < ndims; i++)
		d[i] = dims[i];
	t->n_dims = (size_t)ndims;
	t->dims = d;
	t->has_data_type = 1;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	t->name = (char *)name;
	t->n_float_data = count;
	t->float_data = data;
	return push(b, &b->inits, &b->ninits, &b->capinits, t) ? NULL : name;
}

static const char *scalar(builder *b, const char *name, float value)
{
	float *v = b_alloc(b, sizeof *v);
	if (!v)
		return NULL;
	*v = value;
	return init(b, name, 0, NULL, v, 1);
}

/* The initializer of node i's tensor in role (params.h's layout). */
static const char *param(builder *b, int i, const char *role)
{
	const nl_param_layout *l = b->l;
	for (int k = 0; k < l->n; k++) {
		const nl_param *p = &l->p[k];
		if (p->node != i || strcmp(p->role, role) != 0)
			continue;
		float *base = p->state ? b->state : b->params;
		return init(b, b_str(b, "n%d.%s", i, role), p->ndims, p->dims, base + p->offset,
		            p->count);
	}
	return NULL;
}

/* N x C x H x W (or N x C) with N symbolic. */
static Onnx__ValueInfoProto *value_info(builder *b, const char *name, const nl_shape *s)
{
	Onnx__ValueInfoProto *v = b_alloc(b, sizeof *v);
	Onnx__TypeProto *t = b_alloc(b, sizeof *t);
	Onnx__TypeProto__Tensor *tt = b_alloc(b, sizeof *tt);
	Onnx__TensorShapeProto *sh = b_alloc(b, sizeof *sh);
	int rank = s->rank == 2 ? 2 : 4;
	Onnx__TensorShapeProto__Dimension **dims = b_alloc(b, 4 * sizeof *dims);
	if (!v || !t || !tt || !sh || !dims)
		return NULL;
	int64_t sizes[4] = { 0, s->c, s->h, s->w };
	for (int i = 0; i < rank; i++) {
		Onnx__TensorShapeProto__Dimension *d = b_alloc(b, sizeof *d);
		if (!d)
			return NULL;
		onnx__tensor_shape_proto__dimension__init(d);
		if (i == 0) {
			d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
			d->dim_param = "N";
		} else {
			d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			d->dim_value = sizes[i];
		}
		dims[i] = d;
	}
	onnx__tensor_shape_proto__init(sh);
	sh->n_dim = (size_t)rank;
	sh->dim = dims;
	onnx__type_proto__tensor__init(tt);
	tt->has_elem_type = 1;
	tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	tt->shape = sh;
	onnx__type_proto__init(t);
	t->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	t->tensor_type = tt;
	onnx__value_info_proto__init(v);
	v->name = (char *)name;
	v->type = t;
	return v;
}

/* ---- nodes ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Where a node came from, for a viewer: its block calls, innermost first. */
static char *origin_doc(builder *b, int i)
{
	const nl_graph *g = b->g;
	const nl_node *nd = &g->nodes[i];
	char buf[512];
	size_t k = (size_t)snprintf(buf, sizeof buf, "%s:%d:%d", base_name(nd->loc.file), nd->loc.line,
	                            nd->loc.col);
	for (int o = nd->origin; o >= 0 && k < sizeof buf; o = g->origins[o].parent) {
		const nl_origin *or = &g->origins[o];
		k += (size_t)snprintf(buf + k, sizeof buf - k, ", in %s at %s:%d", or->name,
		                      base_name(or->loc.file), or->loc.line);
	}
	return b_str(b, "%s", buf);
}

static const char *value_name(builder *b, int i)
{
	if (i == 0)
		return "input";
	if (i == b->g->nnodes - 1)
		return "output";
	return b_str(b, "n%d", i);
}

/* x * 0.5 * (1 + erf(x / sqrt(2))): PyTorch's exact GELU in opset 13's
 * operators, as PyTorch itself exports it. */
static void gelu(builder *b, int i, const char *name, const char *x, const char *y)
{
	const char *sq = scalar(b, b_str(b, "n%d.sqrt2", i), (float)sqrt(2.0));
	const char *one = scalar(b, b_str(b, "n%d.one", i), 1.0f);
	const char *half = scalar(b, b_str(b, "n%d.half", i), 0.5f);
	const char *t1 = b_str(b, "n%d.div", i), *t2 = b_str(b, "n%d.erf", i),
	           *t3 = b_str(b, "n%d.add", i), *t4 = b_str(b, "n%d.mul", i);
	node(b, "Div", b_str(b, "%s /div", name), t1, 2, (const char *[]){ x, sq });
	node(b, "Erf", b_str(b, "%s /erf", name), t2, 1, (const char *[]){ t1 });
	node(b, "Add", b_str(b, "%s /add", name), t3, 2, (const char *[]){ t2, one });
	node(b, "Mul", b_str(b, "%s /mul", name), t4, 2, (const char *[]){ x, t3 });
	node(b, "Mul", name, y, 2, (const char *[]){ t4, half });
}

static int add_node(builder *b, int i)
{
	const nl_node *nd = &b->g->nodes[i];
	const nl_kind_info *ki = nl_kind_info_of(nd->kind);
	char text[128];
	nl_node_text(nd, text, sizeof text);
	const char *name = b_str(b, "%s:%d %s #%d", base_name(nd->loc.file), nd->loc.line,
	                         text, i);
	const char *y = value_name(b, i);
	const char **x = b_alloc(b, ((size_t)nd->ninputs + 1) * sizeof *x);
	if (!x)
		return 0;  /* the caller sees b->oom */
	for (int k = 0; k < nd->ninputs; k++)
		x[k] = value_name(b, nd->inputs[k]);
	Onnx__NodeProto *n = NULL;
	switch (nd->kind) {
	case NL_GELU:
		gelu(b, i, name, x[0], y);
		return 0;
	case NL_ADD:
		/* two branches as Add; more as Sum, which reads back as one join */
		n = node(b, nd->ninputs == 2 ? "Add" : "Sum", name, y, nd->ninputs, x);
		if (n)
			n->doc_string = origin_doc(b, i);
		return 0;
	default:
		break;
	}
	if (!nl_onnx_op(nd->kind)) {
		fprintf(stderr, "%s:%d:%d: error: ONNX has no operator for '%s' layers (%s)\n",
		        nd->loc.file, nd->loc.line, nd->loc.col, ki->word, text);
		return -1;
	}
	const char *op = nl_onnx_op(nd->kind);
	switch (ki->params) {
	case NL_PAR_WEIGHTS:
		n = node(b, op, name, y, 3, (const char *[]){ x[0], param(b, i, "weight"),
		                                               param(b, i, "bias") });
		break;
	case NL_PAR_NORM:
		n = node(b, op, name, y, 5, (const char *[]){ x[0], param(b, i, "weight"),
		         param(b, i, "bias"), param(b, i, "running_mean"),
		         param(b, i, "running_var") });
		attr_float(b, n, "epsilon", nd->eps);
		attr_float(b, n, "momentum", 1 - nd->momentum);  /* ONNX keeps the other share */
		break;
	default:
		if (nd->kind == NL_DROPOUT)
			n = node(b, op, name, y, 2, (const char *[]){ x[0],
			         scalar(b, b_str(b, "n%d.ratio", i), nd->p) });
		else
			n = node(b, op, name, y, nd->ninputs, x);
		break;
	}
	switch (ki->shape) {
	case NL_SHP_WINDOW:
		attr_ints(b, n, "kernel_shape", 2, nd->kh, nd->kw);
		attr_ints(b, n, "strides", 2, nd->sh, nd->sw);
		attr_ints(b, n, "pads", 4, nd->ph, nd->pw, nd->ph, nd->pw);
		/* netlang's average counts padded cells, as PyTorch's default */
		if (nd->kind == NL_AVGPOOL)
			attr_int(b, n, "count_include_pad", 1);
		break;
	case NL_SHP_DENSE:
		attr_int(b, n, "transB", 1);
		break;
	case NL_SHP_FLAT: case NL_SHP_JOIN:
		attr_int(b, n, "axis", 1);
		break;
	default:
		if (nd->kind == NL_SOFTMAX)
			attr_int(b, n, "axis", 1);
		break;
	}
	if (n)
		n->doc_string = origin_doc(b, i);
	return 0;
}

/* ---- the weights ---- */

static int get_weights(const nl_graph *g, const nl_options *o, const nl_param_layout *l,
                       float *params, float *state)
{
	if (o->load)
		return nl_weights_load(o->load, g, l, params, state, NULL, NULL);
	/* the initial weights of training: the plan's Xavier-uniform from the seed */
	nl_backend *be = nl_cpu_backend_new(1);
	if (!be)
		return -1;
	nl_plan *p = nl_plan_new(be, g, 1, 0);
	int rc = !p || nl_plan_init_params(p, o->seed) || nl_plan_get_params(p, params, state);
	nl_plan_free(p);
	be->destroy(be);
	return rc ? -1 : 0;
}

/* ---- writing ---- */

typedef struct file_buffer {
	ProtobufCBuffer base;
	FILE *f;
} file_buffer;

static void file_append(ProtobufCBuffer *buf, size_t len, const uint8_t *data)
{
	file_buffer *fb = (file_buffer *)buf;
	if (len)
		fwrite(data, 1, len, fb->f);
}

int nl_onnx_supported(void)
{
	return 1;
}

int nl_export_onnx(const char *path, const nl_graph *g, const nl_options *o)
{
	nl_param_layout l;
	if (nl_param_layout_make(g, &l)) {
		fprintf(stderr, "netlang: out of memory\n");
		return -1;
	}
	builder b = { .g = g, .l = &l };
	int rc = -1;
	b.params = calloc(l.nparams + 1, sizeof *b.params);
	b.state = calloc(l.nstate + 1, sizeof *b.state);
	if (!b.params || !b.state) {
		fprintf(stderr, "netlang: out of memory for %zu weights\n", l.nparams + l.nstate);
		goto out;
	}
	for (int i = 1; i < g->nnodes; i++) {
		if (add_node(&b, i))
			goto out;
	}
	if (get_weights(g, o, &l, b.params, b.state))
		goto out;

	char title[256];
	snprintf(title, sizeof title, "%s", base_name(g->nodes[0].loc.file));
	char *dot = strrchr(title, '.');
	if (dot && strcmp(dot, ".net") == 0)
		*dot = '\0';
	Onnx__GraphProto graph;
	onnx__graph_proto__init(&graph);
	graph.name = title;
	graph.n_node = b.nnodes;
	graph.node = b.nodes;
	graph.n_initializer = b.ninits;
	graph.initializer = b.inits;
	Onnx__ValueInfoProto *in = value_info(&b, "input", &g->nodes[0].shape);
	Onnx__ValueInfoProto *out = value_info(&b, g->nnodes > 1 ? "output" : "input",
	                                       &g->nodes[g->nnodes - 1].shape);
	graph.n_input = graph.n_output = 1;
	graph.input = &in;
	graph.output = &out;
	graph.doc_string = o->load
		? b_str(&b, "%s with the weights of %s", base_name(g->nodes[0].loc.file), o->load)
		: b_str(&b, "%s with the initial weights of seed %llu",
		        base_name(g->nodes[0].loc.file), (unsigned long long)o->seed);

	Onnx__OperatorSetIdProto opset;
	onnx__operator_set_id_proto__init(&opset);
	opset.domain = "";
	opset.has_version = 1;
	opset.version = OPSET;
	Onnx__OperatorSetIdProto *opsets[] = { &opset };
	Onnx__ModelProto model;
	onnx__model_proto__init(&model);
	model.has_ir_version = 1;
	model.ir_version = IR_VERSION;
	model.n_opset_import = 1;
	model.opset_import = opsets;
	model.producer_name = "netlang";
	model.producer_version = PACKAGE_VERSION;
	model.graph = &graph;
	if (b.oom || !in || !out) {
		fprintf(stderr, "netlang: out of memory building the ONNX model\n");
		goto out;
	}
	/* protobuf's own limit on a message */
	size_t size = protobuf_c_message_get_packed_size(&model.base);
	if (size > 2147483647u) {
		fprintf(stderr, "netlang: %s: the model takes %zu bytes; ONNX files hold at "
		        "most 2 GiB\n", path, size);
		goto out;
	}
	nl_atomic_file af;
	if (nl_atomic_open(&af, path))
		goto out;
	file_buffer fb = { { file_append }, af.f };
	protobuf_c_message_pack_to_buffer(&model.base, &fb.base);
	if (ferror(af.f)) {
		fprintf(stderr, "netlang: %s: write error\n", path);
		nl_atomic_abort(&af);
		goto out;
	}
	rc = nl_atomic_commit(&af);
out:
	for (size_t i = 0; i < b.nblocks; i++)
		free(b.blocks[i]);
	free(b.blocks);
	free(b.nodes);
	free(b.inits);
	free(b.params);
	free(b.state);
	nl_param_layout_free(&l);
	return rc;
}
