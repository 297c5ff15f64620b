/* dataset.c - from what a run names to a loaded data set (see dataset.h). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "runtime/data_fetch.h"
#include "runtime/dataset.h"

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int nl_dataset_open(const char *spec, nl_dataset *train, nl_dataset *test,
                    char *where, size_t wherelen)
{
	memset(train, 0, sizeof *train);
	memset(test, 0, sizeof *test);
	if (wherelen)
		where[0] = '\0';
	if (!spec || !*spec)
		spec = "fashion-mnist";
	const nl_known_set *ks = nl_known_set_named(spec);
	if (ks)
		return nl_fetch_open(ks, train, test, where, wherelen);
	if (!is_dir(spec)) {
		fprintf(stderr, "netlang: data '%s': no such directory, and not a known data set "
		        "(%s)\n", spec, nl_known_set_names);
		return -1;
	}
	int missing[NL_IDX_NFILES];
	int found = nl_idx_dir_count(spec, missing);
	if (found < 0) {
		fprintf(stderr, "netlang: out of memory\n");
		return -1;
	}
	if (found < NL_IDX_NFILES) {
		fprintf(stderr, "netlang: %s does not hold all four IDX files; missing:", spec);
		for (int i = 0; i < NL_IDX_NFILES; i++)
			if (missing[i])
				fprintf(stderr, " %s[.gz]", nl_idx_files[i]);
		fprintf(stderr, "\n");
		return -1;
	}
	char err[1024];
	if (nl_idx_dir_load(spec, train, test, err, sizeof err) != 0) {
		fprintf(stderr, "netlang: %s\n", err);
		return -1;
	}
	if (wherelen)
		snprintf(where, wherelen, "%s", spec);
	return 0;
}
