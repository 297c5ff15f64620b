# runtime/report/local.mk - training curves, --time, the memory figure,
# accuracy per class.
libruntime_a_SOURCES += \
	runtime/report/report.h runtime/report/plot.c \
	runtime/report/timing.c runtime/report/memory.c \
	runtime/report/class_report.c
