# runtime/report/local.mk - training curves, --time, the memory figure,
# drawings, explanations, predictions, filters, the confusion matrix and
# accuracy per class.
libruntime_a_SOURCES += \
	runtime/report/report.h runtime/report/plot.c \
	runtime/report/timing.c runtime/report/memory.c \
	runtime/report/class_report.c \
	runtime/report/svg.h runtime/report/svg.c runtime/report/png.c \
	runtime/report/draw.c runtime/report/explain.c runtime/report/classes.c \
	runtime/report/confusion.c runtime/report/predict.c runtime/report/filters.c
