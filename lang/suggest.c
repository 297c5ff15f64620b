/* suggest.c - the closest known word (see suggest.h). */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lang/suggest.h"

enum { MAXLEN = 64 };

static int low(int c)
{
	return tolower((unsigned char)c);
}

int nl_edit_distance(const char *a, const char *b, int limit)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > MAXLEN || m > MAXLEN)
		return limit + 1;
	if ((n > m ? n - m : m - n) > (size_t)limit)
		return limit + 1;
	/* three rows of the table are enough for one transposition back */
	int rows[3][MAXLEN + 1];
	int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= m; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = (int)i;
		int rowmin = cur[0];
		for (size_t j = 1; j <= m; j++) {
			int cost = low(a[i - 1]) != low(b[j - 1]);
			int d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) &&
			    low(a[i - 2]) == low(b[j - 1]) && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
			if (d < rowmin)
				rowmin = d;
		}
		if (rowmin > limit)
			return limit + 1;
		int *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[m];
}

void nl_suggest_init(nl_suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->best_score = 1000;
}

/* Lower is closer; 1000 is "not close". */
static int score(const char *word, const char *cand)
{
	size_t n = strlen(word), m = strlen(cand);
	if (n == 0 || strcmp(word, cand) == 0)
		return 1000;   /* the word itself is no suggestion */
	int limit = n <= 4 ? 1 : 2;
	int d = nl_edit_distance(word, cand, limit);
	if (d <= limit)
		return d;
	size_t k = n < m ? n : m;
	if (k >= 3 && strncasecmp(word, cand, k) == 0)
		return limit + 1;   /* padding / pad: a prefix, after any near miss */
	return 1000;
}

void nl_suggest_add(nl_suggest *s, const char *candidate)
{
	if (!candidate)
		return;
	int sc = score(s->word, candidate);
	if (sc < s->best_score) {
		s->best_score = sc;
		s->best = candidate;
	}
}

const char *nl_suggest_best(const nl_suggest *s)
{
	return s->best_score < 1000 ? s->best : NULL;
}
