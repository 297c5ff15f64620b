/* image_cache.h - a folder of images decoded once: every image's pixels at
 * the net's size with its label, in one file in the user's cache
 * ($XDG_CACHE_HOME/netlang/images/KEY.bin, ~/.cache/... by default).
 *
 * KEY (data_folder.c) is the MD5 of all that decides the pixels: the
 * folder's listing (each image's path, size and modification time), the
 * class names, and the channels and size decoded to.  A changed, added or
 * removed image gives another key, hence a fresh decode.  The file is
 * written atomically and only after every image decoded, so a reader finds
 * a whole cache or none; on reading, its header must agree with what the
 * caller expects and its CRC-32 with its bytes, or it is not used.
 *
 * Layout, integers little-endian uint32:
 *   "NLIMAGES", version (1)
 *   c, h, w, classes, n, names_bytes, 0
 *   the class names, each NUL-terminated (names_bytes in all)
 *   n labels, n parts (one byte each; part 0 training, 1 the test folder)
 *   n images of c x h x w bytes (planar, as nl_dataset holds them)
 *   CRC-32 (zlib's) of every byte before it
 */
#ifndef NL_IMAGE_CACHE_H
#define NL_IMAGE_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "runtime/data/imageset.h"

/* Read path into all (every image, with names) and *parts (n bytes,
 * malloc'd).  It must hold n images of c x h x w in `classes` classes.
 * Returns 1 read, 0 no such file, -1 unusable (err says why; the caller
 * decodes again and replaces it). */
int nl_image_cache_read(const char *path, int n, int c, int h, int w, int classes,
                        nl_dataset *all, uint8_t **parts, char *err, size_t errlen);

/* Write all and parts to path atomically.  Returns 0, or -1 after a
 * message on stderr. */
int nl_image_cache_write(const char *path, const nl_dataset *all, const uint8_t *parts);

#endif
