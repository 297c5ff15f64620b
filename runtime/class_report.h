/* class_report.h - accuracy per class, for --eval: which classes a net
 * gets right and which it confuses, counted from the logits of each
 * evaluated batch (the predicted class is the first largest logit, as the
 * loss counts a correct answer). */
#ifndef NL_CLASS_REPORT_H
#define NL_CLASS_REPORT_H

#include <stdint.h>
#include <stdio.h>

typedef struct nl_class_tally {
	int k;
	long *hits, *count;     /* per true class */
} nl_class_tally;

/* 0, or -1 on out-of-memory. */
int nl_tally_init(nl_class_tally *t, int k);
/* n rows of k logits with their true labels. */
void nl_tally_add(nl_class_tally *t, const float *logits, const uint8_t *labels, int n);
/* One line per class: name (or its number), images, accuracy. */
void nl_tally_print(const nl_class_tally *t, char *const *names, FILE *f);
void nl_tally_free(nl_class_tally *t);

#endif
