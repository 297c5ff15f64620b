/* shape.c - output shapes, parameter counts and FLOPs, layer by layer.
 *
 * The rules are PyTorch's: out = floor((in + 2p - k) / s) + 1 for
 * convolution and pooling (no ceil_mode), parameters counted as
 * torch.nn counts them.  Everything is checked for overflow, since sizes
 * come from user arithmetic.
 */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/kinds.h"
#include "lang/shape.h"

const char *nl_shape_str(const nl_shape *s, char *buf, size_t n)
{
	if (s->rank == 2)
		snprintf(buf, n, "%d", s->c);
	else
		snprintf(buf, n, "%dx%dx%d", s->c, s->h, s->w);
	return buf;
}

/* a * b * c ... with overflow detection: returns -1 on overflow. */
static int64_t mul(int64_t a, int64_t b)
{
	int64_t r;
	if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r))
		return -1;
	return r;
}
static int64_t add(int64_t a, int64_t b)
{
	int64_t r;
	if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &r))
		return -1;
	return r;
}

static int64_t elems(const nl_shape *s)
{
	return mul(mul(s->c, s->h), s->w);
}

/* conv/pool output side; 0 when the kernel does not fit. */
static int64_t side(int64_t in, int k, int s, int p)
{
	int64_t padded = in + 2 * (int64_t)p;
	if (padded < k)
		return 0;
	return (padded - k) / s + 1;
}

static const char *word(const nl_node *nd)
{
	return nl_kind_name(nd->kind);
}

int nl_shape_layer(nl_node *nd, const nl_shape *in, char *why, size_t n)
{
	char sb[64];
	const nl_kind_info *ki = nl_kind_info_of(nd->kind);
	nl_shape out = *in;
	int64_t params = 0, flops = 0, e = elems(in);

	switch (ki->shape) {
	case NL_SHP_WINDOW: {
		if (in->rank != 4) {
			snprintf(why, n, "%s needs an image input (CxHxW), got %s features",
			         word(nd), nl_shape_str(in, sb, sizeof sb));
			return -1;
		}
		int64_t oh = side(in->h, nd->kh, nd->sh, nd->ph);
		int64_t ow = side(in->w, nd->kw, nd->sw, nd->pw);
		if (oh == 0 || ow == 0) {
			snprintf(why, n, "%s %dx%d on %s: kernel larger than padded input",
			         word(nd), nd->kh, nd->kw, nl_shape_str(in, sb, sizeof sb));
			return -1;
		}
		if (oh > INT_MAX || ow > INT_MAX) {
			snprintf(why, n, "%s on %s: output too large", word(nd),
			         nl_shape_str(in, sb, sizeof sb));
			return -1;
		}
		out.h = (int)oh;
		out.w = (int)ow;
		int64_t window = mul(nd->kh, nd->kw);
		if (ki->params == NL_PAR_WEIGHTS) {
			out.c = nd->out;
			/* weights in_c*out*kh*kw, bias out */
			params = add(mul(mul(in->c, nd->out), window), nd->out);
			int64_t outputs = elems(&out);
			flops = add(mul(mul(mul(2, in->c), window), outputs), outputs);
		} else {
			if (2 * (int64_t)nd->ph > nd->kh || 2 * (int64_t)nd->pw > nd->kw) {
				snprintf(why, n, "%s %dx%d pad %dx%d: padding may be at most "
				         "half the kernel", word(nd), nd->kh, nd->kw, nd->ph, nd->pw);
				return -1;
			}
			flops = mul(window, elems(&out));
		}
		break;
	}
	case NL_SHP_GLOBAL:
		if (in->rank != 4) {
			snprintf(why, n, "%s needs an image input (CxHxW), got %s "
			         "features", word(nd), nl_shape_str(in, sb, sizeof sb));
			return -1;
		}
		out.h = out.w = 1;
		flops = e;
		break;
	case NL_SHP_DENSE:
		if (in->rank != 2) {
			snprintf(why, n, "%s needs a flat input; add 'flatten' before it "
			         "(its input is %s)", word(nd), nl_shape_str(in, sb, sizeof sb));
			return -1;
		}
		out.c = nd->out;
		params = add(mul(in->c, nd->out), nd->out);
		flops = add(mul(mul(2, in->c), nd->out), nd->out);
		break;
	case NL_SHP_FLAT:
		if (e > INT_MAX || e < 0) {
			snprintf(why, n, "%s of %s: more than %d features", word(nd),
			         nl_shape_str(in, sb, sizeof sb), INT_MAX);
			return -1;
		}
		out.rank = 2;
		out.c = (int)e;
		out.h = out.w = 1;
		break;
	case NL_SHP_SAME:
		flops = mul(ki->cost, e);
		if (ki->params == NL_PAR_NORM)
			params = mul(2, in->c);  /* scale and shift per channel or feature */
		break;
	default:
		snprintf(why, n, "internal error: %s is not a single-input layer", word(nd));
		return -1;
	}
	if (params < 0 || flops < 0 || elems(&out) < 0) {
		snprintf(why, n, "%s on %s: sizes too large to count", word(nd),
		         nl_shape_str(in, sb, sizeof sb));
		return -1;
	}
	nd->shape = out;
	nd->params = params;
	nd->flops = flops;
	return 0;
}
