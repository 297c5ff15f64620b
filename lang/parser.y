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
}

%code {
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Only "memory exhausted" comes here; syntax errors go through
 * yyreport_syntax_error below. */
static void nl_yyerror(const NL_YYLTYPE *l, yyscan_t scanner, nl_parse *pc,
                       const char *msg)
{
	(void)scanner;
	nl_parse_error(pc, l->first_line, l->first_column, "%s", msg);
}

/* The parser's stack lives on the heap; deep but finite nesting is
 * bounded by the scanner's and the actions' own limits instead. */
#define YYMAXDEPTH 1000000
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
%token USE "'use'" INPUT "'input'" CONV "'conv'" MAXPOOL "'maxpool'"
%token AVGPOOL "'avgpool'" GLOBAL "'global'" RELU "'relu'"
%token SIGMOID "'sigmoid'" TANH "'tanh'" SOFTMAX "'softmax'"
%token FLATTEN "'flatten'" BATCHNORM "'batchnorm'" DROPOUT "'dropout'"
%token PAD "'pad'" DEF "'def'" REPEAT "'repeat'" IF "'if'" ELSE "'else'"
%token TRUE "'true'" FALSE "'false'" CONCAT "'concat'" ADD "'add'"
%token BRANCH "'branch'" TRAIN "'train'" X "'x'"
%token <str> FC "'fc'"
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
	: CONV dims ARROW expr
	    { $$ = layer(pc, NL_CONV, @1); $$->kernel = $2; $$->out = $4; }
	| CONV dims ARROW expr PAD dims
	    { $$ = layer(pc, NL_CONV, @1); $$->kernel = $2; $$->out = $4;
	      $$->pad = $6; $$->has_pad = 1; }
	| CONV dims '/' dims ARROW expr
	    { $$ = layer(pc, NL_CONV, @1); $$->kernel = $2; $$->stride = $4;
	      $$->has_stride = 1; $$->out = $6; }
	| CONV dims '/' dims ARROW expr PAD dims
	    { $$ = layer(pc, NL_CONV, @1); $$->kernel = $2; $$->stride = $4;
	      $$->has_stride = 1; $$->out = $6; $$->pad = $8; $$->has_pad = 1; }
	| MAXPOOL pool_args    { $$ = $<stmt>2; $$->layer = NL_MAXPOOL; $$->loc = here(pc, @1); }
	| AVGPOOL pool_args    { $$ = $<stmt>2; $$->layer = NL_AVGPOOL; $$->loc = here(pc, @1); }
	| AVGPOOL GLOBAL       { $$ = layer(pc, NL_GAVGPOOL, @1); $$->global = 1; }
	| FC expr              { $$ = layer(pc, NL_FC, @1); $$->out = $2; $$->spelling = $1; }
	| RELU                 { $$ = layer(pc, NL_RELU, @1); }
	| SIGMOID              { $$ = layer(pc, NL_SIGMOID, @1); }
	| TANH                 { $$ = layer(pc, NL_TANH, @1); }
	| SOFTMAX              { $$ = layer(pc, NL_SOFTMAX, @1); }
	| FLATTEN              { $$ = layer(pc, NL_FLATTEN, @1); }
	| BATCHNORM            { $$ = layer(pc, NL_BATCHNORM, @1); }
	| DROPOUT FLOAT        { $$ = layer(pc, NL_DROPOUT, @1); $$->p = $2.value; $$->p_text = $2.text; }
	| DROPOUT INT          { $$ = layer(pc, NL_DROPOUT, @1); $$->p = $2;
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

/* Syntax errors: say what came and (briefly) what was expected.  When a
 * REPL chunk simply stops early, say nothing and report NL_INCOMPLETE. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner,
                                 nl_parse *pc)
{
	(void)scanner;
	yysymbol_kind_t tok = yypcontext_token(yyctx);
	const NL_YYLTYPE *l = yypcontext_location(yyctx);
	if (tok == YYSYMBOL_YYEOF || tok == YYSYMBOL_NL) {
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
	yysymbol_kind_t expected[6];
	int n = yypcontext_expected_tokens(yyctx, expected, 6);
	char msg[512];
	int len = snprintf(msg, sizeof msg, "syntax error: unexpected %s",
	                   yysymbol_name(tok));
	if (tok == YYSYMBOL_IDENT && pc->last_name)  /* say which name */
		len += snprintf(msg + len, sizeof msg - (size_t)len, " '%.40s'", pc->last_name);
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
void *nl_yy_scan_bytes(const char *bytes, int len, yyscan_t scanner);

int nl_parse_source(nl_parse *pc)
{
	yyscan_t scanner;
	if (pc->src->len > (size_t)1 << 30) {
		nl_parse_error(pc, pc->src->first_line, 1, "source text too large");
		return -1;
	}
	if (nl_yylex_init_extra(pc, &scanner))
		return -1;
	pc->line = pc->last_line = pc->src->first_line;
	pc->col = pc->last_col = 1;
	nl_yy_scan_bytes(pc->src->text, (int)pc->src->len, scanner);
	int rc = nl_yyparse(scanner, pc);
	nl_yylex_destroy(scanner);
	if (rc == 2 && !pc->failed)
		nl_parse_error(pc, pc->line, pc->col, "out of memory while parsing");
	return rc || pc->failed || pc->incomplete ? -1 : 0;
}
