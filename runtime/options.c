/* options.c - defaults for what the command line leaves unset. */
#include <config.h>

#include <string.h>
#include "runtime/options.h"

void nl_options_init(nl_options *o)
{
	memset(o, 0, sizeof *o);
	o->lr = -1;
	o->momentum = -1;
	o->weight_decay = -1;
	o->device = NL_DEV_AUTO;
	o->tf32 = 1;
	o->progress = -1;
	o->log_every = 0;
}
