# runtime/io.mk - data sets, weights files and plots
libruntime_a_SOURCES += \
	runtime/md5.h runtime/md5.c \
	runtime/atomic_file.h runtime/atomic_file.c \
	runtime/idx.h runtime/idx.c \
	runtime/dataset.h runtime/dataset.c \
	runtime/weights.h runtime/weights.c \
	runtime/plot.h runtime/plot.c
