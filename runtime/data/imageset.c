/* imageset.c - freeing and naming a data set in memory (see imageset.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "runtime/data/imageset.h"

static void free_names(char **names, int k)
{
	if (!names)
		return;
	for (int i = 0; i < k; i++)
		free(names[i]);
	free(names);
}

void nl_dataset_free(nl_dataset *d)
{
	if (!d)
		return;
	free(d->images);
	free(d->labels);
	free_names(d->names, d->classes);
	memset(d, 0, sizeof *d);
}

int nl_dataset_set_names(nl_dataset *d, const char *const *names, int k)
{
	char **v = calloc((size_t)k + 1, sizeof *v);
	if (!v)
		return -1;
	for (int i = 0; i < k; i++)
		if (!(v[i] = strdup(names[i]))) {
			free_names(v, k);
			return -1;
		}
	free_names(d->names, d->classes);
	d->names = v;
	return 0;
}
