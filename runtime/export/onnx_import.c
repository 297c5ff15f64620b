/* onnx_import.c - an ONNX model back as a .net program
 * (netlang --import net.onnx).
 *
 * Models made of the operators netlang exports are read back: a small
 * PyTorch model exported to ONNX can be listed, checked and trained in
 * netlang.  Anything else is refused with the node's name and op type.
 *
 * A .net program is a chain of layers whose joins nest (series-parallel);
 * an ONNX graph is any DAG.  The walk gives every value the statements
 * that make it from a base value: a value read by one node hands its list
 * on to that node's output; a value read by several (a fork) becomes the
 * base of each reader's new list; a Concat, Add or Sum whose inputs all
 * start from one fork closes those branches into a join statement.  A
 * graph that does not fold this way (branches that never meet, a join of
 * unrelated values) is refused.  The program is then checked by netlang's
 * own front end before it is printed, so whatever is printed loads.
 *
 * The file is hostile until proven otherwise: protobuf-c rejects malformed
 * messages, every field is checked before it is used, names are looked up
 * in a hash table (no quadratic walks), and nothing recurses over the
 * graph except the printing of joins, whose depth the front end's own
 * nesting limit bounds first.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "lang/kinds.h"
#include "lang/source.h"
#include "runtime/export/export.h"
#include "runtime/export/onnx.pb-c.h"
#include "runtime/export/onnx_ops.h"

#define MAX_MODEL_BYTES (2147483647L)   /* protobuf's own limit */
#define MAX_SIZE (1 << 24)              /* a kernel, a stride, channels */
#define MAX_JOIN_DEPTH 200              /* joins nested in one another */

typedef struct istmt istmt;
typedef struct ilist { istmt *head, *tail; } ilist;

struct istmt {
	char text[96];       /* a layer; empty for a join */
	int join;            /* 0, NL_CONCAT or NL_ADD */
	int nbranches;
	ilist *branches;
	istmt *next;
};

typedef struct value {
	const char *name;
	int node;            /* the node that makes it; -1 the graph's input */
	long uses;           /* readers not yet folded into a join */
	int reader;          /* the node that last reads it */
	int base;            /* the fork its statements start from; -1 the input */
	ilist list;
	int defined;
	int side;            /* a node's second output (a pool's indices) */
	int depth;           /* joins nested to make it */
} value;

typedef struct importer {
	const char *path;
	FILE *diag;          /* messages */
	const Onnx__GraphProto *g;
	value *v;
	int nv;
	/* name -> value index + 1, or -(constant index + 1) */
	const char **keys;
	const Onnx__TensorProto **consts;   /* initializers, then Constant nodes' */
	size_t nconsts;
	long *slots;
	size_t nslots;
	void **blocks;
	size_t nblocks, capblocks;
	int oom;
	int node;            /* the node being read, for messages */
	unsigned char *done; /* nodes already read as part of an earlier one's */
} importer;

/* ---- memory ---- */

static void *ialloc(importer *im, size_t size)
{
	if (im->oom)
		return NULL;
	if (im->nblocks == im->capblocks) {
		size_t cap = im->capblocks ? im->capblocks * 2 : 256;
		void **nb = realloc(im->blocks, cap * sizeof *nb);
		if (!nb) {
			im->oom = 1;
			return NULL;
		}
		im->blocks = nb;
		im->capblocks = cap;
	}
	void *p = calloc(1, size ? size : 1);
	if (!p) {
		im->oom = 1;
		return NULL;
	}
	return im->blocks[im->nblocks++] = p;
}

/* ---- messages ---- */

static const char *node_name(const importer *im, int k, char *buf, size_t n)
{
	const Onnx__NodeProto *nd = im->g->node[k];
	if (nd->name && *nd->name)
		snprintf(buf, n, "%.200s", nd->name);
	else
		snprintf(buf, n, "#%d", k);
	return buf;
}

static int refuse(importer *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "netlang: net.onnx: node 'conv1' (op Conv): ..." */
static int refuse(importer *im, const char *fmt, ...)
{
	char msg[512], name[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!im->diag)
		return -1;
	if (im->node >= 0) {
		const char *op = im->g->node[im->node]->op_type;
		fprintf(im->diag, "netlang: %s: node '%s' (op %.100s): %s\n", im->path,
		        node_name(im, im->node, name, sizeof name), op ? op : "?", msg);
	} else {
		fprintf(im->diag, "netlang: %s: %s\n", im->path, msg);
	}
	return -1;
}

/* ---- names ---- */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static long *slot(importer *im, const char *name)
{
	size_t mask = im->nslots - 1, i = (size_t)hash(name) & mask;
	while (im->keys[i] && strcmp(im->keys[i], name) != 0)
		i = (i + 1) & mask;
	im->keys[i] = im->keys[i] ? im->keys[i] : name;
	return &im->slots[i];
}

static long lookup(importer *im, const char *name)
{
	size_t mask = im->nslots - 1, i = (size_t)hash(name) & mask;
	while (im->keys[i]) {
		if (strcmp(im->keys[i], name) == 0)
			return im->slots[i];
		i = (i + 1) & mask;
	}
	return 0;
}

static const Onnx__TensorProto *initializer(importer *im, const char *name)
{
	long s = name && *name ? lookup(im, name) : 0;
	return s < 0 ? im->consts[-s - 1] : NULL;
}

/* The value a node input names, or -1 after a message. */
static int value_of(importer *im, const char *name)
{
	long s = name && *name ? lookup(im, name) : 0;
	if (s > 0 && im->v[s - 1].side)
		return refuse(im, "reads '%.100s', a second output of a node; netlang's "
		              "layers have one", name);
	if (s > 0 && im->v[s - 1].defined)
		return (int)(s - 1);
	if (s < 0)
		return refuse(im, "input '%.100s' is a constant; netlang's layers read a "
		              "tensor there", name);
	return refuse(im, "reads '%.100s', which no earlier node makes (the graph must "
	              "be in topological order)", name ? name : "");
}

/* ---- attributes ---- */

static const Onnx__AttributeProto *attribute(const Onnx__NodeProto *nd, const char *name)
{
	for (size_t i = 0; i < nd->n_attribute; i++)
		if (nd->attribute[i]->name && strcmp(nd->attribute[i]->name, name) == 0)
			return nd->attribute[i];
	return NULL;
}

/* An INT attribute, or dflt when absent; -1 after a message. */
static int attr_int(importer *im, const Onnx__NodeProto *nd, const char *name, long lo,
                    long hi, long dflt, long *out)
{
	const Onnx__AttributeProto *a = attribute(nd, name);
	*out = dflt;
	if (!a)
		return 0;
	if (!a->has_i || (a->has_type && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT))
		return refuse(im, "attribute %s is not an integer", name);
	if (a->i < lo || a->i > hi)
		return refuse(im, "attribute %s is %lld; netlang takes %ld..%ld", name,
		              (long long)a->i, lo, hi);
	*out = (long)a->i;
	return 0;
}

static int attr_float(importer *im, const Onnx__NodeProto *nd, const char *name,
                      double dflt, double *out)
{
	const Onnx__AttributeProto *a = attribute(nd, name);
	*out = dflt;
	if (!a)
		return 0;
	if (!a->has_f || (a->has_type && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT))
		return refuse(im, "attribute %s is not a float", name);
	*out = a->f;
	return 0;
}

/* n INTS, each in [lo, MAX_SIZE]; *found 0 when absent. */
static int attr_ints(importer *im, const Onnx__NodeProto *nd, const char *name, size_t n,
                     long lo, long *out, int *found)
{
	const Onnx__AttributeProto *a = attribute(nd, name);
	*found = a != NULL;
	if (!a)
		return 0;
	if (a->n_ints != n)
		return refuse(im, "attribute %s has %zu values; netlang's 2-d layers take %zu",
		              name, a->n_ints, n);
	for (size_t i = 0; i < n; i++) {
		if (a->ints[i] < lo || a->ints[i] > MAX_SIZE)
			return refuse(im, "attribute %s holds %lld", name, (long long)a->ints[i]);
		out[i] = (long)a->ints[i];
	}
	return 0;
}

/* ---- layers ---- */

/* "3x3" or "1x7" */
static size_t put_pair(char *buf, size_t n, size_t k, const char *before, long a, long b)
{
	int w = a == b ? snprintf(buf + k, k < n ? n - k : 0, "%s%ld", before, a)
	               : snprintf(buf + k, k < n ? n - k : 0, "%s%ldx%ld", before, a, b);
	return k + (size_t)(w > 0 ? w : 0);
}

/* Kernel, strides, pads of a Conv or pool, written as netlang writes it. */
static int window(importer *im, const Onnx__NodeProto *nd, nl_kind kind, long out,
                  const Onnx__TensorProto *w, char *text, size_t n)
{
	long kern[2] = { 0, 0 }, strides[2] = { 1, 1 }, pads[4] = { 0, 0, 0, 0 }, dil[2];
	int found;
	if (attr_ints(im, nd, "kernel_shape", 2, 1, kern, &found))
		return -1;
	if (!found && w) {
		kern[0] = (long)w->dims[2];
		kern[1] = (long)w->dims[3];
	} else if (!found) {
		return refuse(im, "no kernel_shape");
	}
	if (w && (kern[0] != w->dims[2] || kern[1] != w->dims[3]))
		return refuse(im, "kernel_shape differs from the weight's");
	if (attr_ints(im, nd, "strides", 2, 1, strides, &found) ||
	    attr_ints(im, nd, "pads", 4, 0, pads, &found) ||
	    attr_ints(im, nd, "dilations", 2, 1, dil, &found))
		return -1;
	if (found && (dil[0] != 1 || dil[1] != 1))
		return refuse(im, "dilated windows: netlang has none");
	if (pads[0] != pads[2] || pads[1] != pads[3])
		return refuse(im, "padding differs between the two sides; netlang pads both "
		              "alike");
	const Onnx__AttributeProto *ap = attribute(nd, "auto_pad");
	if (ap && ap->has_s && ap->s.len && !(ap->s.len == 6 && memcmp(ap->s.data, "NOTSET", 6) == 0) &&
	    !(ap->s.len == 5 && memcmp(ap->s.data, "VALID", 5) == 0))
		return refuse(im, "auto_pad SAME: netlang pads explicitly");
	long v;
	if (attr_int(im, nd, "ceil_mode", 0, 0, 0, &v) || attr_int(im, nd, "group", 1, 1, 1, &v) ||
	    attr_int(im, nd, "storage_order", 0, 0, 0, &v))
		return -1;
	const nl_kind_info *ki = nl_kind_info_of(kind);
	size_t k = (size_t)snprintf(text, n, "%s %ldx%ld", ki->word, kern[0], kern[1]);
	long dh = ki->syntax == NL_SYN_POOL ? kern[0] : 1;
	long dw = ki->syntax == NL_SYN_POOL ? kern[1] : 1;
	if (strides[0] != dh || strides[1] != dw)
		k = put_pair(text, n, k, "/", strides[0], strides[1]);
	if (ki->syntax == NL_SYN_CONV)
		k += (size_t)snprintf(text + k, k < n ? n - k : 0, " -> %ld", out);
	if (pads[0] || pads[1])
		k = put_pair(text, n, k, " pad ", pads[0], pads[1]);
	if (kind == NL_AVGPOOL && (pads[0] || pads[1])) {
		/* netlang's average counts padded cells, as PyTorch's default */
		if (attr_int(im, nd, "count_include_pad", 0, 1, 0, &v))
			return -1;
		if (!v)
			return refuse(im, "an average that leaves padding out (count_include_pad "
			              "0): netlang's counts it");
	}
	return k < n ? 0 : refuse(im, "attributes too long");
}

/* A float32 tensor's only element (Dropout's ratio). */
static int scalar(importer *im, const Onnx__TensorProto *t, double *out)
{
	int one = 1;
	for (size_t i = 0; i < t->n_dims; i++)
		one &= t->dims[i] == 1;
	if (!one || t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
		return refuse(im, "ratio is not one float");
	if (t->n_float_data == 1) {
		*out = t->float_data[0];
	} else if (t->has_raw_data && t->raw_data.len == 4) {
		const uint8_t *b = t->raw_data.data;
		uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		             (uint32_t)b[3] << 24;
		float f;
		memcpy(&f, &u, sizeof f);
		*out = f;
	} else {
		return refuse(im, "ratio has no data");
	}
	return 0;
}

/* A Pad that pads nothing (PyTorch writes one before an average pool) is
 * no statement: 1; any other is refused. */
static int zero_pad(importer *im, const Onnx__NodeProto *nd)
{
	const Onnx__TensorProto *t = nd->n_input > 1 ? initializer(im, nd->input[1]) : NULL;
	const Onnx__AttributeProto *a = attribute(nd, "pads");
	int zero = 1;
	if (t && t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
		for (size_t i = 0; i < t->n_int64_data; i++)
			zero &= t->int64_data[i] == 0;
		for (size_t i = 0; t->has_raw_data && i < t->raw_data.len; i++)
			zero &= t->raw_data.data[i] == 0;
	} else if (a) {
		for (size_t i = 0; i < a->n_ints; i++)
			zero &= a->ints[i] == 0;
	} else {
		zero = 0;
	}
	if (!zero)
		return refuse(im, "padding as a layer of its own: netlang pads in a conv or "
		              "pool");
	return 1;
}

/* A weight initializer with ndims dimensions, each in [1, MAX_SIZE]. */
static const Onnx__TensorProto *weight(importer *im, const Onnx__NodeProto *nd, size_t i,
                                       size_t ndims)
{
	const Onnx__TensorProto *w = i < nd->n_input ? initializer(im, nd->input[i]) : NULL;
	if (!w) {
		refuse(im, "input %zu is not a constant weight; netlang keeps weights as "
		       "parameters", i + 1);
		return NULL;
	}
	if (w->n_dims != ndims) {
		refuse(im, "weight '%.100s' has %zu dimensions, not %zu", nd->input[i],
		       w->n_dims, ndims);
		return NULL;
	}
	for (size_t d = 0; d < ndims; d++)
		if (w->dims[d] < 1 || w->dims[d] > MAX_SIZE) {
			refuse(im, "weight '%.100s' has a dimension of %lld", nd->input[i],
			       (long long)w->dims[d]);
			return NULL;
		}
	return w;
}

/* The statement for a one-input node into text; 1 for no statement
 * (Identity), 0, or -1 after a message. */
static int layer_text(importer *im, const Onnx__NodeProto *nd, char *text, size_t n)
{
	const char *op = nd->op_type;
	if (strcmp(op, "Identity") == 0)
		return 1;
	if (strcmp(op, "Pad") == 0)
		return zero_pad(im, nd);
	int kind = nl_onnx_kind_of(op);
	if (kind < 0 || kind == NL_CONCAT)
		return refuse(im, "netlang has no such layer");
	const nl_kind_info *ki = nl_kind_info_of((nl_kind)kind);
	long v;
	double f;
	switch (ki->syntax) {
	case NL_SYN_CONV: {
		const Onnx__TensorProto *w = weight(im, nd, 1, 4);
		if (!w)
			return -1;
		if (nd->n_input > 2 && *nd->input[2] && !weight(im, nd, 2, 1))
			return -1;
		return window(im, nd, (nl_kind)kind, (long)w->dims[0], w, text, n);
	}
	case NL_SYN_POOL:
		return window(im, nd, (nl_kind)kind, 0, NULL, text, n);
	case NL_SYN_FEATURES: {
		long trans_a, trans_b;
		double alpha, beta;
		const Onnx__TensorProto *w = weight(im, nd, 1, 2);
		if (!w || attr_int(im, nd, "transA", 0, 0, 0, &trans_a) ||
		    attr_int(im, nd, "transB", 0, 1, 0, &trans_b) ||
		    attr_float(im, nd, "alpha", 1, &alpha) || attr_float(im, nd, "beta", 1, &beta))
			return -1;
		if (alpha != 1 || beta != 1)
			return refuse(im, "alpha %g, beta %g: netlang's fc scales by 1", alpha, beta);
		if (nd->n_input > 2 && *nd->input[2] && !initializer(im, nd->input[2]))
			return refuse(im, "the bias is not a constant");
		snprintf(text, n, "%s %lld", ki->word, (long long)w->dims[trans_b ? 0 : 1]);
		return 0;
	}
	case NL_SYN_PROB:
		f = 0.5;
		if (nd->n_input > 1 && *nd->input[1]) {
			const Onnx__TensorProto *r = initializer(im, nd->input[1]);
			if (!r)
				return refuse(im, "the ratio is not a constant");
			if (scalar(im, r, &f))
				return -1;
		} else if (attr_float(im, nd, "ratio", 0.5, &f)) {
			return -1;
		}
		if (!(f >= 0 && f < 1))
			return refuse(im, "ratio %g is outside [0, 1)", f);
		snprintf(text, n, "%s %.9g", ki->word, f);
		return 0;
	default:
		break;
	}
	if (ki->params == NL_PAR_NORM) {
		if (attr_float(im, nd, "epsilon", 1e-5, &f) ||
		    attr_int(im, nd, "training_mode", 0, 0, 0, &v))
			return -1;
		if (fabs(f - 1e-5) > 1e-9)
			return refuse(im, "epsilon %g; netlang's batchnorm uses 1e-05", f);
		for (size_t i = 1; i < 5; i++)
			if (!weight(im, nd, i, 1))
				return -1;
	}
	if (ki->shape == NL_SHP_FLAT && attr_int(im, nd, "axis", 1, 1, 1, &v))
		return -1;
	if (nl_kind_has((nl_kind)kind, NL_KF_LAST)) {
		/* softmax over the features of a flat input: axis 1 or -1 */
		if (attr_int(im, nd, "axis", -1, 1, -1, &v))
			return -1;
		if (v == 0)
			return refuse(im, "a softmax over the batch");
	}
	snprintf(text, n, "%s", ki->word);
	return 0;
}

/* ---- folding the graph ---- */

static istmt *new_stmt(importer *im)
{
	istmt *s = ialloc(im, sizeof *s);
	if (!s)
		refuse(im, "out of memory");
	return s;
}

static void append(ilist *l, istmt *s)
{
	if (l->tail)
		l->tail->next = s;
	else
		l->head = s;
	l->tail = s;
}

/* y is made from x by s (none for Identity). */
static int extend(importer *im, int x, int y, istmt *s)
{
	value *vx = &im->v[x], *vy = &im->v[y];
	if (vx->uses > 1) {
		/* x forks: y starts a branch from it */
		vy->base = x;
		vy->list = (ilist){ NULL, NULL };
		vy->depth = vx->depth;
	} else {
		vy->base = vx->base;
		vy->list = vx->list;
		vx->list = (ilist){ NULL, NULL };
		vy->depth = vx->depth;
	}
	if (s)
		append(&vy->list, s);
	return 0;
}

/* Concat, Add or Sum of inputs in[0..k) into y. */
static int join(importer *im, const int *in, int k, int y, int kind)
{
	/* the fork they all start from: the first input, or its base */
	int fork = -1;
	for (int c = 0; c < 2 && fork < 0; c++) {
		int cand = c ? im->v[in[0]].base : in[0];
		int all = cand >= 0;
		for (int j = 0; j < k && all; j++)
			all = in[j] == cand || im->v[in[j]].base == cand;
		if (all)
			fork = cand;
	}
	if (fork < 0)
		return refuse(im, "its inputs do not branch from one tensor: netlang's joins "
		              "close branches that start together");
	value *vf = &im->v[fork];
	int depth = 0;
	for (int j = 0; j < k; j++) {
		const value *vj = &im->v[in[j]];
		if (in[j] != fork && vj->uses != 1)
			return refuse(im, "'%.100s' also feeds another node: its branch does not "
			              "end here", vj->name);
		depth = vj->depth > depth ? vj->depth : depth;
	}
	if (vf->uses < k)
		return refuse(im, "internal error: fork '%.100s' has %ld readers left", vf->name,
		              vf->uses);
	if (depth + 1 > MAX_JOIN_DEPTH)
		return refuse(im, "joins nested more than %d deep", MAX_JOIN_DEPTH);
	istmt *s = new_stmt(im);
	ilist *br = ialloc(im, (size_t)k * sizeof *br);
	if (!s || !br)
		return refuse(im, "out of memory");
	s->join = kind;
	s->nbranches = k;
	s->branches = br;
	for (int j = 0; j < k; j++)
		if (in[j] != fork) {
			br[j] = im->v[in[j]].list;
			im->v[in[j]].list = (ilist){ NULL, NULL };
		}
	/* the k readers of the fork become one: the join */
	vf->uses -= k - 1;
	value *vy = &im->v[y];
	if (vf->uses > 1) {
		vy->base = fork;
		vy->list = (ilist){ NULL, NULL };
	} else {
		vy->base = vf->base;
		vy->list = vf->list;
		vf->list = (ilist){ NULL, NULL };
	}
	vy->depth = depth + 1;
	append(&vy->list, s);
	return 0;
}

/* ---- GELU, which opset 13 says in five nodes ---- */

/* Node k's input that is a float constant near want, or -1; the index of
 * its other input in *other. */
static int const_input(importer *im, const Onnx__NodeProto *nd, double want, int *other)
{
	if (nd->n_input != 2)
		return -1;
	for (int i = 0; i < 2; i++) {
		const Onnx__TensorProto *t = initializer(im, nd->input[i]);
		double v = 0;
		if (!t || t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
			continue;
		int one = 1, rc = 0;
		for (size_t d = 0; d < t->n_dims; d++)
			one &= t->dims[d] == 1;
		if (one && t->n_float_data == 1)
			v = t->float_data[0];
		else if (one && t->has_raw_data && t->raw_data.len == 4)
			rc = scalar(im, t, &v);   /* cannot fail: one float */
		else
			rc = -1;
		if (one && rc == 0 && fabs(v - want) < 1e-4) {
			*other = 1 - i;
			return i;
		}
	}
	return -1;
}

/* The one node that reads node k's output, when it is op; else -1. */
static int only_reader(importer *im, int k, const char *op)
{
	const Onnx__NodeProto *nd = im->g->node[k];
	long s = nd->n_output ? lookup(im, nd->output[0]) : 0;
	if (s <= 0 || im->v[s - 1].uses != 1)
		return -1;
	int r = im->v[s - 1].reader;
	const Onnx__NodeProto *rd = im->g->node[r];
	return r > k && rd->op_type && strcmp(rd->op_type, op) == 0 ? r : -1;
}

/* x * 0.5 * (1 + erf(x / sqrt(2))) from the Div at node k: Div, Erf, Add,
 * Mul by x, Mul by 0.5, as netlang and PyTorch export it.  Returns the
 * last node, or -1 when the nodes do not say GELU. */
static int gelu_at(importer *im, int k, int *x)
{
	const Onnx__NodeProto *div = im->g->node[k];
	int xi, o;
	if (const_input(im, div, sqrt(2.0), &xi) != 1 || xi != 0)
		return -1;
	int erf = only_reader(im, k, "Erf");
	int add = erf < 0 ? -1 : only_reader(im, erf, "Add");
	int mul = add < 0 || const_input(im, im->g->node[add], 1.0, &o) < 0 ? -1
	        : only_reader(im, add, "Mul");
	int half = mul < 0 ? -1 : only_reader(im, mul, "Mul");
	if (half < 0 || const_input(im, im->g->node[half], 0.5, &o) < 0)
		return -1;
	const Onnx__NodeProto *m = im->g->node[mul];
	/* the Mul reads the Div's input beside the Add's output */
	const char *in = div->input[0];
	if (m->n_input != 2 || !in || !m->input[0] || !m->input[1] ||
	    (strcmp(m->input[0], in) != 0 && strcmp(m->input[1], in) != 0))
		return -1;
	long s = lookup(im, in);
	if (s <= 0 || !im->v[s - 1].defined || im->v[s - 1].uses < 2)
		return -1;
	*x = (int)(s - 1);
	im->done[erf] = im->done[add] = im->done[mul] = 1;
	return half;
}

static int read_node(importer *im, int k)
{
	const Onnx__NodeProto *nd = im->g->node[k];
	im->node = k;
	if (im->done[k])
		return 0;
	if (!nd->op_type)
		return refuse(im, "no op type");
	if (nd->domain && *nd->domain && strcmp(nd->domain, "ai.onnx") != 0)
		return refuse(im, "operator of domain '%.100s'; netlang reads ONNX's own",
		              nd->domain);
	if (nd->n_output < 1 || !nd->output[0] || !*nd->output[0])
		return refuse(im, "no output");
	if (strcmp(nd->op_type, "Constant") == 0 || lookup(im, nd->output[0]) < 0)
		return 0;  /* a constant, read with the initializers */
	int gx;
	int last = strcmp(nd->op_type, "Div") == 0 ? gelu_at(im, k, &gx) : -1;
	if (last >= 0) {
		const Onnx__NodeProto *ld = im->g->node[last];
		long ys = ld->n_output && ld->output[0] ? lookup(im, ld->output[0]) : 0;
		istmt *s = new_stmt(im);
		if (ys <= 0 || !s)
			return refuse(im, "out of memory");
		snprintf(s->text, sizeof s->text, "%s", nl_kind_name(NL_GELU));
		im->v[gx].uses--;   /* the Div and the Mul read x as one layer */
		extend(im, gx, (int)(ys - 1), s);
		im->v[ys - 1].defined = 1;
		im->done[last] = 1;
		return 0;
	}
	long ys = lookup(im, nd->output[0]);
	if (ys <= 0 || im->v[ys - 1].node != k)
		return refuse(im, "output '%.100s' is made twice", nd->output[0]);
	int y = (int)(ys - 1);
	int join_kind = strcmp(nd->op_type, "Concat") == 0 ? NL_CONCAT
	              : strcmp(nd->op_type, "Add") == 0 || strcmp(nd->op_type, "Sum") == 0
	              ? NL_ADD : 0;
	if (join_kind) {
		long axis;
		if (join_kind == NL_CONCAT && attr_int(im, nd, "axis", 1, 1, 1, &axis))
			return -1;
		if (nd->n_input < 2 || nd->n_input > 100000)
			return refuse(im, "%zu inputs; a join takes at least two", nd->n_input);
		int *in = malloc(nd->n_input * sizeof *in);
		if (!in)
			return refuse(im, "out of memory");
		int rc = 0;
		for (size_t i = 0; i < nd->n_input && rc == 0; i++)
			rc = (in[i] = value_of(im, nd->input[i])) < 0 ? -1 : 0;
		if (rc == 0)
			rc = join(im, in, (int)nd->n_input, y, join_kind);
		free(in);
		im->v[y].defined = 1;
		return rc;
	}
	if (nd->n_input < 1)
		return refuse(im, "no input");
	int x = value_of(im, nd->input[0]);
	if (x < 0)
		return -1;
	char text[96];
	int rc = layer_text(im, nd, text, sizeof text);
	if (rc < 0)
		return -1;
	istmt *s = NULL;
	if (rc == 0) {
		if (!(s = new_stmt(im)))
			return -1;
		memcpy(s->text, text, sizeof text);
	}
	extend(im, x, y, s);
	im->v[y].defined = 1;
	return 0;
}

/* ---- the program ---- */

static void put_list(FILE *f, const ilist *l, int depth);

static void indent(FILE *f, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", f);
}

static void put_list(FILE *f, const ilist *l, int depth)
{
	for (const istmt *s = l->head; s; s = s->next) {
		indent(f, depth);
		if (!s->join) {
			fprintf(f, "%s\n", s->text);
			continue;
		}
		fprintf(f, "%s {\n", s->join == NL_CONCAT ? "concat" : "add");
		for (int b = 0; b < s->nbranches; b++) {
			indent(f, depth + 1);
			if (!s->branches[b].head) {
				fputs("branch { }\n", f);
				continue;
			}
			fputs("branch {\n", f);
			put_list(f, &s->branches[b], depth + 2);
			indent(f, depth + 1);
			fputs("}\n", f);
		}
		indent(f, depth);
		fputs("}\n", f);
	}
}

/* The graph's input: the one that is not an initializer, N x C x H x W;
 * it becomes value 0. */
static int find_input(importer *im, long chw[3])
{
	const Onnx__GraphProto *g = im->g;
	const Onnx__ValueInfoProto *in = NULL;
	for (size_t i = 0; i < g->n_input; i++) {
		if (!g->input[i]->name || initializer(im, g->input[i]->name))
			continue;
		if (in)
			return refuse(im, "more than one input ('%.100s', '%.100s'); a netlang "
			              "network has one", in->name, g->input[i]->name);
		in = g->input[i];
	}
	if (!in)
		return refuse(im, "the graph has no input");
	const Onnx__TypeProto *t = in->type;
	const Onnx__TensorShapeProto *sh = t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
	                                   t->tensor_type ? t->tensor_type->shape : NULL;
	if (!sh || sh->n_dim != 4)
		return refuse(im, "input '%.100s' is not an N x C x H x W tensor", in->name);
	for (int d = 1; d < 4; d++) {
		const Onnx__TensorShapeProto__Dimension *dim = sh->dim[d];
		if (dim->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
		    dim->dim_value < 1 || dim->dim_value > MAX_SIZE)
			return refuse(im, "input '%.100s' has no fixed size for its dimension %d",
			              in->name, d + 1);
		chw[d - 1] = (long)dim->dim_value;
	}
	long *s = slot(im, in->name);
	if (*s)
		return refuse(im, "input '%.100s' is also an initializer", in->name);
	*s = 1;
	im->v[0] = (value){ .name = in->name, .node = -1, .base = -1, .defined = 1 };
	return 0;
}

/* Name every value and initializer, and count each value's readers. */
static int index_names(importer *im, long chw[3])
{
	const Onnx__GraphProto *g = im->g;
	size_t names = g->n_initializer + g->n_input + 1;
	for (size_t k = 0; k < g->n_node; k++)
		names += g->node[k]->n_output;
	im->nslots = 16;
	while (im->nslots < 2 * names)
		im->nslots *= 2;
	im->keys = calloc(im->nslots, sizeof *im->keys);
	im->slots = calloc(im->nslots, sizeof *im->slots);
	im->v = calloc(names, sizeof *im->v);
	im->consts = calloc(names, sizeof *im->consts);
	im->done = calloc(g->n_node + 1, 1);
	if (!im->keys || !im->slots || !im->v || !im->consts || !im->done)
		return refuse(im, "out of memory");
	for (size_t i = 0; i < g->n_initializer; i++) {
		const char *nm = g->initializer[i]->name;
		im->consts[im->nconsts] = g->initializer[i];
		if (nm && *nm)
			*slot(im, nm) = -(long)im->nconsts - 1;
		im->nconsts++;
	}
	if (find_input(im, chw))
		return -1;
	im->nv = 1;
	for (size_t k = 0; k < g->n_node; k++) {
		const Onnx__NodeProto *nd = g->node[k];
		for (size_t o = 0; o < nd->n_output; o++) {
			const char *nm = nd->output[o];
			if (!nm || !*nm)
				continue;
			long *s = slot(im, nm);
			if (*s) {
				im->node = (int)k;
				return refuse(im, "output '%.100s' is already a value of the graph", nm);
			}
			if (o == 0 && nd->op_type && strcmp(nd->op_type, "Constant") == 0) {
				/* a constant, as good as an initializer */
				const Onnx__AttributeProto *a = attribute(nd, "value");
				im->node = (int)k;
				if (!a || !a->t)
					return refuse(im, "a constant netlang cannot read (no tensor "
					              "value)");
				im->consts[im->nconsts] = a->t;
				*s = -(long)im->nconsts - 1;
				im->nconsts++;
				continue;
			}
			if (o == 0 && nd->op_type && strcmp(nd->op_type, "Identity") == 0 &&
			    nd->n_input == 1 && nd->input[0] && lookup(im, nd->input[0]) < 0) {
				/* another name for a constant (PyTorch writes these) */
				*s = lookup(im, nd->input[0]);
				continue;
			}
			*s = im->nv + 1;
			im->v[im->nv++] = (value){ .name = nm, .node = (int)k, .base = -1,
			                           .side = o > 0 };
		}
	}
	for (size_t k = 0; k < g->n_node; k++) {
		const Onnx__NodeProto *nd = g->node[k];
		for (size_t i = 0; i < nd->n_input; i++) {
			long s = nd->input[i] && *nd->input[i] ? lookup(im, nd->input[i]) : 0;
			if (s > 0) {
				im->v[s - 1].uses++;
				im->v[s - 1].reader = (int)k;
			}
		}
	}
	return 0;
}

int nl_import_onnx_buffer(FILE *out, FILE *diag, const char *path, const uint8_t *data,
                          size_t len)
{
	importer im = { .path = path, .diag = diag, .node = -1 };
	int rc = -1;
	char *text = NULL;
	size_t text_len = 0;
	FILE *prog = NULL;
	Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, data);
	if (!m) {
		fprintf(diag, "netlang: %s: not an ONNX model (its protobuf does not parse)\n",
		        path);
		return -1;
	}
	if (!m->graph) {
		refuse(&im, "the model has no graph");
		goto out;
	}
	im.g = m->graph;
	long chw[3];
	if (index_names(&im, chw))
		goto out;
	for (size_t k = 0; k < im.g->n_node; k++)
		if (read_node(&im, (int)k))
			goto out;
	im.node = -1;
	if (im.g->n_output != 1 || !im.g->output[0]->name) {
		refuse(&im, "%zu outputs; a netlang network has one", im.g->n_output);
		goto out;
	}
	long os = lookup(&im, im.g->output[0]->name);
	if (os <= 1 || im.v[os - 1].side) {
		refuse(&im, "the output '%.100s' is not made by a layer", im.g->output[0]->name);
		goto out;
	}
	const value *vo = &im.v[os - 1];
	for (int i = 1; i < im.nv; i++)
		if (i != os - 1 && !im.v[i].side && im.v[i].uses == 0) {
			im.node = im.v[i].node;
			refuse(&im, "its output '%.100s' is never used", im.v[i].name);
			goto out;
		}
	if (vo->uses) {
		refuse(&im, "the output '%.100s' is also read by a node", vo->name);
		goto out;
	}
	if (vo->base != -1) {
		refuse(&im, "branches from '%.100s' never join", im.v[vo->base].name);
		goto out;
	}
	if (im.oom)
		goto out;

	/* the program, checked by the front end before it is printed */
	prog = open_memstream(&text, &text_len);
	if (!prog) {
		refuse(&im, "out of memory");
		goto out;
	}
	const char *base = strrchr(path, '/');
	fprintf(prog, "# %s: imported from ONNX by netlang %s", base ? base + 1 : path,
	        PACKAGE_VERSION);
	if (m->producer_name && *m->producer_name && strlen(m->producer_name) < 100 &&
	    !strpbrk(m->producer_name, "\n\r"))
		fprintf(prog, " (written by %s)", m->producer_name);
	fprintf(prog, "\ninput %ldx%ldx%ld\n", chw[0], chw[1], chw[2]);
	put_list(prog, &vo->list, 0);
	if (fclose(prog)) {
		prog = NULL;
		refuse(&im, "out of memory");
		goto out;
	}
	prog = NULL;
	nl_ctx *cx = nl_ctx_new();
	char *msgs = NULL;
	size_t msgs_len = 0;
	FILE *df = open_memstream(&msgs, &msgs_len);
	if (!cx || !df) {
		if (df)
			fclose(df);
		free(msgs);
		nl_ctx_free(cx);
		refuse(&im, "out of memory");
		goto out;
	}
	nl_set_diag_stream(cx, df);
	nl_graph *g = nl_load_string(cx, "<import>", 1, text, text_len) == NL_OK ? nl_build(cx)
	                                                                         : NULL;
	fclose(df);
	nl_ctx_free(cx);
	if (!g) {
		fprintf(diag, "netlang: %s: its layers do not make a network netlang accepts:\n"
		        "%s", path, msgs ? msgs : "");
		free(msgs);
		goto out;
	}
	free(msgs);
	nl_graph_free(g);
	fwrite(text, 1, text_len, out);
	rc = fflush(out) || ferror(out) ? -1 : 0;
out:
	if (prog)
		fclose(prog);
	free(text);
	for (size_t i = 0; i < im.nblocks; i++)
		free(im.blocks[i]);
	free(im.blocks);
	free(im.keys);
	free(im.slots);
	free(im.consts);
	free(im.done);
	free(im.v);
	onnx__model_proto__free_unpacked(m, NULL);
	return rc;
}

int nl_import_onnx(FILE *out, const char *path)
{
	/* A FIFO, a device or a directory is refused at once, never waited on
	 * or read without end. */
	const char *why = NULL;
	long long size = 0;
	int fd = nl_open_regular(path, &why, &size);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		fprintf(stderr, "netlang: %s: %s\n", path, fd >= 0 ? strerror(errno) : why);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (size > MAX_MODEL_BYTES) {
		fprintf(stderr, "netlang: %s: larger than the 2 GiB an ONNX file holds\n", path);
		fclose(f);
		return -1;
	}
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			size_t c = cap ? cap * 2 : (size_t)size + 1;   /* one read, when it holds still */
			uint8_t *d = c <= (size_t)MAX_MODEL_BYTES + 1 ? realloc(data, c) : NULL;
			if (!d) {
				fprintf(stderr, "netlang: %s: %s\n", path, c > (size_t)MAX_MODEL_BYTES
				        ? "larger than the 2 GiB an ONNX file holds" : "out of memory");
				free(data);
				fclose(f);
				return -1;
			}
			data = d;
			cap = c;
		}
		size_t n = fread(data + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		fprintf(stderr, "netlang: %s: read error\n", path);
		free(data);
		return -1;
	}
	int rc = nl_import_onnx_buffer(out, stderr, path, data, len);
	free(data);
	return rc;
}
