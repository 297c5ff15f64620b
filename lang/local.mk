# lang/local.mk - the front end: scanner, parser, expansion, shapes, output.
noinst_LIBRARIES += liblang.a
liblang_a_SOURCES = \
	lang/graph.h lang/lang.h \
	lang/lexer.l lang/parser.y \
	lang/arena.h lang/arena.c \
	lang/ast.h lang/parse.h \
	lang/source.h lang/source.c \
	lang/ctx.h lang/ctx.c \
	lang/diag.c lang/load.c \
	lang/shape.h lang/shape.c \
	lang/kinds.def lang/kinds.h lang/kinds.c \
	lang/names.h lang/names.c lang/suggest.h lang/suggest.c \
	lang/settings.def lang/settings.h lang/settings.c \
	lang/expand.c lang/graph_store.h lang/graph.c \
	lang/outline.h lang/outline.c lang/print.c lang/writer.c \
	lang/program.h lang/program.c
# -d: bison writes lang/parser.h, which the scanner includes.  (Per-target
# YFLAGS would rename the outputs to liblang_a-parser.*.)  bison is the
# project's only yacc user.
AM_YFLAGS = -d -Wall -Wno-yacc
BUILT_SOURCES += lang/parser.h
# BUILT_SOURCES covers `make all` and `make check`; this covers building
# liblang.a (or anything linking it) directly.
lang/lexer.$(OBJEXT): lang/parser.h
