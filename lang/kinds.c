/* kinds.c - the table of layer kinds (kinds.def) and what is derived from
 * it: names, keyword look-up, and a node written back as text. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "lang/kinds.h"

static const nl_kind_info table[] = {
#define NL_KIND(ID, fn, word, syntax, shape, torch, torch_flat, params, flags, wcode, cost) \
	{ word, syntax, shape, torch, torch_flat, params, flags, wcode, cost },
#include "lang/kinds.def"
#undef NL_KIND
};

_Static_assert(sizeof table / sizeof table[0] == NL_NKINDS,
               "kinds.def: one row per nl_kind");

static const nl_kind_info unknown = { "?", NL_SYN_NONE, NL_SHP_SAME, "?", NULL,
                                      NL_PAR_NONE, 0, 0, 0 };

/* Other spellings of a row's keyword. */
static const struct { const char *word; nl_kind kind; } aliases[] = {
	{ "linear", NL_FC },
};
enum { NALIASES = sizeof aliases / sizeof aliases[0] };

const nl_kind_info *nl_kind_info_of(nl_kind k)
{
	return (unsigned)k < NL_NKINDS ? &table[k] : &unknown;
}

const char *nl_kind_name(nl_kind k)
{
	return nl_kind_info_of(k)->word;
}

const char *nl_kind_torch_name(nl_kind k)
{
	return nl_kind_info_of(k)->torch;
}

const char *nl_node_torch_name(const nl_node *nd)
{
	const nl_kind_info *ki = nl_kind_info_of(nd->kind);
	return ki->torch_flat && nd->shape.rank == 2 ? ki->torch_flat : ki->torch;
}

static int same(const char *word, const char *s, size_t len)
{
	return strncmp(word, s, len) == 0 && word[len] == '\0';
}

/* The scanner asks for every name it reads, so the test is cheap: the
 * first byte decides almost every miss. */
int nl_kind_lookup(const char *word, size_t len, const char **spelling)
{
	if (len == 0)
		return -1;
	for (int k = 0; k < NL_NKINDS; k++)
		if (table[k].word[0] == word[0] && table[k].syntax != NL_SYN_NONE &&
		    table[k].syntax != NL_SYN_GLOBAL && same(table[k].word, word, len)) {
			if (spelling)
				*spelling = table[k].word;
			return k;
		}
	for (int i = 0; i < NALIASES; i++)
		if (aliases[i].word[0] == word[0] && same(aliases[i].word, word, len)) {
			if (spelling)
				*spelling = aliases[i].word;
			return (int)aliases[i].kind;
		}
	return -1;
}

int nl_kind_global_of(nl_kind pool)
{
	const char *w = nl_kind_info_of(pool)->word;
	size_t len = strlen(w);
	for (int k = 0; k < NL_NKINDS; k++)
		if (table[k].syntax == NL_SYN_GLOBAL && strncmp(table[k].word, w, len) == 0 &&
		    table[k].word[len] == ' ')
			return k;
	return -1;
}

const char *nl_kind_keyword(int i)
{
	for (int k = 0; k < NL_NKINDS; k++) {
		if (table[k].syntax == NL_SYN_NONE || table[k].syntax == NL_SYN_GLOBAL)
			continue;
		if (i-- == 0)
			return table[k].word;
	}
	return i >= 0 && i < NALIASES ? aliases[i].word : NULL;
}

char *nl_kind_usage(nl_kind k, char *buf, size_t len)
{
	const char *w = nl_kind_info_of(k)->word;
	switch (nl_kind_info_of(k)->syntax) {
	case NL_SYN_CONV:
		snprintf(buf, len, "%s KxK[/S] -> C [pad P], e.g. %s 3x3 -> 64 pad 1", w, w);
		break;
	case NL_SYN_POOL:
		snprintf(buf, len, "%s KxK[/S] [pad P], e.g. %s 3x3/2", w, w);
		break;
	case NL_SYN_FEATURES:
		snprintf(buf, len, "%s N (N outputs), e.g. %s 10", w, w);
		break;
	case NL_SYN_PROB:
		snprintf(buf, len, "%s P (a probability), e.g. %s 0.5", w, w);
		break;
	default:
		snprintf(buf, len, "%s", w);
		break;
	}
	return buf;
}

/* "3x3", "/2" or "/2x1", " pad 1" or " pad 1x0": a pair that is square
 * is written once. */
static size_t put_pair(char *buf, size_t len, size_t k, const char *before,
                       int a, int b)
{
	int n = a == b ? snprintf(buf + k, k < len ? len - k : 0, "%s%d", before, a)
	               : snprintf(buf + k, k < len ? len - k : 0, "%s%dx%d", before, a, b);
	return k + (size_t)(n > 0 ? n : 0);
}

char *nl_node_text(const nl_node *nd, char *buf, size_t len)
{
	const nl_kind_info *ki = nl_kind_info_of(nd->kind);
	size_t k = 0;
	if (!len)
		return buf;
	buf[0] = '\0';
#define PUT(...) (k += (size_t)snprintf(buf + k, k < len ? len - k : 0, __VA_ARGS__))
	switch (ki->syntax) {
	case NL_SYN_CONV: case NL_SYN_POOL: {
		PUT("%s %dx%d", ki->word, nd->kh, nd->kw);
		/* the stride a pool is written without is its kernel, a conv's
		 * 1; a stride written is shown as written (avgpool 2x2/2) */
		int dh = ki->syntax == NL_SYN_POOL ? nd->kh : 1;
		int dw = ki->syntax == NL_SYN_POOL ? nd->kw : 1;
		if (nd->sh != dh || nd->sw != dw || nd->stride_written)
			k = put_pair(buf, len, k, "/", nd->sh, nd->sw);
		if (ki->syntax == NL_SYN_CONV)
			PUT(" -> %d", nd->out);
		if (nd->ph || nd->pw)
			k = put_pair(buf, len, k, " pad ", nd->ph, nd->pw);
		break;
	}
	case NL_SYN_FEATURES:
		PUT("%s %d", ki->word, nd->out);
		break;
	case NL_SYN_PROB:
		PUT("%s %g", ki->word, (double)nd->p);
		break;
	default:
		if (ki->shape == NL_SHP_JOIN)
			PUT("%s (%d branches)", ki->word, nd->ninputs);
		else if (ki->shape == NL_SHP_INPUT)
			PUT("%s %dx%dx%d", ki->word, nd->shape.c, nd->shape.h, nd->shape.w);
		else
			PUT("%s", ki->word);
		break;
	}
#undef PUT
	return buf;
}
