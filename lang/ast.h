/* ast.h - the syntax tree the parser builds and the expander walks.
 *
 * Nodes live in the arena of the chunk they were parsed from.  Lists of
 * statements are singly linked through `next`, built head-and-tail so that a
 * long program is appended to in constant time per statement.
 */
#ifndef NL_AST_H
#define NL_AST_H

#include <stdint.h>

#include "lang/arena.h"
#include "lang/graph.h"

/* Limits that keep hostile input from exhausting the stack (every walk of
 * the tree recurses at most this deep). */
enum {
	NL_MAX_EXPR_DEPTH = 1000,  /* nested operators/parentheses in one expression */
	NL_MAX_BRACE_DEPTH = 1000, /* nested { } in the source */
};

typedef enum nl_expr_op {
	NL_E_NUM, NL_E_NAME,
	NL_E_NEG, NL_E_NOT,
	NL_E_ADD, NL_E_SUB, NL_E_MUL, NL_E_DIV, NL_E_MOD,
	NL_E_EQ, NL_E_NE, NL_E_LT, NL_E_LE, NL_E_GT, NL_E_GE,
	NL_E_AND, NL_E_OR
} nl_expr_op;

typedef struct nl_expr nl_expr;
struct nl_expr {
	nl_expr_op op;
	int depth;          /* 1 for a leaf */
	int paren;          /* written in parentheses (for writing back) */
	int64_t value;      /* NL_E_NUM */
	const char *name;   /* NL_E_NAME */
	nl_expr *a, *b;
	nl_loc loc;
};

/* Sizes written KHxKW, S, PHxPW, CxHxW: up to three expressions. */
typedef struct nl_dims {
	int n;
	nl_expr *e[3];
	int literal;        /* written as one token like 11x11 */
	nl_loc loc;
} nl_dims;

typedef enum nl_stmt_kind {
	NL_S_INPUT, NL_S_LAYER, NL_S_CALL, NL_S_REPEAT, NL_S_IF,
	NL_S_CONCAT, NL_S_ADD, NL_S_BRANCH,
	NL_S_USE, NL_S_DEF, NL_S_TRAIN, NL_S_BARE_NAME
} nl_stmt_kind;

typedef struct nl_stmt nl_stmt;
typedef struct nl_train_item nl_train_item;

struct nl_stmt {
	nl_stmt_kind kind;
	nl_loc loc;
	nl_stmt *next;

	/* NL_S_LAYER */
	nl_kind layer;
	const char *spelling;   /* "fc" or "linear", as written */
	nl_dims kernel, stride, pad;
	int has_stride, has_pad, global;
	nl_expr *out;           /* conv channels, fc features */
	double p;               /* dropout */
	const char *p_text;     /* dropout probability as written */

	/* NL_S_INPUT: dims in `kernel` */

	/* NL_S_CALL, NL_S_DEF, NL_S_USE, NL_S_BARE_NAME */
	const char *name;
	int nargs;
	nl_expr **args;
	const char **params;    /* NL_S_DEF */
	nl_loc *param_locs;
	struct nl_names *param_index;   /* NL_S_DEF: name -> position (load.c) */
	int from_lib;           /* NL_S_DEF: came in through `use` */
	int graph_name;         /* NL_S_DEF: scratch for nl_build */
	unsigned graph_build;

	/* NL_S_REPEAT (count), NL_S_IF (condition) */
	nl_expr *cond;
	/* bodies: repeat, if, def, branch; NL_S_CONCAT/ADD: list of branches */
	nl_stmt *body;
	nl_stmt *else_body;     /* NL_S_IF; an else-if is a one-statement list */
	int else_is_if;

	/* NL_S_TRAIN */
	nl_train_item *items;
};

struct nl_train_item {
	const char *key;
	nl_loc loc, value_loc;
	int is_number, is_int;
	double number;
	const char *text;       /* names and strings; numbers as written */
	double *values;         /* two or more numbers (normalize), else NULL */
	int nvalues;
	nl_train_item *next;
};

typedef struct nl_stmt_list { nl_stmt *head, *tail; } nl_stmt_list;

#endif
