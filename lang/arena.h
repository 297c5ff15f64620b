/* arena.h - bump allocation for one parse.
 *
 * Every AST node of a chunk of source lives in that chunk's arena, so a parse
 * that fails frees everything it built with one nl_arena_free(), and a parse
 * that succeeds never frees node by node.
 */
#ifndef NL_ARENA_H
#define NL_ARENA_H

#include <setjmp.h>
#include <stddef.h>

typedef struct nl_arena_chunk nl_arena_chunk;
typedef struct nl_arena {
	nl_arena_chunk *head;   /* newest chunk first */
	size_t used, cap;       /* in the head chunk */
	/* When set, running out of memory jumps here (the parser's actions
	 * then need no check after every node); when NULL, alloc returns NULL. */
	jmp_buf *on_oom;
} nl_arena;

void nl_arena_init(nl_arena *a);
/* Zeroed, aligned memory; see on_oom for when memory runs out. */
void *nl_arena_alloc(nl_arena *a, size_t n);
char *nl_arena_strndup(nl_arena *a, const char *s, size_t n);
void nl_arena_free(nl_arena *a);

#endif
