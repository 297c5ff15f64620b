/* data_fetch.h - find a known data set, or download it.
 *
 * A set is looked up, first hit wins, in
 *   1. $NETLANG_DATA/NAME, then $NETLANG_DATA itself: a $NETLANG_DATA that
 *      is not a directory, a NAME there that is not the whole set, or a
 *      $NETLANG_DATA holding only part of its files is an error (what the
 *      user pointed at is wrong), not a reason to load another copy
 *   2. the user's cache, $XDG_CACHE_HOME/netlang/NAME (~/.cache/netlang/NAME)
 *   3. the system's copy, /usr/share/datasets/NAME (Debian's package
 *      dataset-fashion-mnist installs Fashion-MNIST there); tests point
 *      $NETLANG_SYSTEM_DATA_DIR elsewhere instead of /usr/share/datasets
 * and where none has all its files they are downloaded into the cache with
 * curl, from the publisher's site or from $NETLANG_DATA_URL/NAME/ (a mirror
 * laid out like $NETLANG_DATA), each checked against its published MD5 and
 * renamed into place only when it matches.  A file already in the cache is
 * kept when either its MD5 or that of its content is the official one.
 */
#ifndef NL_DATA_FETCH_H
#define NL_DATA_FETCH_H

#include <stddef.h>
#include "runtime/data/data_sets.h"
#include "runtime/data/idx.h"

/* Returns 0 with both halves loaded and the directory used in where, or -1
 * after messages on stderr (the last of which, when nothing was found, says
 * which files to put where). */
int nl_fetch_open(const nl_known_set *ks, nl_dataset *train, nl_dataset *test,
                  char *where, size_t wherelen);

/* The user's cache directory for name ($XDG_CACHE_HOME/netlang/name or
 * ~/.cache/netlang/name), malloc'd; NULL when there is no home. */
char *nl_cache_dir(const char *name);

/* mkdir -p, mode 0755 for what it creates.  0, or -1 with errno set. */
int nl_make_dirs(const char *dir);

#endif
