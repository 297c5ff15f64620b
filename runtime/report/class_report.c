/* class_report.c - per-class accuracy (see report.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include "runtime/report/report.h"

int nl_tally_init(nl_class_tally *t, int k)
{
	t->k = k;
	t->hits = calloc((size_t)k, sizeof *t->hits);
	t->count = calloc((size_t)k, sizeof *t->count);
	if (!t->hits || !t->count) {
		nl_tally_free(t);
		return -1;
	}
	return 0;
}

void nl_tally_add(nl_class_tally *t, const float *logits, const uint8_t *labels, int n)
{
	for (int i = 0; i < n; i++) {
		const float *z = logits + (size_t)i * t->k;
		int arg = 0;
		for (int j = 1; j < t->k; j++)
			if (z[j] > z[arg])
				arg = j;
		int lab = labels[i];
		if (lab >= t->k)
			continue;
		t->count[lab]++;
		t->hits[lab] += arg == lab;
	}
}

void nl_tally_print(const nl_class_tally *t, char *const *names, FILE *f)
{
	int width = 5;
	for (int j = 0; names && j < t->k; j++)
		if ((int)strlen(names[j]) > width)
			width = (int)strlen(names[j]);
	if (width > 40)
		width = 40;
	fprintf(f, "%-*s  %7s  %s\n", width, "class", "images", "acc");
	for (int j = 0; j < t->k; j++) {
		char num[16];
		snprintf(num, sizeof num, "%d", j);
		fprintf(f, "%-*.*s  %7ld  ", width, width, names ? names[j] : num, t->count[j]);
		if (t->count[j])
			fprintf(f, "%.3f\n", (double)t->hits[j] / (double)t->count[j]);
		else
			fprintf(f, "n/a\n");
	}
}

void nl_tally_free(nl_class_tally *t)
{
	free(t->hits);
	free(t->count);
	t->hits = t->count = NULL;
}
