# runtime/repl.mk - the interactive session and teaching scripts
libruntime_a_SOURCES += \
	runtime/repl_session.h runtime/repl.c \
	runtime/repl_commands.c runtime/repl_print.c \
	runtime/repl_train_opts.c runtime/repl_readline.c
