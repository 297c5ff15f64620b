# runtime/plan/local.mk - a checked graph lowered onto a backend.
libruntime_a_SOURCES += \
	runtime/plan/plan.h runtime/plan/plan.c \
	runtime/plan/params.h runtime/plan/params.c
