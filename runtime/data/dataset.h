/* dataset.h - open the data set a run names: its train and test halves.
 *
 * What a run names (--data, or data in train { }) is one of
 *   NULL                the default, fashion-mnist
 *   a known name        fashion-mnist, mnist, cifar10 (data_sets.h): looked
 *                       up, or downloaded, as data_fetch.h describes
 *   folder:DIR          a folder of images in class folders (data_folder.h)
 *   DIR                 a directory holding the four IDX files of the MNIST
 *                       family, CIFAR-10's batches (cifar.h), or else class
 *                       folders of images
 * (a name wins over a directory of the same name: write ./mnist for that).
 */
#ifndef NL_DATASET_H
#define NL_DATASET_H

#include <stddef.h>
#include "runtime/data/imageset.h"

typedef struct nl_data_request {
	const char *spec;   /* as above */
	int c, h, w;        /* the net's input: what a folder of images is decoded to */
	double split;       /* a folder's held-out fraction; 0: the default */
} nl_data_request;

/* Returns 0 with both halves loaded and where they came from in where, or
 * -1 after messages on stderr (the last of which, when nothing was found,
 * says which files to put where). */
int nl_data_open(const nl_data_request *rq, nl_dataset *train, nl_dataset *test,
                 char *where, size_t wherelen);

/* The same for a set that needs no decoding (a name, or a directory of
 * IDX files or CIFAR-10 batches). */
int nl_dataset_open(const char *spec, nl_dataset *train, nl_dataset *test,
                    char *where, size_t wherelen);

#endif
