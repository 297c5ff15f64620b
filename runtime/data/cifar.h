/* cifar.h - CIFAR-10 in its binary version ("for C programs").
 *
 * A batch file is a run of 3073-byte records: a label (0..9), then a 32x32
 * image as three 1024-byte planes, red, green, blue; the official set has
 * data_batch_1.bin .. data_batch_5.bin (50,000 training images) and
 * test_batch.bin (10,000), published together as cifar-10-binary.tar.gz,
 * whose members are cifar-10-batches-bin/NAME.
 *
 * A directory holds CIFAR-10 when it has test_batch.bin and
 * data_batch_1.bin (then _2, _3... as far as they go), directly or in
 * cifar-10-batches-bin/, or else the archive cifar-10-binary.tar.gz (read
 * as it is, nothing unpacked).  So the official set and a small file in
 * the same format load alike.
 */
#ifndef NL_CIFAR_H
#define NL_CIFAR_H

#include <stddef.h>
#include <stdint.h>
#include "runtime/data/imageset.h"

#define NL_CIFAR_SIDE 32
#define NL_CIFAR_CLASSES 10
#define NL_CIFAR_RECORD (1 + 3 * NL_CIFAR_SIDE * NL_CIFAR_SIDE)
#define NL_CIFAR_ARCHIVE "cifar-10-binary.tar.gz"
#define NL_CIFAR_MAX_BATCHES 5

/* airplane, automobile, ... truck, in label order. */
extern const char *const nl_cifar_names[NL_CIFAR_CLASSES];

/* 1 when dir holds CIFAR-10 in one of the forms above. */
int nl_cifar_dir_present(const char *dir);

/* 1 when dir holds part of it but not all: a batch file, or a
 * cifar-10-batches-bin folder, without the whole set. */
int nl_cifar_dir_partial(const char *dir);

/* Load both halves from dir.  Returns 0, or -1 with a message in err
 * naming the file and the problem. */
int nl_cifar_dir_load(const char *dir, nl_dataset *train, nl_dataset *test, char *err,
                      size_t errlen);

/* Append the records in data (len bytes of the batch called name) to d,
 * which starts zeroed or as an earlier call left it.  0, or -1 with a
 * message in err (d then holds what it held before). */
int nl_cifar_append(nl_dataset *d, const uint8_t *data, size_t len, const char *name,
                    char *err, size_t errlen);

#endif
