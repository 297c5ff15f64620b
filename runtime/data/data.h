/* data.h - data sets and files: the data a net trains on, checked against
 * it (net_data.h), finding, fetching and loading a data set (dataset.h),
 * weights files (weights.h), and writing any file atomically
 * (atomic_file.h).  What the rest of the program uses of runtime/data/;
 * the formats, decoders, caches and checksums beside them are the
 * folder's own. */
#ifndef NL_DATA_H
#define NL_DATA_H

#include "runtime/data/atomic_file.h"
#include "runtime/data/dataset.h"
#include "runtime/data/net_data.h"
#include "runtime/data/weights.h"

#endif
