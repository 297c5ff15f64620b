/* parser.y - the netlang grammar (a pure parser with locations).
 *
 * Top-level statements are handed to the parse context as they are reduced
 * (nl_parse.top), so a program of a million lines never sits on the parser's
 * stack.  Everything allocated goes into the chunk's arena.
 */
%code top {
#include <config.h>
}

%code requires {
#include "lang/ast.h"
#include "lang/parse.h"
typedef void *yyscan_t;
typedef struct nl_dims_tok { int n; int v[3]; int col[3]; } nl_dims_tok;
typedef struct nl_num_tok { double value; const char *text; } nl_num_tok;
/* A layer keyword: its kind (kinds.def) and its spelling, a static string. */
typedef struct nl_layer_tok { int kind; const char *text; } nl_layer_tok;
}

%code {
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/kinds.h"
#include "lang/suggest.h"

int nl_yylex(NL_YYSTYPE *lval, NL_YYLTYPE *lloc, yyscan_t scanner);

static nl_loc here(const nl_parse *pc, NL_YYLTYPE l)
{
	return (nl_loc){ pc->src->name, l.first_line, l.first_column };
}

static void *node(nl_parse *pc, size_t size) { return nl_arena_alloc(pc->arena, size); }

static nl_expr *leaf(nl_parse *pc, nl_expr_op op, NL_YYLTYPE l)
{
	nl_expr *e = node(pc, sizeof *e);
	e->op = op;
	e->depth = 1;
	e->loc = here(pc, l);
	return e;
}

/* NULL (after a diagnostic) when the expression nests too deeply to walk. */
static nl_expr *op2(nl_parse *pc, nl_expr_op op, nl_expr *a, nl_expr *b, NL_YYLTYPE l)
{
	int d = 1 + (a->depth > (b ? b->depth : 0) ? a->depth : b->depth);
	if (d > NL_MAX_EXPR_DEPTH) {
		nl_parse_error(pc, l.first_line, l.first_column,
		               "expression nested too deeply (more than %d levels)",
		               NL_MAX_EXPR_DEPTH);
		return NULL;
	}
	nl_expr *e = leaf(pc, op, l);
	e->depth = d;
	e->a = a;
	e->b = b;
	return e;
}

static nl_stmt *stmt(nl_parse *pc, nl_stmt_kind k, NL_YYLTYPE l)
{
	nl_stmt *s = node(pc, sizeof *s);
	s->kind = k;
	s->loc = here(pc, l);
	return s;
}

static nl_stmt *layer(nl_parse *pc, nl_kind k, NL_YYLTYPE l)
{
	nl_stmt *s = stmt(pc, NL_S_LAYER, l);
	s->layer = k;
	return s;
}

static nl_stmt_list list1(nl_stmt *s) { return (nl_stmt_list){ s, s }; }
static nl_stmt_list append(nl_stmt_list l, nl_stmt *s)
{
	if (!l.head)
		return list1(s);
	l.tail->next = s;
	l.tail = s;
	return l;
}

static int dims_add(nl_parse *pc, nl_dims *d, nl_expr *e, NL_YYLTYPE l)
{
	if (d->n == 3) {
		nl_parse_error(pc, l.first_line, l.first_column,
		               "too many sizes (at most three: CxHxW)");
		return -1;
	}
	d->e[d->n++] = e;
	return 0;
}

/* The pieces of a list being built: names and expressions. */
typedef struct vec { void **v; int n, cap; } vec;

#define CHECK(x) do { if (!(x)) YYABORT; } while (0)

/* Only bison's "memory exhausted" comes here (its stack could not grow);
 * syntax errors go through yyreport_syntax_error below. */
static void nl_yyerror(const NL_YYLTYPE *l, yyscan_t scanner, nl_parse *pc,
                       const char *msg)
{
	(void)scanner;
	(void)msg;
	nl_parse_error(pc, l->first_line, l->first_column, "out of memory while parsing");
}

/* The parser's stack lives on the heap; deep but finite nesting is
 * bounded by the scanner's and the actions' own limits instead. */
#define YYMAXDEPTH 1000000

/* Out of memory in the middle of a parse jumps back to nl_parse_source
 * (arena.h's on_oom, the scanner's YY_FATAL_ERROR), past yyparse's own
 * cleanup: the stack block it has in use is remembered here so that it
 * can be freed after the jump.  Bison frees the old block whenever it
 * grows, so the latest one allocated is the one in use. */
static _Thread_local void *parse_stack;
static void *stack_alloc(size_t n)
{
	void *p = malloc(n);
	if (p)
		parse_stack = p;
	return p;
}
static void stack_free(void *p)
{
	if (p == parse_stack)
		parse_stack = NULL;
	free(p);
}
#define YYMALLOC stack_alloc
#define YYFREE stack_free
}

%define api.prefix {nl_yy}
%define api.pure full
%define parse.error custom
%locations
%param {yyscan_t scanner}
%parse-param {nl_parse *pc}

%union {
	int ival;
	const char *str;
	nl_dims_tok dims;
	nl_num_tok num;
	nl_layer_tok layer;
	nl_expr *expr;
	nl_dims d;
	nl_stmt *stmt;
	nl_stmt_list list;
	nl_train_item *item;
	struct { nl_train_item *head, *tail; } items;
	struct { nl_expr **v; int n, cap; } exprs;
	struct { const char **v; nl_loc *locs; int n, cap; } names;
	struct { double *v; int n, cap; } nums;
	double real;
}

%token YYEOF 0 "end of file"
%token NL "newline"
%token <ival> INT "number"
%token <num> FLOAT "decimal number"
%token <dims> DIMS "sizes"
%token <str> IDENT "name"
%token <str> STRING "string"
%token USE "'use'" INPUT "'input'" GLOBAL "'global'"
%token PAD "'pad'" DEF "'def'" REPEAT "'repeat'" IF "'if'" ELSE "'else'"
%token TRUE "'true'" FALSE "'false'" CONCAT "'concat'" ADD "'add'"
%token BRANCH "'branch'" TRAIN "'train'" X "'x'"
/* Layer keywords, one token per way of writing a layer (kinds.def's
 * syntax classes); messages name the keyword itself. */
%token <layer> LAYER_WORD "layer" LAYER_CONV "convolution" LAYER_POOL "pooling"
%token <layer> LAYER_FEATURES "fully connected layer" LAYER_PROB "dropout layer"
%token ARROW "'->'" EQ "'=='" NE "'!='" LE "'<='" GE "'>='"
%token AND "'&&'" OR "'||'"

%left OR
%left AND
%nonassoc EQ NE '<' LE '>' GE
%left '+' '-'
%left '*' '/' '%'
%precedence UNARY

%type <expr> expr kexpr kterm kunary primary
%type <d> dims
%type <stmt> stmt layer call repeat if join branch top_def train_stmt
%type <list> body stmt_list branches
%type <exprs> args arg_list
%type <names> params param_list
%type <items> train_items
%type <item> train_item
%type <nums> train_numbers
%type <real> train_number
%type <str> tname

%%

program
	: opt_seps
	| opt_seps top_list opt_seps
	;

top_list
	: top_stmt
	| top_list seps top_stmt
	;

top_stmt
	: stmt                 { pc->top = append(pc->top, $1); }
	| INPUT dims           { nl_stmt *s = stmt(pc, NL_S_INPUT, @1); s->kernel = $2;
	                         pc->top = append(pc->top, s); }
	| USE IDENT            { nl_stmt *s = stmt(pc, NL_S_USE, @2); s->name = $2;
	                         pc->top = append(pc->top, s); }
	| top_def              { pc->top = append(pc->top, $1); }
	| train_stmt           { pc->top = append(pc->top, $1); }
	;

seps : sep | seps sep ;
opt_seps : %empty | seps ;
sep : NL | ';' ;

body
	: opt_seps                      { $$ = (nl_stmt_list){ NULL, NULL }; }
	| opt_seps stmt_list opt_seps   { $$ = $2; }
	;

stmt_list
	: stmt                 { $$ = list1($1); }
	| stmt_list seps stmt  { $$ = append($1, $3); }
	;

stmt : layer | call | repeat | if | join ;

layer
	: LAYER_CONV dims ARROW expr
	    { $$ = layer(pc, $1.kind, @1); $$->kernel = $2; $$->out = $4; }
	| LAYER_CONV dims ARROW expr PAD dims
	    { $$ = layer(pc, $1.kind, @1); $$->kernel = $2; $$->out = $4;
	      $$->pad = $6; $$->has_pad = 1; }
	| LAYER_CONV dims '/' dims ARROW expr
	    { $$ = layer(pc, $1.kind, @1); $$->kernel = $2; $$->stride = $4;
	      $$->has_stride = 1; $$->out = $6; }
	| LAYER_CONV dims '/' dims ARROW expr PAD dims
	    { $$ = layer(pc, $1.kind, @1); $$->kernel = $2; $$->stride = $4;
	      $$->has_stride = 1; $$->out = $6; $$->pad = $8; $$->has_pad = 1; }
	| LAYER_POOL pool_args { $$ = $<stmt>2; $$->layer = $1.kind; $$->loc = here(pc, @1); }
	| LAYER_POOL GLOBAL
	    { int k = nl_kind_global_of($1.kind);
	      CHECK(k >= 0 || (nl_parse_error(pc, @2.first_line, @2.first_column,
	                         "'%s' has no global form", $1.text), 0));
	      $$ = layer(pc, k, @1); $$->global = 1; }
	| LAYER_FEATURES expr  { $$ = layer(pc, $1.kind, @1); $$->out = $2; $$->spelling = $1.text; }
	| LAYER_WORD           { $$ = layer(pc, $1.kind, @1); }
	| LAYER_PROB FLOAT     { $$ = layer(pc, $1.kind, @1); $$->p = $2.value; $$->p_text = $2.text; }
	| LAYER_PROB INT       { $$ = layer(pc, $1.kind, @1); $$->p = $2;
	                         char t[16]; snprintf(t, sizeof t, "%d", $2);
	                         $$->p_text = nl_arena_strndup(pc->arena, t, strlen(t)); }
	;

/* The stmt under construction travels in $<stmt>$ of pool_args. */
pool_args
	: dims                 { nl_stmt *s = layer(pc, NL_MAXPOOL, @1); s->kernel = $1; $<stmt>$ = s; }
	| dims PAD dims        { nl_stmt *s = layer(pc, NL_MAXPOOL, @1); s->kernel = $1;
	                         s->pad = $3; s->has_pad = 1; $<stmt>$ = s; }
	| dims '/' dims        { nl_stmt *s = layer(pc, NL_MAXPOOL, @1); s->kernel = $1;
	                         s->stride = $3; s->has_stride = 1; $<stmt>$ = s; }
	| dims '/' dims PAD dims
	                       { nl_stmt *s = layer(pc, NL_MAXPOOL, @1); s->kernel = $1;
	                         s->stride = $3; s->has_stride = 1; s->pad = $5;
	                         s->has_pad = 1; $<stmt>$ = s; }
	;

/* Sizes: one token (3x3) or expressions joined by `x`.  Inside a size,
 * `/` means stride, so division must be written in parentheses. */
dims
	: DIMS
	    { memset(&$$, 0, sizeof $$);
	      $$.loc = here(pc, @1); $$.literal = 1;
	      for (int i = 0; i < $1.n; i++) {
	          NL_YYLTYPE l = @1; l.first_column = $1.col[i];
	          nl_expr *e = leaf(pc, NL_E_NUM, l); e->value = $1.v[i];
	          $$.e[$$.n++] = e;
	      } }
	| kexpr
	    { memset(&$$, 0, sizeof $$); $$.loc = $1->loc; $$.e[$$.n++] = $1; }
	| dims X DIMS
	    { $$ = $1; $$.literal = 0;
	      for (int i = 0; i < $3.n; i++) {
	          NL_YYLTYPE l = @3; l.first_column = $3.col[i];
	          nl_expr *e = leaf(pc, NL_E_NUM, l); e->value = $3.v[i];
	          CHECK(dims_add(pc, &$$, e, l) == 0);
	      } }
	| dims X kexpr         { $$ = $1; $$.literal = 0; CHECK(dims_add(pc, &$$, $3, @3) == 0); }
	;

kexpr
	: kterm
	| kexpr '+' kterm      { CHECK($$ = op2(pc, NL_E_ADD, $1, $3, @2)); }
	| kexpr '-' kterm      { CHECK($$ = op2(pc, NL_E_SUB, $1, $3, @2)); }
	;
kterm
	: kunary
	| kterm '*' kunary     { CHECK($$ = op2(pc, NL_E_MUL, $1, $3, @2)); }
	| kterm '%' kunary     { CHECK($$ = op2(pc, NL_E_MOD, $1, $3, @2)); }
	;
kunary
	: primary
	| '-' kunary           { CHECK($$ = op2(pc, NL_E_NEG, $2, NULL, @1)); }
	;

primary
	: INT                  { $$ = leaf(pc, NL_E_NUM, @1); $$->value = $1; }
	| TRUE                 { $$ = leaf(pc, NL_E_NUM, @1); $$->value = 1; }
	| FALSE                { $$ = leaf(pc, NL_E_NUM, @1); $$->value = 0; }
	| IDENT                { $$ = leaf(pc, NL_E_NAME, @1); $$->name = $1; }
	| '(' expr ')'         { CHECK($2->depth < NL_MAX_EXPR_DEPTH ||
	                               (nl_parse_error(pc, @1.first_line, @1.first_column,
	                                  "expression nested too deeply (more than %d levels)",
	                                  NL_MAX_EXPR_DEPTH), 0));
	                         $$ = $2; $$->paren = 1; }
	;

expr
	: primary
	| expr OR expr         { CHECK($$ = op2(pc, NL_E_OR, $1, $3, @2)); }
	| expr AND expr        { CHECK($$ = op2(pc, NL_E_AND, $1, $3, @2)); }
	| expr EQ expr         { CHECK($$ = op2(pc, NL_E_EQ, $1, $3, @2)); }
	| expr NE expr         { CHECK($$ = op2(pc, NL_E_NE, $1, $3, @2)); }
	| expr '<' expr        { CHECK($$ = op2(pc, NL_E_LT, $1, $3, @2)); }
	| expr LE expr         { CHECK($$ = op2(pc, NL_E_LE, $1, $3, @2)); }
	| expr '>' expr        { CHECK($$ = op2(pc, NL_E_GT, $1, $3, @2)); }
	| expr GE expr         { CHECK($$ = op2(pc, NL_E_GE, $1, $3, @2)); }
	| expr '+' expr        { CHECK($$ = op2(pc, NL_E_ADD, $1, $3, @2)); }
	| expr '-' expr        { CHECK($$ = op2(pc, NL_E_SUB, $1, $3, @2)); }
	| expr '*' expr        { CHECK($$ = op2(pc, NL_E_MUL, $1, $3, @2)); }
	| expr '/' expr        { CHECK($$ = op2(pc, NL_E_DIV, $1, $3, @2)); }
	| expr '%' expr        { CHECK($$ = op2(pc, NL_E_MOD, $1, $3, @2)); }
	| '-' expr %prec UNARY { CHECK($$ = op2(pc, NL_E_NEG, $2, NULL, @1)); }
	| '!' expr %prec UNARY { CHECK($$ = op2(pc, NL_E_NOT, $2, NULL, @1)); }
	;

call
	: IDENT '(' args ')'
	    { $$ = stmt(pc, NL_S_CALL, @1); $$->name = $1; $$->args = $3.v; $$->nargs = $3.n; }
	| IDENT
	    { $$ = stmt(pc, NL_S_BARE_NAME, @1); $$->name = $1; }
	;

args
	: %empty               { $$.v = NULL; $$.n = $$.cap = 0; }
	| arg_list
	;
arg_list
	: expr                 { $$.cap = 4; $$.n = 1;
	                         $$.v = nl_arena_alloc(pc->arena, 4 * sizeof *$$.v); $$.v[0] = $1; }
	| arg_list ',' expr
	    { $$ = $1;
	      if ($$.n == $$.cap) {
	          nl_expr **v = nl_arena_alloc(pc->arena, 2 * (size_t)$$.cap * sizeof *v);
	          memcpy(v, $$.v, (size_t)$$.n * sizeof *v);
	          $$.v = v; $$.cap *= 2;
	      }
	      $$.v[$$.n++] = $3; }
	;

repeat
	: REPEAT expr '{' body '}'
	    { $$ = stmt(pc, NL_S_REPEAT, @1); $$->cond = $2; $$->body = $4.head; }
	;

if
	: IF expr '{' body '}'
	    { $$ = stmt(pc, NL_S_IF, @1); $$->cond = $2; $$->body = $4.head; }
	| IF expr '{' body '}' ELSE '{' body '}'
	    { $$ = stmt(pc, NL_S_IF, @1); $$->cond = $2; $$->body = $4.head;
	      $$->else_body = $8.head; }
	| IF expr '{' body '}' ELSE if
	    { $$ = stmt(pc, NL_S_IF, @1); $$->cond = $2; $$->body = $4.head;
	      $$->else_body = $7; $$->else_is_if = 1; }
	;

join
	: CONCAT '{' branches '}'
	    { $$ = stmt(pc, NL_S_CONCAT, @1); $$->body = $3.head; }
	| ADD '{' branches '}'
	    { $$ = stmt(pc, NL_S_ADD, @1); $$->body = $3.head; }
	;
branches
	: %empty               { $$ = (nl_stmt_list){ NULL, NULL }; }
	| branches sep
	| branches branch      { $$ = append($1, $2); }
	;
branch
	: BRANCH '{' body '}'
	    { $$ = stmt(pc, NL_S_BRANCH, @1); $$->body = $3.head; }
	;

top_def
	: DEF IDENT '(' params ')' '{' body '}'
	    { $$ = stmt(pc, NL_S_DEF, @2); $$->name = $2; $$->params = $4.v;
	      $$->param_locs = $4.locs; $$->nargs = $4.n; $$->body = $7.head; }
	;
params
	: %empty               { $$.v = NULL; $$.locs = NULL; $$.n = $$.cap = 0; }
	| param_list
	;
param_list
	: IDENT
	    { $$.cap = 4; $$.n = 1;
	      $$.v = nl_arena_alloc(pc->arena, 4 * sizeof *$$.v);
	      $$.locs = nl_arena_alloc(pc->arena, 4 * sizeof *$$.locs);
	      $$.v[0] = $1; $$.locs[0] = here(pc, @1); }
	| param_list ',' IDENT
	    { $$ = $1;
	      if ($$.n == $$.cap) {
	          const char **v = nl_arena_alloc(pc->arena, 2 * (size_t)$$.cap * sizeof *v);
	          nl_loc *l = nl_arena_alloc(pc->arena, 2 * (size_t)$$.cap * sizeof *l);
	          memcpy(v, $$.v, (size_t)$$.n * sizeof *v);
	          memcpy(l, $$.locs, (size_t)$$.n * sizeof *l);
	          $$.v = v; $$.locs = l; $$.cap *= 2;
	      }
	      $$.v[$$.n] = $3; $$.locs[$$.n] = here(pc, @3); $$.n++; }
	;

train_stmt
	: TRAIN '{' train_items '}'
	    { $$ = stmt(pc, NL_S_TRAIN, @1); $$->items = $3.head; }
	;
train_items
	: %empty               { $$.head = $$.tail = NULL; }
	| train_items sep
	| train_items train_item
	    { $$ = $1; if (!$$.head) $$.head = $2; else $$.tail->next = $2; $$.tail = $2; }
	;
train_item
	: IDENT INT
	    { $$ = node(pc, sizeof *$$); $$->key = $1; $$->loc = here(pc, @1);
	      $$->value_loc = here(pc, @2); $$->is_number = $$->is_int = 1; $$->number = $2; }
	| IDENT FLOAT
	    { $$ = node(pc, sizeof *$$); $$->key = $1; $$->loc = here(pc, @1);
	      $$->value_loc = here(pc, @2); $$->is_number = 1; $$->number = $2.value;
	      $$->text = $2.text; }
	| IDENT tname
	    { $$ = node(pc, sizeof *$$); $$->key = $1; $$->loc = here(pc, @1);
	      $$->value_loc = here(pc, @2); $$->text = $2; }
	| IDENT STRING
	    { $$ = node(pc, sizeof *$$); $$->key = $1; $$->loc = here(pc, @1);
	      $$->value_loc = here(pc, @2); $$->text = $2; }
	| IDENT train_numbers
	    { $$ = node(pc, sizeof *$$); $$->key = $1; $$->loc = here(pc, @1);
	      $$->value_loc = here(pc, @2); $$->is_number = 1; $$->number = $2.v[0];
	      $$->values = $2.v; $$->nvalues = $2.n; }
	;
/* Two or more numbers: normalize's means and standard deviations. */
train_numbers
	: train_number train_number
	    { $$.cap = 8; $$.v = nl_arena_alloc(pc->arena, 8 * sizeof *$$.v);
	      $$.v[0] = $1; $$.v[1] = $2; $$.n = 2; }
	| train_numbers train_number
	    { $$ = $1;
	      if ($$.n == $$.cap) {
	          double *v = nl_arena_alloc(pc->arena, 2 * (size_t)$$.cap * sizeof *v);
	          memcpy(v, $$.v, (size_t)$$.n * sizeof *v);
	          $$.v = v; $$.cap *= 2;
	      }
	      $$.v[$$.n++] = $2; }
	;
train_number
	: INT                  { $$ = $1; }
	| FLOAT                { $$ = $1.value; }
	;
/* A data-set name such as fashion-mnist. */
tname
	: IDENT
	| tname '-' IDENT
	    { size_t a = strlen($1), b = strlen($3);
	      char *s = nl_arena_alloc(pc->arena, a + b + 2);
	      memcpy(s, $1, a); s[a] = '-'; memcpy(s + a + 1, $3, b + 1); $$ = s; }
	| tname '-' INT
	    { char num[16]; snprintf(num, sizeof num, "%d", $3);
	      size_t a = strlen($1), b = strlen(num);
	      char *s = nl_arena_alloc(pc->arena, a + b + 2);
	      memcpy(s, $1, a); s[a] = '-'; memcpy(s + a + 1, num, b + 1); $$ = s; }
	;

%%

/* ---- syntax errors that explain themselves ---- */

/* Is symbol k the character token c?  (Bison numbers its symbols its own
 * way; a character token's name is the character in quotes.) */
static int is_char(yysymbol_kind_t k, char c)
{
	const char *n = yysymbol_name(k);
	return n[0] == '\'' && n[1] == c && n[2] == '\'' && n[3] == '\0';
}

/* The byte offset of (line, col) in the chunk. */
static size_t offset_of(const nl_parse *pc, int line, int col)
{
	const char *t = pc->src->text;
	size_t i = 0, n = pc->src->len;
	for (int l = pc->src->first_line; l < line && i < n; i++)
		if (t[i] == '\n')
			l++;
	i += (size_t)(col > 0 ? col - 1 : 0);
	return i < n ? i : n;
}

/* The first word of the statement that the token at off is in: back to a
 * newline, ';', '{' or '}', then over blanks.  0 when there is none (the
 * token starts the statement, or the word is not a name). */
static int first_word(const nl_parse *pc, size_t off, size_t *start, size_t *len)
{
	const char *t = pc->src->text;
	size_t i = off;
	while (i > 0 && t[i - 1] != '\n' && t[i - 1] != ';' && t[i - 1] != '{' && t[i - 1] != '}')
		i--;
	while (i < off && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r'))
		i++;
	size_t k = i;
	while (k < off && (t[k] == '_' || (t[k] >= 'a' && t[k] <= 'z') ||
	                   (t[k] >= 'A' && t[k] <= 'Z') || (k > i && t[k] >= '0' && t[k] <= '9')))
		k++;
	if (k == i || k > off)
		return 0;
	*start = i;
	*len = k - i;
	return 1;
}

/* Words a misspelling may have meant, and words people bring from other
 * frameworks, with what netlang writes instead. */
static const struct { const char *word, *hint; } hints[] = {
	{ "stride", "a stride follows the kernel after '/': conv 3x3/2 -> 64, maxpool 3x3/2" },
	{ "padding", "padding is written pad: conv 3x3 -> 64 pad 1" },
	{ "kernel_size", "the kernel comes first: conv 3x3 -> 64" },
	{ "channels", "output channels follow '->': conv 3x3 -> 64" },
	{ "out_channels", "output channels follow '->': conv 3x3 -> 64" },
};

/* " (did you mean 'pad'?)" or a hint for name, into buf ("" if none). */
static void name_hint(const char *name, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
		if (strcmp(hints[i].word, name) == 0) {
			snprintf(buf, len, " (%s)", hints[i].hint);
			return;
		}
	static const char *const words[] = { "pad", "global", "def", "repeat", "if", "else",
	                                     "concat", "add", "branch", "train", "use",
	                                     "input", NULL };
	nl_suggest sg;
	nl_suggest_init(&sg, name);
	for (int i = 0; words[i]; i++)
		nl_suggest_add(&sg, words[i]);
	for (int i = 0; nl_kind_keyword(i); i++)
		nl_suggest_add(&sg, nl_kind_keyword(i));
	const char *best = nl_suggest_best(&sg);
	if (best)
		snprintf(buf, len, " (did you mean '%s'?)", best);
}

/* The language's own words, which no statement-start check may take for
 * a misspelled layer. */
static int is_keyword(const char *w)
{
	static const char *const words[] = { "use", "input", "def", "repeat", "if", "else",
	                                     "concat", "add", "branch", "train", "true",
	                                     "false", "pad", "global", "x", NULL };
	for (int i = 0; words[i]; i++)
		if (strcmp(words[i], w) == 0)
			return 1;
	return 0;
}

/* A statement's first word explains many errors later in it: a layer
 * keyword whose statement stopped early, or a name that is no layer at
 * all (covn 3x3 -> 96).  1 when a message was given. */
static int explain_statement(nl_parse *pc, yysymbol_kind_t tok, const NL_YYLTYPE *l,
                             int may_end)
{
	size_t off = offset_of(pc, l->first_line, l->first_column), start, len;
	if (!first_word(pc, off, &start, &len))
		return 0;
	char word[64], usage[160];
	snprintf(word, sizeof word, "%.*s", (int)(len < 63 ? len : 63), pc->src->text + start);
	int k = nl_kind_lookup(word, strlen(word), NULL);
	int ends = tok == YYSYMBOL_YYEOF || tok == YYSYMBOL_NL || is_char(tok, ';') ||
	           is_char(tok, '}');
	if (k >= 0 && ends && !may_end && pc->paren == 0) {
		nl_parse_error(pc, l->first_line, l->first_column, "incomplete '%s': write %s",
		               word, nl_kind_usage((nl_kind)k, usage, sizeof usage));
		return 1;
	}
	if (k >= 0 || ends || is_char(tok, '(') || is_keyword(word))
		return 0;
	/* A name, then something no statement has after a name: the name was
	 * meant as a layer.  Statements end at newlines, so the word is on the
	 * token's line, off - start columns back. */
	nl_suggest sg;
	nl_suggest_init(&sg, word);
	for (int i = 0; nl_kind_keyword(i); i++)
		nl_suggest_add(&sg, nl_kind_keyword(i));
	const char *best = nl_suggest_best(&sg);
	if (!best)
		return 0;
	nl_parse_error(pc, l->first_line, l->first_column - (int)(off - start),
	               "unknown layer '%s' (did you mean '%s'?)", word, best);
	return 1;
}

/* Syntax errors: say what came and (briefly) what was expected.  When a
 * REPL chunk simply stops early inside a block or parentheses, say nothing
 * and report NL_INCOMPLETE; a layer cut short is an error at once. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner,
                                 nl_parse *pc)
{
	(void)scanner;
	yysymbol_kind_t tok = yypcontext_token(yyctx);
	const NL_YYLTYPE *l = yypcontext_location(yyctx);
	/* Could the statement end here?  Then the error is not in it. */
	yysymbol_kind_t all[YYNTOKENS];
	int nall = yypcontext_expected_tokens(yyctx, all, YYNTOKENS), may_end = 0;
	for (int i = 0; i < nall; i++)
		may_end |= all[i] == YYSYMBOL_NL || is_char(all[i], ';') || is_char(all[i], '}') ||
		           all[i] == YYSYMBOL_YYEOF;
	size_t start, wlen;
	int in_layer = !may_end && pc->paren == 0 &&
	               first_word(pc, offset_of(pc, l->first_line, l->first_column),
	                          &start, &wlen) &&
	               nl_kind_lookup(pc->src->text + start, wlen, NULL) >= 0;
	if ((tok == YYSYMBOL_YYEOF || tok == YYSYMBOL_NL) && !in_layer) {
		/* Only blanks and comments after this token: the text ended early. */
		const char *p = pc->src->text + pc->offset, *end = pc->src->text + pc->src->len;
		int rest_blank = 1;
		for (; p < end; p++) {
			if (*p == '#') {
				while (p < end && *p != '\n')
					p++;
			} else if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
				rest_blank = 0;
				break;
			}
		}
		if (rest_blank && pc->allow_incomplete) {
			pc->incomplete = 1;
			return 0;
		}
	}
	if (explain_statement(pc, tok, l, may_end))
		return 0;
	yysymbol_kind_t expected[6];
	int n = yypcontext_expected_tokens(yyctx, expected, 6);
	char msg[512];
	int len = snprintf(msg, sizeof msg, "syntax error: unexpected %s",
	                   yysymbol_name(tok));
	if (tok == YYSYMBOL_IDENT && pc->last_name) {  /* say which name */
		char hint[160];
		name_hint(pc->last_name, hint, sizeof hint);
		len += snprintf(msg + len, sizeof msg - (size_t)len, " '%.40s'", pc->last_name);
		if (*hint) {   /* the hint says what to write; the expected list would not */
			nl_parse_error(pc, l->first_line, l->first_column, "%s%s", msg, hint);
			return 0;
		}
	}
	if ((tok == YYSYMBOL_LAYER_WORD || tok == YYSYMBOL_LAYER_CONV ||
	     tok == YYSYMBOL_LAYER_POOL || tok == YYSYMBOL_LAYER_FEATURES ||
	     tok == YYSYMBOL_LAYER_PROB) && pc->last_name)  /* the keyword itself */
		len = snprintf(msg, sizeof msg, "syntax error: unexpected '%s'", pc->last_name);
	if (n > 0 && n < 6) {
		for (int i = 0; i < n && len < (int)sizeof msg - 64; i++)
			len += snprintf(msg + len, sizeof msg - (size_t)len, "%s %s",
			                i == 0 ? ", expected" : i == n - 1 ? " or" : ",",
			                yysymbol_name(expected[i]));
	}
	nl_parse_error(pc, l->first_line, l->first_column, "%s", msg);
	return 0;
}

int nl_yylex_init_extra(nl_parse *extra, yyscan_t *scanner);
int nl_yylex_destroy(yyscan_t scanner);
void *nl_yy_scan_buffer(char *base, size_t size, yyscan_t scanner);

int nl_parse_source(nl_parse *pc)
{
	yyscan_t scanner;
	jmp_buf oom;
	if (pc->src->len > (size_t)1 << 30) {
		nl_parse_error(pc, pc->src->first_line, 1, "source text too large");
		return -1;
	}
	/* The scanner's copy of the text, ending in the two NULs flex wants:
	 * ours, not flex's, so that it is freed after a jump too. */
	char *copy = malloc(pc->src->len + 2);
	if (!copy || nl_yylex_init_extra(pc, &scanner)) {
		free(copy);
		nl_parse_error(pc, pc->src->first_line, 1, "out of memory while parsing");
		return -1;
	}
	memcpy(copy, pc->src->text, pc->src->len);
	copy[pc->src->len] = copy[pc->src->len + 1] = '\0';
	pc->line = pc->last_line = pc->src->first_line;
	pc->col = pc->last_col = 1;
	if (setjmp(oom)) {
		pc->arena->on_oom = NULL;
		nl_scan_on_oom = NULL;
		free(parse_stack);
		parse_stack = NULL;
		nl_yylex_destroy(scanner);
		free(copy);
		nl_parse_error(pc, pc->line, pc->col, "out of memory while parsing");
		return -1;
	}
	pc->arena->on_oom = &oom;
	nl_scan_on_oom = &oom;
	parse_stack = NULL;
	nl_yy_scan_buffer(copy, pc->src->len + 2, scanner);
	int rc = nl_yyparse(scanner, pc);
	pc->arena->on_oom = NULL;
	nl_scan_on_oom = NULL;
	nl_yylex_destroy(scanner);
	free(copy);
	if (rc == 2 && !pc->failed)
		nl_parse_error(pc, pc->line, pc->col, "out of memory while parsing");
	return rc || pc->failed || pc->incomplete ? -1 : 0;
}
