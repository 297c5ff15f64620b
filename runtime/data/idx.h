/* idx.h - read an image set and its labels from IDX files (the format of
 * MNIST and Fashion-MNIST), gzipped or plain.
 *
 * Everything read from the files is checked before it is trusted: a bad or
 * hostile file gives an error message naming the file and what is wrong,
 * never a crash, and memory grows only with the data actually present (a
 * header that claims 2^31 images does not allocate for them).
 */
#ifndef NL_IDX_H
#define NL_IDX_H

#include <stddef.h>
#include <stdint.h>
#include "runtime/data/imageset.h"

/* Both supported data sets have ten classes; a label outside 0..9 means the
 * file is not one of them (or is damaged). */
#define NL_IDX_CLASSES 10

/* Limits that no real image set comes near; beyond them a header is taken
 * to be damaged ("absurd dimensions") rather than read. */
#define NL_IDX_MAX_SIDE 4096

/* Load an images file (magic 0x00000803: n x h x w unsigned bytes) and a
 * labels file (0x00000801: n unsigned bytes).  Returns 0, or -1 with a
 * message in err (never longer than errlen - 1) and *out zeroed. */
int nl_idx_load(const char *images, const char *labels, nl_dataset *out,
                char *err, size_t errlen);

/* A data set in the MNIST family is four files in one directory, each
 * plain or gzipped (NAME or NAME.gz; the plain one wins). */
#define NL_IDX_NFILES 4
extern const char *const nl_idx_files[NL_IDX_NFILES];  /* train images, train
                                                          labels, test images,
                                                          test labels */

/* How many of the four dir holds (missing[i] says which not), -1 on
 * out-of-memory. */
int nl_idx_dir_count(const char *dir, int missing[NL_IDX_NFILES]);

/* Load both halves from dir.  Returns 0, or -1 with a message in err. */
int nl_idx_dir_load(const char *dir, nl_dataset *train, nl_dataset *test, char *err,
                    size_t errlen);

#endif
