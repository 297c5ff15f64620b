/* names.c - name tables (see names.h): FNV-1a, linear probing. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/names.h"

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

void nl_names_init_fixed(nl_names *t, nl_name_slot *slots, size_t cap)
{
	t->slots = slots;
	t->cap = cap;
	t->n = 0;
	t->fixed = 1;
}

size_t nl_names_cap_for(size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n && cap < SIZE_MAX / 4)
		cap *= 2;
	return cap;
}

int nl_names_get(const nl_names *t, const char *key)
{
	if (!t->cap)
		return -1;
	for (size_t i = hash(key) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		const nl_name_slot *s = &t->slots[i];
		if (!s->key)
			return -1;
		if (strcmp(s->key, key) == 0)
			return s->value;
	}
}

/* Place without growing; the table has a free slot. */
static int place(nl_names *t, const char *key, int value)
{
	for (size_t i = hash(key) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		nl_name_slot *s = &t->slots[i];
		if (!s->key) {
			s->key = key;
			s->value = value;
			t->n++;
			return 0;
		}
		if (strcmp(s->key, key) == 0)
			return 1;
	}
}

int nl_names_put(nl_names *t, const char *key, int value)
{
	if (2 * (t->n + 1) > t->cap) {
		if (t->fixed && t->n + 1 < t->cap)
			return place(t, key, value);   /* fuller than planned, still room */
		if (t->fixed)
			return -1;
		size_t cap = nl_names_cap_for(t->n + 1);
		nl_name_slot *old = t->slots, *slots = calloc(cap, sizeof *slots);
		if (!slots)
			return -1;
		size_t oldcap = t->cap;
		t->slots = slots;
		t->cap = cap;
		t->n = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].key)
				place(t, old[i].key, old[i].value);
		free(old);
	}
	return place(t, key, value);
}

void nl_names_clear(nl_names *t)
{
	if (t->slots)
		memset(t->slots, 0, t->cap * sizeof *t->slots);
	t->n = 0;
}

void nl_names_free(nl_names *t)
{
	if (!t->fixed)
		free(t->slots);
	t->slots = NULL;
	t->cap = t->n = 0;
}
