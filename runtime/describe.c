/* describe.c - one node as the user wrote it, for reports. */
#include <config.h>

#include <stdio.h>
#include "runtime/train.h"

void nl_node_describe(const nl_node *nd, char *buf, size_t len)
{
	char k[32], s[32] = "", pad[32] = "";
	snprintf(k, sizeof k, "%dx%d", nd->kh, nd->kw);
	if (nd->sh != 1 || nd->sw != 1) {
		if (nd->sh == nd->sw)
			snprintf(s, sizeof s, "/%d", nd->sh);
		else
			snprintf(s, sizeof s, "/%dx%d", nd->sh, nd->sw);
	}
	if (nd->ph || nd->pw) {
		if (nd->ph == nd->pw)
			snprintf(pad, sizeof pad, " pad %d", nd->ph);
		else
			snprintf(pad, sizeof pad, " pad %dx%d", nd->ph, nd->pw);
	}
	switch (nd->kind) {
	case NL_CONV:
		snprintf(buf, len, "conv %s%s -> %d%s", k, s, nd->out, pad);
		break;
	case NL_MAXPOOL:
	case NL_AVGPOOL:
		if (nd->sh == nd->kh && nd->sw == nd->kw)
			s[0] = 0;   /* the default stride is the kernel */
		else if (nd->sh == nd->sw)
			snprintf(s, sizeof s, "/%d", nd->sh);
		snprintf(buf, len, "%s %s%s%s", nl_kind_name(nd->kind), k, s, pad);
		break;
	case NL_FC:
		snprintf(buf, len, "fc %d", nd->out);
		break;
	case NL_DROPOUT:
		snprintf(buf, len, "dropout %g", nd->p);
		break;
	default:
		snprintf(buf, len, "%s", nl_kind_name(nd->kind));
		break;
	}
}
