/* data.h - data sets and files: finding, fetching and loading a data set
 * (dataset.h), weights files (weights.h), and writing any file atomically
 * (atomic_file.h).  What the rest of the program uses of runtime/data/;
 * idx.h and md5.h are the folder's own. */
#ifndef NL_DATA_H
#define NL_DATA_H

#include "runtime/data/atomic_file.h"
#include "runtime/data/dataset.h"
#include "runtime/data/weights.h"

#endif
