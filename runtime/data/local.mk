# runtime/data/local.mk - data sets, weights files and atomic writes.
libruntime_a_SOURCES += \
	runtime/data/data.h \
	runtime/data/md5.h runtime/data/md5.c \
	runtime/data/atomic_file.h runtime/data/atomic_file.c \
	runtime/data/idx.h runtime/data/idx.c \
	runtime/data/dataset.h runtime/data/dataset.c \
	runtime/data/weights.h runtime/data/weights.c
