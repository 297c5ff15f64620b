/* imageset.h - a labelled set of images in memory: what every data source
 * (IDX files, CIFAR-10's batches, a folder of PNG and JPEG images) loads
 * and the trainer uploads to the backend as it is.
 */
#ifndef NL_IMAGESET_H
#define NL_IMAGESET_H

#include <stdint.h>

/* Grey (1) or RGB (3): the channel counts a data set's images can have. */
#define NL_DATA_MAX_C 3

typedef struct nl_dataset {
	uint8_t *images;    /* n images of c x h x w bytes: each image's channels
	                       one plane after another, rows top to bottom */
	uint8_t *labels;    /* n labels, each < classes */
	int n, c, h, w, classes;
	char **names;       /* the classes' names, or NULL where the source has none */
} nl_dataset;

void nl_dataset_free(nl_dataset *d);

/* Give d a copy of k class names (k == d->classes).  0, or -1 on
 * out-of-memory (d unchanged). */
int nl_dataset_set_names(nl_dataset *d, const char *const *names, int k);

#endif
