/* data_folder.h - a folder of images as a data set.
 *
 * The layout of torchvision's ImageFolder and Keras'
 * image_dataset_from_directory: one sub-folder per class, named after it,
 * holding that class's PNG and JPEG images (found by their .png, .jpg or
 * .jpeg names, in sub-folders too; names starting with a dot are
 * skipped).  Classes are numbered in the sorted order of their names.
 * Either
 *     DIR/CLASS/IMAGE                  a held-out fraction of each class
 *                                      (split) is the test set, or
 *     DIR/train/CLASS/IMAGE and DIR/test/CLASS/IMAGE
 *
 * The held-out images are the same on every run (a fixed seed, each class
 * shuffled on its own, so that adding images to one class leaves the
 * others' split alone): --eval measures the images training never saw.
 *
 * Every image is decoded (image.h) to the net's channels and scaled to
 * its input size once, then kept in the user's cache (image_cache.h).
 * Any image that cannot be used is an error naming it; nothing is cached
 * unless every image decoded.
 */
#ifndef NL_DATA_FOLDER_H
#define NL_DATA_FOLDER_H

#include <stddef.h>
#include "runtime/data/imageset.h"

/* The held-out fraction when a folder has no test/ and none is given. */
#define NL_FOLDER_DEFAULT_SPLIT 0.1

/* Load dir decoded to c (1 or 3) x h x w.  split is the held-out fraction
 * (0 < split < 1), or 0 for NL_FOLDER_DEFAULT_SPLIT.  Returns 0 with both
 * halves and a description in where, or -1 after a message on stderr. */
int nl_folder_open(const char *dir, int c, int h, int w, double split, nl_dataset *train,
                   nl_dataset *test, char *where, size_t wherelen);

/* 1 when dir has a sub-folder (what a folder of class folders has). */
int nl_folder_looks_like(const char *dir);

#endif
