# runtime/local.mk - the execution plan, training loop and driver support.
noinst_LIBRARIES += libruntime.a
libruntime_a_SOURCES = \
	runtime/backend.h runtime/rng.h runtime/options.h \
	runtime/params.h runtime/params.c
include runtime/io.mk
