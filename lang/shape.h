/* shape.h - shape, parameter and FLOP rules of each layer kind. */
#ifndef NL_SHAPE_H
#define NL_SHAPE_H

#include <stddef.h>

#include "lang/graph.h"

/* Fill nd->shape, nd->params and nd->flops from the input shape(s) and the
 * node's attributes.  On error returns -1 with the reason in `why`. */
int nl_shape_layer(nl_node *nd, const nl_shape *in, char *why, size_t n);

/* "96x54x54" (rank 4, without the batch) or "4096" (rank 2). */
const char *nl_shape_str(const nl_shape *s, char *buf, size_t n);

#endif
