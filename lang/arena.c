/* arena.c - bump allocation: chunks that double in size, freed together. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/arena.h"

struct nl_arena_chunk {
	nl_arena_chunk *next;
	max_align_t data[];
};

enum { FIRST_CHUNK = 4096 };

void nl_arena_init(nl_arena *a)
{
	a->head = NULL;
	a->used = a->cap = 0;
	a->on_oom = NULL;
}

void *nl_arena_alloc(nl_arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	n = (n + align - 1) / align * align;
	if (!a->head || a->cap - a->used < n) {
		size_t cap = a->cap ? a->cap * 2 : FIRST_CHUNK;
		while (cap < n)
			cap *= 2;
		/* calloc: fresh chunks come zeroed (often straight from mmap), and
		 * bump allocation never hands out memory twice, so no memset */
		nl_arena_chunk *c = cap <= SIZE_MAX - sizeof *c ? calloc(1, sizeof *c + cap) : NULL;
		if (!c) {
			if (a->on_oom)
				longjmp(*a->on_oom, 1);
			return NULL;
		}
		c->next = a->head;
		a->head = c;
		a->cap = cap;
		a->used = 0;
	}
	void *p = (char *)a->head->data + a->used;
	a->used += n;
	return p;
}

char *nl_arena_strndup(nl_arena *a, const char *s, size_t n)
{
	char *p = nl_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void nl_arena_free(nl_arena *a)
{
	nl_arena_chunk *c = a->head;
	while (c) {
		nl_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	nl_arena_init(a);
}
