/* data_sets.h - the data sets netlang knows by name: where each is
 * published, its files, and two checksums per file.
 *
 * md5 is the MD5 of the file as published (the one its publisher or
 * torchvision lists); a download must match it.  content_md5 is the MD5 of
 * the file's decompressed content: what identifies the data however it was
 * compressed.  Debian's dataset-fashion-mnist, for one, ships the official
 * IDX files gzipped again (same images and labels, other .gz bytes), so a
 * copy is the official data set when its contents match, whatever its .gz
 * bytes are.
 */
#ifndef NL_DATA_SETS_H
#define NL_DATA_SETS_H

#include <stdio.h>

typedef struct nl_known_file {
	const char *name;           /* as published: "train-images-idx3-ubyte.gz" */
	const char *md5;            /* of the published file */
	const char *content_md5;    /* of its decompressed content; NULL: not recorded */
} nl_known_file;

typedef enum nl_set_format {
	NL_SET_IDX,                 /* four IDX files (idx.h) */
	NL_SET_CIFAR                /* CIFAR-10's binary batches or their archive (cifar.h) */
} nl_set_format;

#define NL_KNOWN_MAX_FILES 4

typedef struct nl_known_set {
	const char *name;           /* "fashion-mnist": on the command line, in train { } */
	const char *url;            /* download base: url + files[i].name */
	const char *debian_package; /* NULL: Debian has none */
	nl_set_format format;
	int nfiles;
	nl_known_file files[NL_KNOWN_MAX_FILES];
	const char *const *class_names;     /* in label order; NULL: none */
} nl_known_set;

/* The set called name, or NULL. */
const nl_known_set *nl_known_set_named(const char *name);

/* "fashion-mnist, mnist, cifar10": the names, for messages. */
extern const char nl_known_set_names[];

/* Whether the copy of ks in dir is the official one, by content: each
 * file's decompressed MD5 against content_md5.  One line per file to out
 * (when not NULL).  Returns how many files differ or could not be read
 * (0: the official data). */
int nl_known_set_verify(const nl_known_set *ks, const char *dir, FILE *out);

#endif
