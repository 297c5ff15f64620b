/* dataset.h - find, fetch if need be, and load a data set's train and test
 * halves.
 *
 * spec is NULL (meaning "fashion-mnist"), a data set's name ("fashion-mnist"
 * or "mnist"), or a directory holding the four standard IDX files
 *     train-images-idx3-ubyte[.gz]  train-labels-idx1-ubyte[.gz]
 *     t10k-images-idx3-ubyte[.gz]   t10k-labels-idx1-ubyte[.gz]
 * (a name wins over a directory of the same name: write ./mnist for that).
 *
 * A name is looked up, first hit wins, in
 *   1. $NETLANG_DATA/NAME, then $NETLANG_DATA itself
 *   2. the user's cache, $XDG_CACHE_HOME/netlang/NAME (~/.cache/netlang/NAME)
 *   3. the system's copy, /usr/share/datasets/NAME (Debian's package
 *      dataset-fashion-mnist installs Fashion-MNIST there); tests point
 *      $NETLANG_SYSTEM_DATA_DIR elsewhere instead of /usr/share/datasets
 * and where none has all four files they are downloaded into the cache with
 * curl, from the publisher's site or from $NETLANG_DATA_URL/NAME/ (a mirror
 * laid out like $NETLANG_DATA), each checked against its published MD5 and
 * renamed into place only when it matches.
 */
#ifndef NL_DATASET_H
#define NL_DATASET_H

#include <stddef.h>
#include "runtime/data/idx.h"

/* Returns 0 with both halves loaded and the directory used in where, or -1
 * after messages on stderr (the last of which, when nothing was found, says
 * which files to put where). */
int nl_dataset_open(const char *spec, nl_dataset *train, nl_dataset *test,
                    char *where, size_t wherelen);

#endif
