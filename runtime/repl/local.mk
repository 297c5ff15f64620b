# runtime/repl/local.mk - the interactive session and teaching scripts.
libruntime_a_SOURCES += \
	runtime/repl/repl.h runtime/repl/session.h runtime/repl/repl.c \
	runtime/repl/commands.c runtime/repl/print.c \
	runtime/repl/train_opts.c runtime/repl/readline.c
