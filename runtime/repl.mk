# runtime/repl.mk - the interactive session and teaching scripts
libruntime_a_SOURCES += runtime/repl.c
