/* suggest.h - "did you mean": the known word closest to a misspelled one.
 *
 * Close means: the same but for case (Conv), one of them a prefix of the
 * other and at least three letters long (padding, pad), or within a small
 * edit distance counting a swap of neighbours as one edit (covn, conv):
 * one edit for words of up to four letters, two beyond.
 */
#ifndef NL_SUGGEST_H
#define NL_SUGGEST_H

#include <stddef.h>

/* Start a search for the best match of word (not copied). */
typedef struct nl_suggest {
	const char *word;
	const char *best;
	int best_score;
} nl_suggest;

void nl_suggest_init(nl_suggest *s, const char *word);
/* Consider one candidate (not copied; must outlive the search). */
void nl_suggest_add(nl_suggest *s, const char *candidate);
/* The closest candidate, or NULL when none is close. */
const char *nl_suggest_best(const nl_suggest *s);

/* Edit distance with adjacent transpositions (optimal string alignment),
 * ASCII letters compared without case; stops counting past limit. */
int nl_edit_distance(const char *a, const char *b, int limit);

#endif
