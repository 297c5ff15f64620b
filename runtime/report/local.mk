# runtime/report/local.mk - training curves, --time, the memory figure.
libruntime_a_SOURCES += \
	runtime/report/report.h runtime/report/plot.c \
	runtime/report/timing.c runtime/report/memory.c
