/* names.h - a table from names to small integers (open addressing).
 *
 * The front end looks names up where a program can make there be many:
 * block definitions (100,000 defs must not mean 10^10 comparisons) and a
 * block's parameters.  Keys are not copied: they point at strings that
 * outlive the table (the AST's).
 */
#ifndef NL_NAMES_H
#define NL_NAMES_H

#include <stddef.h>

typedef struct nl_name_slot { const char *key; int value; } nl_name_slot;

typedef struct nl_names {
	nl_name_slot *slots;
	size_t cap, n;      /* cap is a power of two, or 0 */
	int fixed;          /* slots are not the table's to grow or free */
} nl_names;

/* A table on memory the caller owns, never grown: cap slots (a power of
 * two, at least twice the names it will hold), zeroed. */
void nl_names_init_fixed(nl_names *t, nl_name_slot *slots, size_t cap);

/* The value of key, or -1. */
int nl_names_get(const nl_names *t, const char *key);

/* Add key -> value (value >= 0); a key already there keeps its value and
 * 1 is returned.  0 when added, -1 when memory ran out. */
int nl_names_put(nl_names *t, const char *key, int value);

void nl_names_clear(nl_names *t);
void nl_names_free(nl_names *t);

/* The smallest power of two holding n names at half load. */
size_t nl_names_cap_for(size_t n);

#endif
