/* dataset.h - open the data set a run names: its train and test halves.
 *
 * spec is NULL (meaning "fashion-mnist"), a known data set's name
 * (data_sets.h: fashion-mnist, mnist), or a directory holding the four
 * standard IDX files
 *     train-images-idx3-ubyte[.gz]  train-labels-idx1-ubyte[.gz]
 *     t10k-images-idx3-ubyte[.gz]   t10k-labels-idx1-ubyte[.gz]
 * (a name wins over a directory of the same name: write ./mnist for that).
 * A name is found, or downloaded, as data_fetch.h describes.
 */
#ifndef NL_DATASET_H
#define NL_DATASET_H

#include <stddef.h>
#include "runtime/idx.h"

/* Returns 0 with both halves loaded and the directory used in where, or -1
 * after messages on stderr (the last of which, when nothing was found, says
 * which files to put where). */
int nl_dataset_open(const char *spec, nl_dataset *train, nl_dataset *test,
                    char *where, size_t wherelen);

#endif
