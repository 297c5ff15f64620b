/* dataset.c - from what a run names to a loaded data set (see dataset.h). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "runtime/data/cifar.h"
#include "runtime/data/data_fetch.h"
#include "runtime/data/data_folder.h"
#include "runtime/data/dataset.h"

#define FOLDER_PREFIX "folder:"

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void set_where(char *where, size_t wherelen, const char *dir)
{
	if (wherelen)
		snprintf(where, wherelen, "%s", dir);
}

/* A directory that holds some but not all of the four IDX files, and no
 * other kind of data set: say which are missing. */
static int idx_missing(const char *dir, const int missing[NL_IDX_NFILES])
{
	fprintf(stderr, "netlang: %s does not hold all four IDX files; missing:", dir);
	for (int i = 0; i < NL_IDX_NFILES; i++)
		if (missing[i])
			fprintf(stderr, " %s[.gz]", nl_idx_files[i]);
	fprintf(stderr, "\n");
	return -1;
}

int nl_data_open(const nl_data_request *rq, nl_dataset *train, nl_dataset *test,
                 char *where, size_t wherelen)
{
	memset(train, 0, sizeof *train);
	memset(test, 0, sizeof *test);
	if (wherelen)
		where[0] = '\0';
	const char *spec = rq->spec && *rq->spec ? rq->spec : "fashion-mnist";
	const nl_known_set *ks = nl_known_set_named(spec);
	if (ks)
		return nl_fetch_open(ks, train, test, where, wherelen);
	int folder = strncmp(spec, FOLDER_PREFIX, strlen(FOLDER_PREFIX)) == 0;
	const char *dir = folder ? spec + strlen(FOLDER_PREFIX) : spec;
	if (!is_dir(dir)) {
		if (folder)
			fprintf(stderr, "netlang: data %s: no such folder\n", spec);
		else
			fprintf(stderr, "netlang: data '%s': no such directory, and not a known data "
			        "set (%s)\n", spec, nl_known_set_names);
		return -1;
	}
	int missing[NL_IDX_NFILES];
	int found = folder ? 0 : nl_idx_dir_count(dir, missing);
	char err[1024];
	if (found < 0) {
		fprintf(stderr, "netlang: out of memory\n");
		return -1;
	}
	if (found == NL_IDX_NFILES) {
		if (nl_idx_dir_load(dir, train, test, err, sizeof err) != 0) {
			fprintf(stderr, "netlang: %s\n", err);
			return -1;
		}
		set_where(where, wherelen, dir);
		return 0;
	}
	if (!folder && nl_cifar_dir_present(dir)) {
		if (nl_cifar_dir_load(dir, train, test, err, sizeof err) != 0) {
			fprintf(stderr, "netlang: %s\n", err);
			return -1;
		}
		set_where(where, wherelen, dir);
		return 0;
	}
	if (found > 0)
		return idx_missing(dir, missing);
	if (folder || nl_folder_looks_like(dir)) {
		if (rq->c <= 0) {
			fprintf(stderr, "netlang: %s: a folder of images needs the net's input size "
			        "to decode to\n", dir);
			return -1;
		}
		return nl_folder_open(dir, rq->c, rq->h, rq->w, rq->split, train, test, where,
		                      wherelen);
	}
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/data_batch_1.bin", dir);
	if (is_file(probe)) {
		fprintf(stderr, "netlang: %s has CIFAR-10's data_batch_1.bin but no test_batch.bin\n",
		        dir);
		return -1;
	}
	fprintf(stderr, "netlang: %s holds no data set: neither the four IDX files (%s[.gz] "
	        "...), nor CIFAR-10's batches (data_batch_1.bin, test_batch.bin) or archive, "
	        "nor class folders of images\n", dir, nl_idx_files[0]);
	return -1;
}

int nl_dataset_open(const char *spec, nl_dataset *train, nl_dataset *test,
                    char *where, size_t wherelen)
{
	nl_data_request rq = { spec, 0, 0, 0, 0 };
	return nl_data_open(&rq, train, test, where, wherelen);
}
